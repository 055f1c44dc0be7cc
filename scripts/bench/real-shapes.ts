import { RatingsTableBuilder, type RatingsTable } from '../../lambdas/core/ratings.ts';

/**
 * Other MovieLens shapes made from real ratings (generated data cannot rank: its users pick movies
 * by popularity alone). Both are pure functions of the table, so every run gets the same set.
 */

/**
 * ml-100k's shape from a larger set: its `movies` most-rated movies (ties: smaller id), then only
 * users with at least `minPerUser` ratings among them — how GroupLens cut ml-100k (1,682 movies,
 * every user with ≥ 20 ratings).
 */
export function cutToShape(table: RatingsTable, movies = 1_682, minPerUser = 20): RatingsTable {
  const counts = new Map<number, number>();
  for (const m of table.movieIds) counts.set(m, (counts.get(m) ?? 0) + 1);
  const kept = new Set(
    [...counts]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, movies)
      .map(([m]) => m),
  );
  const perUser = new Map<number, number>();
  for (let i = 0; i < table.length; i++) {
    if (kept.has(table.movieIds[i]!)) {
      perUser.set(table.userIds[i]!, (perUser.get(table.userIds[i]!) ?? 0) + 1);
    }
  }
  const out = new RatingsTableBuilder(table.length);
  for (let i = 0; i < table.length; i++) {
    const user = table.userIds[i]!;
    if (!kept.has(table.movieIds[i]!) || (perUser.get(user) ?? 0) < minPerUser) continue;
    out.push(user, table.movieIds[i]!, table.ratings[i]!, table.timestamps[i]!);
  }
  return out.finish();
}

/**
 * The users whose first rating is at or after `since` (Unix seconds), with all their ratings: a
 * population disjoint from the earlier users, rating a later catalogue. The "unseen" check of
 * issue 23 uses 2008-01-01 on ml-latest-small (270 of its 610 users): no default or grid was chosen
 * on this subset alone (its users were part of ml-latest-small, which the defaults were tuned on).
 */
export function usersSince(table: RatingsTable, since: number): RatingsTable {
  const first = new Map<number, number>();
  for (let i = 0; i < table.length; i++) {
    const user = table.userIds[i]!;
    const t = table.timestamps[i]!;
    if (t < (first.get(user) ?? Infinity)) first.set(user, t);
  }
  const out = new RatingsTableBuilder(table.length);
  for (let i = 0; i < table.length; i++) {
    const user = table.userIds[i]!;
    if (first.get(user)! < since) continue;
    out.push(user, table.movieIds[i]!, table.ratings[i]!, table.timestamps[i]!);
  }
  return out.finish();
}

/** Whole stars, as ml-100k and ml-1m have: a half star rounds up (3.5 → 4). */
export function wholeStars(table: RatingsTable): RatingsTable {
  const out = new RatingsTableBuilder(table.length);
  for (let i = 0; i < table.length; i++) {
    out.push(
      table.userIds[i]!,
      table.movieIds[i]!,
      Math.ceil(table.ratings[i]!),
      table.timestamps[i]!,
    );
  }
  return out.finish();
}
