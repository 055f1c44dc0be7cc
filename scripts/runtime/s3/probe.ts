/** What listens on an endpoint: an S3 server, something else, or nothing at all. */
export type EndpointState = 'answering' | 'other' | 'closed';

// An anonymous GET / is ListBuckets: moto and LocalStack list buckets, real S3-style servers that
// insist on signatures answer with an S3 <Error> document. Either way it speaks S3.
const S3_REPLY = /<ListAllMyBucketsResult|<Error>\s*<Code>/;

export async function probeS3(endpoint: string, timeoutMs = 2000): Promise<EndpointState> {
  try {
    const response = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return S3_REPLY.test(body) ? 'answering' : 'other';
  } catch (error) {
    // Refused, unreachable or silent all mean nothing usable listens; a garbled reply means
    // something that is not HTTP holds the port.
    const name = (error as Error).name;
    const code = (error as { cause?: { code?: string } }).cause?.code ?? '';
    if (name === 'TimeoutError' || name === 'AbortError') return 'closed';
    return /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(code)
      ? 'closed'
      : 'other';
  }
}
