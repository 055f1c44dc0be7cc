/**
 * Keyspaces TLS (issue 15, finding 7): the Keyspaces Node.js guide lists Amazon Root CA 1–4 and the
 * Starfield Class 2 root for the client's CA bundle; Node's bundled store lacks Starfield Class 2.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext, rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { cassandraConfigFromEnv, clientOptions } from '../../lambdas/adapters/cassandra.ts';
import { KEYSPACES_ROOT_CERTIFICATES } from '../../lambdas/adapters/keyspaces-roots.ts';

/** Published SHA-256 fingerprints (Amazon Trust Services repository; Starfield's repository). */
const EXPECTED: Record<string, string> = {
  'Amazon Root CA 1':
    '8E:CD:E6:88:4F:3D:87:B1:12:5B:A3:1A:C3:FC:B1:3D:70:16:DE:7F:57:CC:90:4F:E1:CB:97:C6:AE:98:19:6E',
  'Amazon Root CA 2':
    '1B:A5:B2:AA:8C:65:40:1A:82:96:01:18:F8:0B:EC:4F:62:30:4D:83:CE:C4:71:3A:19:C3:9C:01:1E:A4:6D:B4',
  'Amazon Root CA 3':
    '18:CE:6C:FE:7B:F1:4E:60:B2:E3:47:B8:DF:E8:68:CB:31:D0:2E:BB:3A:DA:27:15:69:F5:03:43:B4:6D:B3:A4',
  'Amazon Root CA 4':
    'E3:5D:28:41:9E:D0:20:25:CF:A6:90:38:CD:62:39:62:45:8D:A5:C6:95:FB:DE:A3:C2:2B:0B:FB:25:89:70:92',
  'Starfield Class 2 Certification Authority':
    '14:65:FA:20:53:97:B8:76:FA:A6:F0:A9:95:8E:55:90:E4:0F:CC:7F:AA:4F:B7:C2:C8:67:75:21:FB:5F:B6:58',
};

const keyspacesOptions = () =>
  clientOptions(cassandraConfigFromEnv({ RECSYS_DB: 'keyspaces', AWS_REGION: 'eu-west-1' }));

describe('Keyspaces TLS trust', () => {
  it('ships the five roots of the Keyspaces guide, each the certificate its fingerprint names', () => {
    expect(KEYSPACES_ROOT_CERTIFICATES.map((c) => c.name).sort()).toEqual(
      Object.keys(EXPECTED).sort(),
    );
    for (const root of KEYSPACES_ROOT_CERTIFICATES) {
      const certificate = new X509Certificate(root.pem);
      expect(certificate.fingerprint256, root.name).toBe(EXPECTED[root.name]);
      expect(root.sha256).toBe(EXPECTED[root.name]);
      expect(certificate.ca, root.name).toBe(true);
      // Self-signed roots: each verifies with its own key.
      expect(certificate.verify(certificate.publicKey), root.name).toBe(true);
      expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(Date.now());
    }
  });

  it('hands exactly those roots to the driver’s TLS options, verifying the host', () => {
    const ssl = keyspacesOptions().sslOptions as {
      ca: string[];
      rejectUnauthorized: boolean;
      servername: string;
    };
    expect(ssl.rejectUnauthorized).toBe(true);
    expect(ssl.servername).toBe('cassandra.eu-west-1.amazonaws.com');
    expect(ssl.ca.map((pem) => new X509Certificate(pem).fingerprint256).sort()).toEqual(
      Object.values(EXPECTED).sort(),
    );
    expect(ssl.ca.some((pem) => new X509Certificate(pem).subject.includes('Starfield Class 2')));
    // Node accepts them as a trust store.
    expect(() => createSecureContext({ ca: ssl.ca })).not.toThrow();
  });

  it('is needed: Node’s bundled store has no Starfield Class 2 root', () => {
    const bundled = rootCertificates.map((pem) => new X509Certificate(pem).fingerprint256);
    expect(bundled).not.toContain(EXPECTED['Starfield Class 2 Certification Authority']);
  });

  it('leaves a local Cassandra without TLS', () => {
    expect(
      clientOptions(cassandraConfigFromEnv({ RECSYS_DB: 'local' })).sslOptions,
    ).toBeUndefined();
  });
});
