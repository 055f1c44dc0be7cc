import { isTransientCassandraError } from '../adapters/cassandra.ts';

/**
 * The error name the state machines retry with backoff. A handler throws it for failures that a
 * later attempt can get past (Cassandra/Keyspaces timeouts and overload, S3 throttling), so Step
 * Functions retries exactly those and fails fast on the rest (a malformed file stays malformed).
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

const TRANSIENT_S3_NAMES = new Set([
  'SlowDown',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE']);

export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError || isTransientCassandraError(error)) return true;
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_S3_NAMES.has(error.name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code);
}

/** Runs the work, renaming transient failures to TransientError (the cause is kept). */
export async function classifyFailures<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TransientError || !isTransient(error)) throw error;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new TransientError(message, { cause: error });
  }
}
