/**
 * Test-only synthetic data: ratings drawn from a planted low-rank model so tests can check that ALS
 * recovers known structure. Every value is a hash of stable keys (no sequential RNG), so the data
 * is identical across runs and platforms.
 */
import { hash4, unitFromHash } from '../../lambdas/core/matrix/hash.ts';
import { RatingsTableBuilder, type RatingsTable } from '../../lambdas/core/ratings.ts';

/** Approximately standard normal (Irwin–Hall of four uniforms) from hashed keys. */
export function hashNormal(a: number, b: number, c: number, d: number): number {
  let s = 0;
  for (let t = 0; t < 4; t++) s += unitFromHash(hash4(a, b, c, d * 4 + t));
  return (s - 2) * Math.sqrt(3);
}

export interface PlantedOptions {
  users: number;
  items: number;
  rank: number;
  /** Fraction of (user, item) pairs observed. */
  density: number;
  /** Standard deviation of the rating noise (the RMSE floor). */
  noise: number;
  seed: number;
  /** Users whose rows are much denser (exercises long rows / several kernel chunks). */
  heavyUsers?: number;
}

export interface PlantedRatings {
  table: RatingsTable;
  /** The noiseless rating of a (userId, movieId) pair. */
  truth: (userId: number, movieId: number) => number;
}

/**
 * rating = 3 + b_u + b_i + u·v / sqrt(rank) + noise, with ids offset and spread out like
 * MovieLens (sparse) ids so id mapping is exercised too.
 */
export function plantedRatings(options: PlantedOptions): PlantedRatings {
  const { users, items, rank, density, noise, seed } = options;
  const userId = (u: number): number => 1 + u * 3;
  const movieId = (i: number): number => 10 + i * 7;
  const U = Float64Array.from({ length: users * rank }, (_, k) => hashNormal(seed, 1, k, 0));
  const V = Float64Array.from({ length: items * rank }, (_, k) => hashNormal(seed, 2, k, 0));
  const bu = Float64Array.from({ length: users }, (_, u) => 0.3 * hashNormal(seed, 3, u, 0));
  const bi = Float64Array.from({ length: items }, (_, i) => 0.3 * hashNormal(seed, 4, i, 0));
  const exact = (u: number, i: number): number => {
    let s = 0;
    for (let k = 0; k < rank; k++) s += U[u * rank + k]! * V[i * rank + k]!;
    return 3 + bu[u]! + bi[i]! + s / Math.sqrt(rank);
  };
  const builder = new RatingsTableBuilder();
  for (let u = 0; u < users; u++) {
    const p = u < (options.heavyUsers ?? 0) ? Math.min(1, density * 8) : density;
    for (let i = 0; i < items; i++) {
      if (unitFromHash(hash4(seed, u, i, 5)) >= p) continue;
      builder.push(
        userId(u),
        movieId(i),
        exact(u, i) + noise * hashNormal(seed, u, i, 6),
        u * 1000 + i,
      );
    }
  }
  return {
    table: builder.finish(),
    truth: (uid, mid) => exact((uid - 1) / 3, (mid - 10) / 7),
  };
}

/** RMSE of predictions against a table's ratings. */
export function rmseOf(
  table: RatingsTable,
  predictFn: (userId: number, movieId: number) => number,
): number {
  let sum = 0;
  for (let k = 0; k < table.length; k++) {
    const err = predictFn(table.userIds[k]!, table.movieIds[k]!) - table.ratings[k]!;
    sum += err * err;
  }
  return Math.sqrt(sum / table.length);
}
