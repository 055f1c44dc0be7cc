import type { CassandraStore } from '../../adapters/cassandra.ts';
import { RATINGS_BY_MOVIE_BUCKETS } from '../../core/schema/tables.ts';

export interface UserRating {
  readonly movieId: number;
  readonly rating: number;
  /** Seconds since the epoch. */
  readonly ratedAt: number;
}

/**
 * Every rating of one user: one partition (ml-latest-small's most active user has 2.7k).
 * `quorum` reads at LOCAL_QUORUM, for a request that must see the API's latest write.
 */
export async function readUserRatings(
  db: CassandraStore,
  userId: number,
  consistency: 'one' | 'quorum' = 'one',
): Promise<UserRating[]> {
  const out: UserRating[] = [];
  const cql = `SELECT movie_id, rating, rated_at FROM ${db.table('ratings_by_user')} WHERE user_id = ?`;
  for await (const row of db.rows(cql, [userId], 5_000, consistency)) {
    const ratedAt = row.get('rated_at') as { toNumber(): number } | null;
    out.push({
      movieId: row.get('movie_id') as number,
      rating: row.get('rating') as number,
      ratedAt: ratedAt?.toNumber() ?? 0,
    });
  }
  return out;
}

export interface UserSummary {
  readonly userId: number;
  readonly ratingCount: number;
  readonly ratingMean: number | null;
  readonly firstRatedAt: number | null;
  readonly lastRatedAt: number | null;
}

export async function readUserSummary(
  db: CassandraStore,
  userId: number,
): Promise<UserSummary | undefined> {
  const result = await db.execute(
    `SELECT rating_count, rating_mean, first_rated_at, last_rated_at FROM ${db.table('users')} WHERE user_id = ?`,
    [userId],
  );
  const row = result.first();
  if (!row) return undefined;
  const time = (name: string) =>
    (row.get(name) as { toNumber(): number } | null)?.toNumber() ?? null;
  return {
    userId,
    ratingCount: (row.get('rating_count') as number | null) ?? 0,
    ratingMean: (row.get('rating_mean') as number | null) ?? null,
    firstRatedAt: time('first_rated_at'),
    lastRatedAt: time('last_rated_at'),
  };
}

/** Who rated a movie: all of its buckets, read in parallel (one partition each). */
export async function readMovieRaters(db: CassandraStore, movieId: number): Promise<Set<number>> {
  const cql = `SELECT user_id FROM ${db.table('ratings_by_movie')} WHERE movie_id = ? AND bucket = ?`;
  const buckets = Array.from({ length: RATINGS_BY_MOVIE_BUCKETS }, (_, bucket) => bucket);
  const raters = new Set<number>();
  await Promise.all(
    buckets.map(async (bucket) => {
      for await (const row of db.rows(cql, [movieId, bucket]))
        raters.add(row.get('user_id') as number);
    }),
  );
  return raters;
}
