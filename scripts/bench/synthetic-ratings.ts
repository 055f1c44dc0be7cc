/**
 * Bench-only synthetic ratings, generated straight into typed arrays (the MovieLens-format generator
 * that writes folders to disk lives elsewhere). Shaped like ml-25m: ~155 ratings per user and ~420
 * per movie, power-law user activity (at least 20 ratings each) and movie popularity, distinct
 * (user, movie) pairs, half-star ratings from a planted rank-8 model plus noise.
 */
import type { RatingsTable } from '../../lambdas/core/ratings.ts';

/** xorshift32: fast and good enough for bench data (determinism here is per seed, not per id). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function gaussian(next: () => number): number {
  return (next() + next() + next() + next() - 2) * Math.sqrt(3);
}

/** Cumulative distribution of a Zipf-like law 1/(k + offset)^exponent over n ranks. */
function powerLawCdf(n: number, exponent: number, offset: number): Float64Array {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    total += 1 / (k + offset) ** exponent;
    cdf[k] = total;
  }
  for (let k = 0; k < n; k++) cdf[k]! /= total;
  return cdf;
}

function sampleCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function syntheticRatings(targetRatings: number, seed = 1): RatingsTable {
  const next = rng(seed);
  const users = Math.max(50, Math.round(targetRatings / 155));
  const items = Math.max(100, Math.round(targetRatings / 420));
  const plantedRank = 8;
  const U = Float32Array.from({ length: users * plantedRank }, () => gaussian(next) * 0.35);
  const V = Float32Array.from({ length: items * plantedRank }, () => gaussian(next) * 0.35);
  const bu = Float32Array.from({ length: users }, () => gaussian(next) * 0.35);
  const bi = Float32Array.from({ length: items }, () => gaussian(next) * 0.45);

  // Activity: 20 each, the rest spread by a power law; capped so sampling distinct items stays cheap.
  const minPerUser = Math.min(20, Math.floor(targetRatings / users));
  const activity = new Int32Array(users).fill(minPerUser);
  const cap = Math.floor(items / 2);
  const userCdf = powerLawCdf(users, 1.0, 50);
  for (let left = targetRatings - minPerUser * users; left > 0;) {
    const u = sampleCdf(userCdf, next());
    if (activity[u]! >= cap) continue;
    activity[u]!++;
    left--;
  }
  const popularity = powerLawCdf(items, 0.9, 20);
  // Shuffle which ids are popular, so popularity is not simply id order.
  const itemRank = Int32Array.from({ length: items }, (_, i) => i);
  for (let i = items - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [itemRank[i], itemRank[j]] = [itemRank[j]!, itemRank[i]!];
  }

  const total = activity.reduce((s, a) => s + a, 0);
  const userIds = new Int32Array(total);
  const movieIds = new Int32Array(total);
  const ratings = new Float32Array(total);
  const timestamps = new Float64Array(total);
  const stamp = new Int32Array(items).fill(-1);
  let k = 0;
  for (let u = 0; u < users; u++) {
    for (let n = 0; n < activity[u]!;) {
      const i = itemRank[sampleCdf(popularity, next())]!;
      if (stamp[i] === u) continue;
      stamp[i] = u;
      n++;
      let s = 3.5 + bu[u]! + bi[i]! + 0.6 * gaussian(next);
      for (let f = 0; f < plantedRank; f++) s += U[u * plantedRank + f]! * V[i * plantedRank + f]!;
      userIds[k] = u + 1;
      movieIds[k] = i + 1;
      ratings[k] = Math.min(5, Math.max(0.5, Math.round(s * 2) / 2));
      timestamps[k] = 1_000_000_000 + k;
      k++;
    }
  }
  return { length: total, userIds, movieIds, ratings, timestamps };
}
