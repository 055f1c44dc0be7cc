import type { BatchQuery, BatchSource, CassandraStore, Params } from '../adapters/cassandra.ts';

/**
 * How a rating is written, whoever writes it: ingestion's chunk Lambdas and the API's write routes
 * both upsert the same row into `ratings_by_user` with an explicit write time
 * (core/ingest/write-time.ts), so the latest write of a (user, movie) wins and a repeated write
 * changes nothing. Each rating is written once: who rated a movie comes from the active model's
 * raters index plus `rating_changes_by_movie`, which only the API writes (ratingChanges below).
 */
export function ratingUpsert(db: CassandraStore): string {
  return (
    `INSERT INTO ${db.table('ratings_by_user')} (user_id, movie_id, rating, rated_at) ` +
    'VALUES (?, ?, ?, ?) USING TIMESTAMP ?'
  );
}

export function byUserParams(
  userId: number,
  movieId: number,
  rating: number,
  ratedAt: number,
  writeTime: number,
): Params {
  return [userId, movieId, rating, ratedAt, writeTime];
}

/** Deleting a rating, with a write time like the upserts'. */
export function ratingDelete(db: CassandraStore): string {
  return `DELETE FROM ${db.table('ratings_by_user')} USING TIMESTAMP ? WHERE user_id = ? AND movie_id = ?`;
}

/**
 * The API's record of a rating it wrote (`rated` true) or deleted (false), by movie, at the
 * rating's own write time: the latest change of a (movie, user) wins, as in ratings_by_user.
 */
export function ratingChange(db: CassandraStore): string {
  return (
    `INSERT INTO ${db.table('rating_changes_by_movie')} (movie_id, user_id, rated, changed_at) ` +
    'VALUES (?, ?, ?, ?) USING TIMESTAMP ?'
  );
}

export function ratingChangeParams(
  userId: number,
  movieId: number,
  rated: boolean,
  changedAtMs: number,
  writeTime: number,
): Params {
  return [movieId, userId, rated, new Date(changedAtMs), writeTime];
}

/**
 * Batches of row indices, each turned into its statements only when it is sent: a chunk of a
 * million ratings then holds its rows in typed arrays, not a short-lived object per rating that
 * outlives every young-generation collection while it waits its turn.
 */
export class RowBatches implements BatchSource {
  constructor(
    private readonly runs: readonly (readonly number[])[],
    private readonly statement: (row: number) => BatchQuery,
  ) {}

  get length(): number {
    return this.runs.length;
  }

  at(index: number): BatchQuery[] | undefined {
    return this.runs[index]?.map(this.statement);
  }
}
