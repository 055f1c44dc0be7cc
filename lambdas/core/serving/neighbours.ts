import { TopNHeap, type AlsModel, type ScoredMovie } from '../als/index.ts';
import { drainScored } from './scored-list.ts';

/** Which movies a similar-movies list may hold, and how many. */
export interface SimilarOptions {
  n: number;
  /** The model's item-factor norms (`itemNorms`). */
  norms: Float32Array;
  /** Ratings per dense item. */
  support: ArrayLike<number>;
  minRatings: number;
  /** Per dense item, 1 = allowed (a genre filter); absent means every item. */
  allowed?: Uint8Array;
  /** Dense item indices never to return. */
  exclude?: ReadonlySet<number>;
}

/**
 * Movies closest to `movieId` by cosine of item factors, among movies with at least `minRatings`
 * ratings: the factors of a movie rated three times are mostly regularization noise, and without
 * the filter they crowd out the neighbours people recognise. [] for a movie the model lacks.
 * `allowed` and `exclude` filter the candidates without changing their order.
 */
export function similarWithSupport(
  model: AlsModel,
  movieId: number,
  options: SimilarOptions,
): ScoredMovie[] {
  const target = model.itemIds.indexOf(movieId);
  if (target < 0) return [];
  const { rank, itemFactors } = model;
  const vector = itemFactors.subarray(target * rank, (target + 1) * rank);
  return nearestByCosine(model, vector, options.norms[target]!, target, options);
}

/**
 * The model's movies closest by cosine to `vector` (in its item-factor space, of norm
 * `vectorNorm`), among those `options` let through; dense item `self` (-1: none) is never
 * returned. [] for a zero vector.
 */
export function nearestByCosine(
  model: AlsModel,
  vector: ArrayLike<number>,
  vectorNorm: number,
  self: number,
  options: SimilarOptions,
): ScoredMovie[] {
  if (!(vectorNorm > 0)) return [];
  const { rank, itemFactors } = model;
  const { norms, support, minRatings } = options;
  const heap = new TopNHeap(options.n);
  for (let i = 0; i < norms.length; i++) {
    const norm = norms[i]!;
    if (i === self || !(norm > 0) || (support[i] ?? 0) < minRatings) continue;
    if (options.allowed && options.allowed[i] !== 1) continue;
    if (options.exclude?.has(i)) continue;
    let s = 0;
    for (let k = 0; k < rank; k++) s += vector[k]! * itemFactors[i * rank + k]!;
    heap.offer(i, s / (vectorNorm * norm));
  }
  return drainScored(heap, (i) => model.itemIds.ids[i]!);
}

export interface ScoredUser {
  userId: number;
  score: number;
}

/**
 * Users the model expects to like `movieId` most, skipping those who rated it already: the
 * audience a campaign for the movie would target. Scores are the model's (unclamped) predictions.
 */
export function audienceForItem(
  model: AlsModel,
  movieId: number,
  options: { n: number; exclude: ReadonlySet<number> },
): ScoredUser[] {
  const item = model.itemIds.indexOf(movieId);
  if (item < 0) return [];
  const { rank, itemFactors, userFactors, userBias, itemBias } = model;
  const useBias = !model.options.implicit && model.options.biases && userBias && itemBias;
  const base = useBias ? model.globalMean + itemBias[item]! : 0;
  const heap = new TopNHeap(options.n);
  const io = item * rank;
  for (let u = 0; u < model.userIds.size; u++) {
    if (options.exclude.has(model.userIds.ids[u]!)) continue;
    let s = 0;
    for (let k = 0; k < rank; k++) s += userFactors[u * rank + k]! * itemFactors[io + k]!;
    heap.offer(u, useBias ? base + userBias[u]! + s : s);
  }
  return drainScored(heap, (u) => model.userIds.ids[u]!).map((m) => ({
    userId: m.movieId,
    score: m.score,
  }));
}
