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
