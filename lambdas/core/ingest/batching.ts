import type { RatingsTable } from '../ratings.ts';
import { RATINGS_BY_MOVIE_BUCKETS } from '../schema/tables.ts';

/** The ratings_by_movie partition a user's rating of a movie falls in. */
export function movieBucket(userId: number): number {
  return userId % RATINGS_BY_MOVIE_BUCKETS;
}

/**
 * Row indices grouped by partition: runs of consecutive rows (in `order`) with the same key, each
 * cut into pieces of at most `max` rows. One piece becomes one single-partition UNLOGGED batch.
 */
export function partitionRuns(
  order: ArrayLike<number>,
  keyOf: (row: number) => number,
  max: number,
): number[][] {
  const runs: number[][] = [];
  let current: number[] = [];
  let currentKey = Number.NaN;
  for (let i = 0; i < order.length; i++) {
    const row = order[i]!;
    const key = keyOf(row);
    if (key !== currentKey || current.length === max) {
      if (current.length > 0) runs.push(current);
      current = [];
      currentKey = key;
    }
    current.push(row);
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

/** Rows in file order grouped by user: ratings files are sorted by user, so runs are long. */
export function userRuns(table: RatingsTable, max: number): number[][] {
  const order = Uint32Array.from({ length: table.length }, (_, i) => i);
  return partitionRuns(order, (row) => table.userIds[row]!, max);
}

/** Rows grouped by (movie, bucket) partition, after sorting them by that key. */
export function movieBucketRuns(table: RatingsTable, max: number): number[][] {
  const key = (row: number) =>
    table.movieIds[row]! * RATINGS_BY_MOVIE_BUCKETS + movieBucket(table.userIds[row]!);
  const order = Uint32Array.from({ length: table.length }, (_, i) => i).sort(
    (a, b) => key(a) - key(b) || a - b,
  );
  return partitionRuns(order, key, max);
}
