import type { BatchQuery, BatchSource, CassandraStore, Params } from '../adapters/cassandra.ts';
import { movieBucket } from '../core/ingest/batching.ts';

/**
 * How a rating is written, whoever writes it: ingestion's chunk Lambdas and the API's write routes
 * both upsert the same row into both orientations (`ratings_by_user`, and `ratings_by_movie` in
 * the user's bucket) with an explicit write time (core/ingest/write-time.ts), so the latest write
 * of a (user, movie) wins in both tables and a repeated write changes nothing.
 */
export function ratingUpserts(db: CassandraStore): { byUser: string; byMovie: string } {
  return {
    byUser:
      `INSERT INTO ${db.table('ratings_by_user')} (user_id, movie_id, rating, rated_at) ` +
      'VALUES (?, ?, ?, ?) USING TIMESTAMP ?',
    byMovie:
      `INSERT INTO ${db.table('ratings_by_movie')} (movie_id, bucket, user_id, rating, rated_at) ` +
      'VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ?',
  };
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

export function byMovieParams(
  userId: number,
  movieId: number,
  rating: number,
  ratedAt: number,
  writeTime: number,
): Params {
  return [movieId, movieBucket(userId), userId, rating, ratedAt, writeTime];
}

/** Deleting a rating: both orientations, with a write time like the upserts'. */
export function ratingDeletes(db: CassandraStore): { byUser: string; byMovie: string } {
  return {
    byUser: `DELETE FROM ${db.table('ratings_by_user')} USING TIMESTAMP ? WHERE user_id = ? AND movie_id = ?`,
    byMovie:
      `DELETE FROM ${db.table('ratings_by_movie')} USING TIMESTAMP ? ` +
      'WHERE movie_id = ? AND bucket = ? AND user_id = ?',
  };
}

/**
 * Batches of row indices, each turned into its statements only when it is sent: a chunk of a
 * million ratings then holds its rows in typed arrays, not two short-lived objects per rating that
 * outlive every young-generation collection while they wait their turn.
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
