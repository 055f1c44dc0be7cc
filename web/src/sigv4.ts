/**
 * AWS Signature Version 4 for the console's writes (API Gateway methods with IAM authorization),
 * on WebCrypto alone so the bundle needs no SDK. The same algorithm as the AWS SDKs' signer
 * (`@smithy/signature-v4`), which test/unit/web-sigv4.test.ts checks it against.
 */

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignInput {
  readonly method: string;
  /** The full URL (https://…/v1/users/1/ratings/2?x=1). */
  readonly url: string;
  /** Headers to send and sign (lower- or mixed-case names); host and x-amz-* are added. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly region: string;
  /** `execute-api` for API Gateway. */
  readonly service: string;
  readonly credentials: AwsCredentials;
  /** Signing time (default now). */
  readonly date?: Date;
}

const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

async function hmac(
  key: ArrayBuffer | Uint8Array<ArrayBuffer>,
  text: string,
): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    key,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(text));
}

/** RFC 3986 percent-encoding: everything but A–Z a–z 0–9 - . _ ~. */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The path as sent (already encoded once), normalized, then encoded again (all but S3). */
function canonicalPath(pathname: string): string {
  const segments: string[] = [];
  for (const segment of pathname.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = pathname.endsWith('/') && segments.length > 0 ? '/' : '';
  return escapeUri(`/${segments.join('/')}${trailing}`).replace(/%2F/g, '/');
}

function canonicalQuery(search: URLSearchParams): string {
  const pairs: [string, string][] = [];
  for (const [key, value] of search) pairs.push([escapeUri(key), escapeUri(value)]);
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** `YYYYMMDD'T'HHMMSS'Z'`. */
function amzDate(date: Date): string {
  return date.toISOString().replace(/[:-]|\.\d{3}/g, '');
}

/** The headers to send: the input's, plus host, x-amz-date, the session token, authorization. */
export async function signRequest(input: SignInput): Promise<Record<string, string>> {
  const url = new URL(input.url);
  const time = amzDate(input.date ?? new Date());
  const day = time.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    headers[name.toLowerCase()] = value.trim().replace(/\s+/g, ' ');
  }
  headers.host = url.host;
  headers['x-amz-date'] = time;
  if (input.credentials.sessionToken) {
    headers['x-amz-security-token'] = input.credentials.sessionToken;
  }
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalPath(url.pathname),
    canonicalQuery(url.searchParams),
    names.map((name) => `${name}:${headers[name]}\n`).join(''),
    signedHeaders,
    await sha256Hex(input.body ?? ''),
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', time, scope, await sha256Hex(canonicalRequest)].join(
    '\n',
  );
  let key: ArrayBuffer = await hmac(
    encoder.encode(`AWS4${input.credentials.secretAccessKey}`),
    day,
  );
  for (const part of [input.region, input.service, 'aws4_request']) key = await hmac(key, part);
  const signature = hex(await hmac(key, stringToSign));
  const { host: _host, ...send } = headers;
  return {
    ...send,
    authorization:
      `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
