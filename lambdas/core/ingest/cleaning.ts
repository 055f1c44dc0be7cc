import type { BadRowReason, RatingRow } from '../formats/ratings-format.ts';
import { MAX_RATING_TIMESTAMP_EXCLUSIVE } from './write-time.ts';

/**
 * The ingestion's rules on top of the format's own validation (parseRatingRecord), which already
 * rejects wrong column counts, non-numeric fields and ratings outside the 0.5–5 star scale:
 * - a timestamp must fit the write-time window (see write-time.ts), or the row is quarantined;
 * - duplicates of (user, movie) are not rejected: the latest timestamp wins in Cassandra;
 * - movies are never deleted: one without ratings gets rating_count 0 and is not recommendable;
 * - the minimum number of ratings per movie is a training filter recorded with the data set.
 */
export function ingestRejection(row: RatingRow): BadRowReason | undefined {
  return row.timestamp >= MAX_RATING_TIMESTAMP_EXCLUSIVE ? 'timestamp out of range' : undefined;
}

/** The old project dropped movies with fewer ratings than this before training. */
export const DEFAULT_MIN_RATINGS_PER_MOVIE = 50;

export function isRecommendable(ratingCount: number, minRatingsPerMovie: number): boolean {
  return ratingCount > 0 && ratingCount >= minRatingsPerMovie;
}
