import type { GeneratorParams } from './params.ts';
import { Rng, STREAM } from './random.ts';

/**
 * Draws movies by popularity. Popularity rank r has weight (r + offset + 1)^-exponent, and ranks are
 * dealt to movies by a seeded shuffle, so popular movies are spread over the id range.
 */
export class PopularitySampler {
  /** Cumulative weights by popularity rank. */
  private readonly cumulative: Float64Array;
  /** Movie index holding each popularity rank. */
  readonly movieByRank: Int32Array;
  /** Weight of each movie index (for weighted sampling without replacement). */
  readonly weightByMovie: Float64Array;

  constructor(params: GeneratorParams) {
    const { movies, seed } = params;
    const { popularityExponent, popularityOffset } = params.model;
    this.cumulative = new Float64Array(movies);
    this.weightByMovie = new Float64Array(movies);
    this.movieByRank = shuffledIndices(movies, Rng.for(seed, STREAM.popularityOrder));
    let total = 0;
    for (let rank = 0; rank < movies; rank++) {
      const weight = (rank + popularityOffset + 1) ** -popularityExponent;
      total += weight;
      this.cumulative[rank] = total;
      this.weightByMovie[this.movieByRank[rank]!] = weight;
    }
  }

  /** One movie index, with replacement. */
  sample(rng: Rng): number {
    const cumulative = this.cumulative;
    const target = rng.next() * cumulative[cumulative.length - 1]!;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! <= target) lo = mid + 1;
      else hi = mid;
    }
    return this.movieByRank[lo]!;
  }
}

function shuffledIndices(n: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/**
 * How many ratings each user makes: the minimum plus a Lomax (power-law) share of the rest, rounded so
 * the total is exactly `params.ratings`, and capped at the catalogue size (the excess goes to others).
 */
export function userActivityCounts(params: GeneratorParams): Int32Array {
  const { users, movies, ratings, minRatingsPerUser, seed } = params;
  const alpha = params.model.activityTailIndex;
  const weights = new Float64Array(users);
  for (let u = 0; u < users; u++) {
    const uniform = Rng.for(seed, STREAM.userActivity, u + 1).next();
    weights[u] = (1 - uniform) ** (-1 / alpha) - 1;
  }
  const counts = new Int32Array(users).fill(minRatingsPerUser);
  const capped = new Uint8Array(users);
  let remaining = ratings - users * minRatingsPerUser;
  // Water-filling: users whose share would exceed the catalogue are pinned at it and the rest is
  // redistributed; each round pins at least one user, and usually one round suffices.
  while (remaining > 0) {
    let totalWeight = 0;
    for (let u = 0; u < users; u++) if (!capped[u]) totalWeight += weights[u]!;
    const share = distribute(remaining, weights, capped, totalWeight);
    let pinned = 0;
    for (let u = 0; u < users; u++) {
      if (!capped[u] && minRatingsPerUser + share[u]! > movies) {
        capped[u] = 1;
        counts[u] = movies;
        remaining -= movies - minRatingsPerUser;
        pinned++;
      }
    }
    if (pinned > 0) continue;
    for (let u = 0; u < users; u++) if (!capped[u]) counts[u] = minRatingsPerUser + share[u]!;
    break;
  }
  return counts;
}

/** Splits `amount` in proportion to the weights with cumulative rounding: the parts sum exactly. */
function distribute(
  amount: number,
  weights: Float64Array,
  excluded: Uint8Array,
  totalWeight: number,
): Int32Array {
  const parts = new Int32Array(weights.length);
  const eligible = weights.length - excluded.reduce((a, b) => a + b, 0);
  let cumulative = 0;
  let given = 0;
  let seen = 0;
  for (let u = 0; u < weights.length; u++) {
    if (excluded[u]) continue;
    seen++;
    // All-zero weights (possible for tiny inputs) fall back to an even split.
    cumulative += totalWeight > 0 ? weights[u]! / totalWeight : 1 / eligible;
    const upTo = seen === eligible ? amount : Math.min(amount, Math.floor(cumulative * amount));
    parts[u] = upTo - given;
    given = upTo;
  }
  return parts;
}
