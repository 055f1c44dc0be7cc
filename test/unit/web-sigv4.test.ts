/**
 * The web console signs its writes with its own SigV4 (WebCrypto, no SDK in the bundle): it must
 * produce exactly the headers the AWS SDKs' signer produces for the same request.
 */
import { createHash, createHmac, type BinaryLike, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../../web/src/sigv4.ts';

function bytes(data: string | ArrayBuffer | ArrayBufferView): BinaryLike {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The SDK signer's hash interface over node:crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

const credentials = {
  accessKeyId: 'ASIAEXAMPLEKEY123456',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token+with/odd=chars',
};
const date = new Date('2026-03-14T15:09:26.535Z');

async function sdkHeaders(method: string, url: URL, body: string, headers: Record<string, string>) {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: 'eu-west-1',
    credentials,
    sha256: Sha256,
    // API Gateway does not need the payload hash header (S3 does); the console does not send it.
    applyChecksum: false,
  });
  const query: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
  const signed = await signer.sign(
    {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query,
      headers: { host: url.host, ...headers },
      ...(body ? { body } : {}),
    },
    { signingDate: date },
  );
  return signed.headers as Record<string, string>;
}

describe('web console SigV4', () => {
  it.each([
    [
      'PUT',
      'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/users/7/ratings/318',
      '{"rating":4.5}',
    ],
    ['DELETE', 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/users/7/ratings/318', ''],
    [
      'POST',
      'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/events?b=2&a=x%20y&a=1',
      '{"events":[{"userId":1,"movieId":2,"type":"like"}]}',
    ],
    [
      'PUT',
      'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/movies/Am%C3%A9lie%20(2001)',
      '{}',
    ],
  ])('%s %s signs as the AWS SDK does', async (method, raw, body) => {
    const url = new URL(raw);
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    const ours = await signRequest({
      method,
      url: raw,
      headers,
      body,
      region: 'eu-west-1',
      service: 'execute-api',
      credentials,
      date,
    });
    const sdk = await sdkHeaders(method, url, body, headers);
    expect(ours.authorization).toBe(sdk.authorization);
    expect(ours['x-amz-date']).toBe(sdk['x-amz-date']);
    expect(ours['x-amz-security-token']).toBe(credentials.sessionToken);
    // The browser sets Host itself; it is signed but never sent by hand.
    expect(ours.host).toBeUndefined();
    expect(ours.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEKEY123456\/20260314\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z;-]+, Signature=[0-9a-f]{64}$/,
    );
  });
});
