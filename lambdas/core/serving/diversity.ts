import type { AlsModel } from '../als/index.ts';

/**
 * The diversity dial (`diversity=0..1` on the recommendation routes): re-rank the best candidates
 * by maximal marginal relevance (MMR, Carbonell & Goldstein 1998). The list is built greedily; at
 * each step the next movie is the candidate i (not yet picked) that maximises
 *
 *     (1 − d) · rel(i)  −  d · max_{j ∈ S} sim(i, j)
 *
 * where S is what has been picked so far, d the dial, sim the cosine of the two movies' item
 * factors in the ranking model (the implicit ALS: two movies whose factor rows point the same way
 * are liked by the same people), and rel the candidate's ranking score rescaled to [0, 1] over the
 * pool (the best candidate 1, the pool's worst 0, see `relevance`). The rescaling is what gives d a
 * meaning: the ranking score is "in no unit" (a blend of two standardised scores), while a cosine
 * lies in [−1, 1]; after it, d = 0.5 weighs "the best candidate versus the pool's worst" the same
 * as "an exact copy of a picked movie versus an unrelated one". While S is empty the penalty is 0,
 * so the first movie is always the best-scored one.
 *
 * d = 0 is today's list, untouched (not even rescaled: `diversify` returns it as given). d = 1
 * ignores the score once the first movie is picked: each next movie is the candidate least like
 * anything already in the list. Ties (equal values) go to the candidate ranked higher by score,
 * so the order is deterministic.
 */

/** The dial's range; the default is 0 (chosen on validation users, docs/benchmarks.md). */
export const DIVERSITY_MIN = 0;
export const DIVERSITY_MAX = 1;
export const DEFAULT_DIVERSITY = 0;

/**
 * The candidate pool is the top `DIVERSITY_POOL_FACTOR × n` of the score order: wide enough that a
 * top-10 can reach movies ranked ~100th, small enough that the cost stays a few milliseconds (each
 * pick updates every remaining candidate's max-similarity once: n · K · rank multiply-adds, 0.6 M
 * for a top-10 at rank 64; 6.4 M for the longest list, 100).
 */
export const DIVERSITY_POOL_FACTOR = 10;

/** How many candidates a list of `n` needs from the ranker: n itself when the dial is off. */
export function candidatePoolSize(n: number, diversity: number): number {
  return diversity > 0 ? n * DIVERSITY_POOL_FACTOR : n;
}

/** A dial value as a query string gives it: a plain decimal in [0, 1] ("0", "0.3", "1.0", ".5"). */
export function parseDiversityText(raw: string): number | undefined {
  if (!/^(\d{1,3}(\.\d{1,6})?|\.\d{1,6})$/.test(raw)) return undefined;
  const value = Number(raw);
  return isDiversity(value) ? value : undefined;
}

/** A dial value as a JSON body gives it: a finite number in [0, 1]. */
export function isDiversity(value: unknown): value is number {
  return typeof value === 'number' && value >= DIVERSITY_MIN && value <= DIVERSITY_MAX;
}

export const DIVERSITY_PROBLEM = `expected a number from ${DIVERSITY_MIN} to ${DIVERSITY_MAX}`;

/**
 * Ranking scores rescaled to [0, 1] over the pool: (s − min) / (max − min). A pool whose scores
 * are all equal gets 1 everywhere (only the penalty then decides).
 */
export function relevance(scores: ArrayLike<number>): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < scores.length; k++) {
    lo = Math.min(lo, scores[k]!);
    hi = Math.max(hi, scores[k]!);
  }
  const out = new Float64Array(scores.length);
  const range = hi - lo;
  for (let k = 0; k < scores.length; k++) out[k] = range > 0 ? (scores[k]! - lo) / range : 1;
  return out;
}

/**
 * Unit-length copies of the candidates' factor rows (K × rank), so a cosine is one dot product. A
 * candidate the model lacks (index < 0) or with an all-zero row gets zeros: similar to nothing.
 */
function unitRows(model: AlsModel, indices: ArrayLike<number>): Float64Array {
  const { rank, itemFactors } = model;
  const out = new Float64Array(indices.length * rank);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (i < 0) continue;
    let norm = 0;
    for (let f = 0; f < rank; f++) norm += itemFactors[i * rank + f]! ** 2;
    if (norm === 0) continue;
    const scale = 1 / Math.sqrt(norm);
    for (let f = 0; f < rank; f++) out[k * rank + f] = itemFactors[i * rank + f]! * scale;
  }
  return out;
}

/**
 * MMR over candidates given best first: returns the positions (into `indices`) of the n picked, in
 * pick order. `indices` are dense item indices of `model` (−1: unknown), `scores` their ranking
 * scores. Greedy and exact: each step scans every remaining candidate, then folds the new pick into
 * each remaining candidate's running max-similarity.
 */
export function mmrOrder(
  model: AlsModel,
  indices: ArrayLike<number>,
  scores: ArrayLike<number>,
  n: number,
  diversity: number,
): number[] {
  if (!isDiversity(diversity)) throw new RangeError(`diversity ${DIVERSITY_PROBLEM}`);
  const K = indices.length;
  const { rank } = model;
  const rel = relevance(scores);
  const unit = unitRows(model, indices);
  // max_{j ∈ S} sim(i, j) per candidate; 0 while S is empty (no penalty for the first pick).
  const maxSim = new Float64Array(K);
  const picked = new Uint8Array(K);
  const order: number[] = [];
  while (order.length < Math.min(n, K)) {
    let best = -1;
    let bestValue = -Infinity;
    for (let k = 0; k < K; k++) {
      if (picked[k]) continue;
      const value = (1 - diversity) * rel[k]! - diversity * maxSim[k]!;
      // Strictly greater: a tie keeps the earlier (higher-scored) candidate.
      if (value > bestValue) {
        best = k;
        bestValue = value;
      }
    }
    picked[best] = 1;
    order.push(best);
    const first = order.length === 1;
    for (let k = 0; k < K; k++) {
      if (picked[k]) continue;
      let dot = 0;
      for (let f = 0; f < rank; f++) dot += unit[k * rank + f]! * unit[best * rank + f]!;
      maxSim[k] = first ? dot : Math.max(maxSim[k]!, dot);
    }
  }
  return order;
}

/**
 * The first n of a scored list (best first) after the dial: at d = 0 exactly `items.slice(0, n)`;
 * otherwise MMR over all of `items` (the caller asks the ranker for `candidatePoolSize(n, d)`).
 * Items keep their own `score` (the ranking model's), so a diversified list is not sorted by it.
 */
export function diversify<T extends { movieId: number; score: number }>(
  model: AlsModel,
  items: readonly T[],
  n: number,
  diversity: number,
): T[] {
  if (diversity === 0) return items.slice(0, n);
  const indices = Int32Array.from(items, (item) => model.itemIds.indexOf(item.movieId));
  const scores = Float64Array.from(items, (item) => item.score);
  return mmrOrder(model, indices, scores, n, diversity).map((k) => items[k]!);
}

/**
 * Intra-list diversity: the mean over pairs of (1 − cosine) of the movies' item factors, in
 * [0, 2] (0: every movie points the same way; 1: unrelated on average). Movies the model lacks
 * are left out; a list with fewer than two known movies scores 0.
 */
export function intraListDiversity(model: AlsModel, movieIds: readonly number[]): number {
  const indices = movieIds.map((id) => model.itemIds.indexOf(id)).filter((i) => i >= 0);
  const unit = unitRows(model, indices);
  const { rank } = model;
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < indices.length; a++) {
    for (let b = a + 1; b < indices.length; b++) {
      let dot = 0;
      for (let f = 0; f < rank; f++) dot += unit[a * rank + f]! * unit[b * rank + f]!;
      sum += 1 - dot;
      pairs++;
    }
  }
  return pairs === 0 ? 0 : sum / pairs;
}
