import type { CassandraStore } from '../../adapters/cassandra.ts';
import { currentRaters, type RaterChange } from '../../core/serving/raters.ts';
import { ApiError } from './api-error.ts';
import type { ServingModel } from './serving-state.ts';

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

/**
 * The API's rating writes and deletes of one movie (one partition), read at LOCAL_QUORUM: a
 * client that has just rated the movie must drop out of its audience on the next request.
 */
export async function readRaterChanges(
  db: CassandraStore,
  movieId: number,
): Promise<RaterChange[]> {
  const cql = `SELECT user_id, rated, changed_at FROM ${db.table('rating_changes_by_movie')} WHERE movie_id = ?`;
  const changes: RaterChange[] = [];
  for await (const row of db.rows(cql, [movieId], 5_000, 'quorum')) {
    changes.push({
      userId: row.get('user_id') as number,
      rated: row.get('rated') === true,
      changedAtMs: (row.get('changed_at') as Date | null)?.getTime() ?? 0,
    });
  }
  return changes;
}

/**
 * Who has rated a movie now: the serving model's raters index (every rating its training read)
 * with the API's changes since laid over it (core/serving/raters.ts). A model published before
 * models carried the index cannot say: 409 with what to do.
 */
export async function readMovieRaters(
  db: CassandraStore,
  serving: ServingModel,
  movieId: number,
): Promise<Set<number>> {
  const [indexed, changes] = await Promise.all([
    serving.raters.raters(movieId),
    readRaterChanges(db, movieId),
  ]);
  if (indexed === null) {
    throw new ApiError(
      409,
      'no_raters_index',
      `model ${serving.record.modelId} has no raters index: train a new model to serve audiences`,
    );
  }
  return currentRaters(indexed, changes, serving.record.createdAt.getTime());
}
