/**
 * What `GET /users/{id}/ratings` shows of a person (no I/O here): a summary computed from their
 * ratings as stored now (ingestion's summary row misses ratings the API took since), the ratings
 * best first, and their likes and dislikes newest first.
 */
export interface RatedMovie {
  readonly movieId: number;
  readonly rating: number;
  /** Seconds since the epoch. */
  readonly ratedAt: number;
}

export interface LikedMovie {
  readonly movieId: number;
  readonly liked: boolean;
  /** Epoch ms. */
  readonly at: number;
}

export interface RatingSummary {
  readonly ratingCount: number;
  readonly ratingMean: number | null;
  readonly firstRatedAt: number | null;
  readonly lastRatedAt: number | null;
}

export function ratingSummary(ratings: readonly RatedMovie[]): RatingSummary {
  const times = ratings.map((r) => r.ratedAt);
  const sum = ratings.reduce((total, r) => total + r.rating, 0);
  return {
    ratingCount: ratings.length,
    ratingMean: ratings.length > 0 ? sum / ratings.length : null,
    firstRatedAt: ratings.length > 0 ? Math.min(...times) : null,
    lastRatedAt: ratings.length > 0 ? Math.max(...times) : null,
  };
}

/** Best rated first, then the most recent; at most `limit`. */
export function bestRatedFirst<R extends RatedMovie>(ratings: readonly R[], limit: number): R[] {
  return [...ratings].sort((a, b) => b.rating - a.rating || b.ratedAt - a.ratedAt).slice(0, limit);
}

/** Newest first, then by movie id; at most `limit`. */
export function newestLikesFirst<L extends LikedMovie>(likes: readonly L[], limit: number): L[] {
  return [...likes].sort((a, b) => b.at - a.at || a.movieId - b.movieId).slice(0, limit);
}
