import type middy from '@middy/core';
import { isTransientCassandraError } from '../adapters/cassandra.ts';
import { TransientError } from './step-errors.ts';

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

/** Failures a later attempt can get past: Cassandra timeouts and overload, S3 throttling, resets. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError || isTransientCassandraError(error)) return true;
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_S3_NAMES.has(error.name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code);
}

/**
 * onError middleware: renames transient failures to TransientError (the cause is kept), so the
 * state machine's Retry matches them; anything else fails as it is, fast.
 */
export function transientFailures(): middy.MiddlewareObj {
  return {
    onError: (request) => {
      const error: unknown = request.error;
      if (error instanceof TransientError || !isTransient(error)) return;
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      request.error = new TransientError(message, { cause: error });
    },
  };
}
