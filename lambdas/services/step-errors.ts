/**
 * The errors a pipeline step throws on purpose, by the name Step Functions sees (the Lambda
 * runtime reports an error's `name` as its type), and how to read one back from a Catch.
 */

/**
 * The error name the state machines retry with backoff. A step throws it for failures that a later
 * attempt can get past (Cassandra/Keyspaces timeouts and overload, S3 throttling), so Step
 * Functions retries exactly those and fails fast on the rest (a malformed file stays malformed).
 * transient-failures.ts renames such failures to it.
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

/** The uploaded files are not a data set we can ingest; retrying cannot help. */
export class DatasetInvalidError extends Error {
  override readonly name = 'DatasetInvalid';
}

/**
 * The keyspace already holds another data set's ratings. The ratings tables have no data set
 * column, so ingesting a second one would merge the two; a data set gets a keyspace of its own.
 */
export class DatasetConflictError extends Error {
  override readonly name = 'DatasetConflict';
}

/** Nothing to train on: retrying cannot help. */
export class NoRatingsError extends Error {
  override readonly name = 'NoRatings';
}

/** The readable part of a Step Functions Cause: the Lambda's errorMessage when it is JSON. */
export function readableCause(cause: string | undefined): string {
  if (cause === undefined) return '';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      return String(parsed.errorMessage);
    }
  } catch {
    // a plain message
  }
  return cause;
}
