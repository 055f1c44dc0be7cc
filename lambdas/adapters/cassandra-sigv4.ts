import cassandra from 'cassandra-driver';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
// @ts-expect-error the plugin ships no type declarations for this module
import signatureModule from 'aws-sigv4-auth-cassandra-plugin/lib/sigv4-auth-signature.js';

// The plugin's provider module pulls in the whole AWS SDK v2 (megabytes in every Lambda bundle) only
// to resolve credentials. We reuse the plugin's signing code and resolve credentials with SDK v3.
// A static import (not createRequire) so that esbuild bundles it into the Lambda.
const { computeSigV4SignatureCassandraRequest } = signatureModule as {
  computeSigV4SignatureCassandraRequest(input: {
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    date: Date;
    nonce: string;
  }): string;
};

type Credentials = ReturnType<typeof defaultProvider>;
type Callback = (error: Error | null, buffer: Buffer | null) => void;

// The driver checks `instanceof AuthProvider` at runtime, but its typings declare the base classes as
// interfaces; these casts expose the real constructors so we can extend them.
const runtimeAuth = cassandra.auth as unknown as {
  Authenticator: new () => object;
  AuthProvider: new () => object;
};

function extractNonce(challenge: Buffer): string | undefined {
  const after = challenge.toString().split('nonce=')[1];
  return after?.split(',')[0];
}

class SigV4Authenticator extends runtimeAuth.Authenticator implements cassandra.auth.Authenticator {
  constructor(
    private readonly region: string,
    private readonly credentials: Credentials,
  ) {
    super();
  }

  initialResponse(callback: Callback): void {
    callback(null, Buffer.from('SigV4\0\0', 'utf8'));
  }

  evaluateChallenge(challenge: Buffer, callback: Callback): void {
    const nonce = extractNonce(challenge);
    if (!nonce) {
      callback(new Error('Keyspaces SigV4 challenge carried no nonce'), null);
      return;
    }
    this.credentials().then(
      (creds) => {
        const signed = computeSigV4SignatureCassandraRequest({
          region: this.region,
          accessKeyId: creds.accessKeyId,
          secretAccessKey: creds.secretAccessKey,
          ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
          date: new Date(),
          nonce,
        });
        callback(null, Buffer.from(signed));
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
    );
  }

  onAuthenticationSuccess(): void {}
}

export class SigV4AuthProvider
  extends runtimeAuth.AuthProvider
  implements cassandra.auth.AuthProvider
{
  private readonly credentials: Credentials = defaultProvider();

  constructor(private readonly region: string) {
    super();
  }

  newAuthenticator(): cassandra.auth.Authenticator {
    return new SigV4Authenticator(this.region, this.credentials);
  }
}
