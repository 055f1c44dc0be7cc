import { RatingsTableBuilder, type RatingsTable } from '../../lambdas/core/ratings.ts';

/** A ratings table of these [user, movie, rating] rows, in this order. */
export function ratingsTable(rows: readonly (readonly [number, number, number])[]): RatingsTable {
  const builder = new RatingsTableBuilder();
  for (const [user, movie, rating] of rows) builder.push(user, movie, rating);
  return builder.finish();
}
