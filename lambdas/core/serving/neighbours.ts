import { TopNHeap, type AlsModel, type ScoredMovie } from '../als/index.ts';

/**
 * Movies closest to `movieId` by cosine of item factors, among movies with at least `minRatings`
 * ratings: the factors of a movie rated three times are mostly regularization noise, and without
 * the filter they crowd out the neighbours people recognise. [] for a movie the model lacks.
 * `allowed` and `exclude` filter the candidates without changing their order.
 */
export function similarWithSupport(
  model: AlsModel,
  movieId: number,
  options: {
    n: number;
    norms: Float32Array;
    support: ArrayLike<number>;
    minRatings: number;
    /** Per dense item, 1 = allowed (a genre filter); absent means every item. */
    allowed?: Uint8Array;
    /** Dense item indices never to return. */
    exclude?: ReadonlySet<number>;
  },
): ScoredMovie[] {
  const target = model.itemIds.indexOf(movieId);
  if (target < 0) return [];
  const { rank, itemFactors } = model;
  const { norms, support, minRatings } = options;
  const targetNorm = norms[target]!;
  if (!(targetNorm > 0)) return [];
  const heap = new TopNHeap(options.n);
  const to = target * rank;
  for (let i = 0; i < norms.length; i++) {
    const norm = norms[i]!;
    if (i === target || !(norm > 0) || (support[i] ?? 0) < minRatings) continue;
    if (options.allowed && options.allowed[i] !== 1) continue;
    if (options.exclude?.has(i)) continue;
    let s = 0;
    for (let k = 0; k < rank; k++) s += itemFactors[to + k]! * itemFactors[i * rank + k]!;
    heap.offer(i, s / (targetNorm * norm));
  }
  return drain(heap, (i) => model.itemIds.ids[i]!);
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
  return drain(heap, (u) => model.userIds.ids[u]!).map((m) => ({
    userId: m.movieId,
    score: m.score,
  }));
}

function drain(heap: TopNHeap, idOf: (index: number) => number): ScoredMovie[] {
  const items = new Int32Array(heap.length);
  const scores = new Float32Array(heap.length);
  const count = heap.drainSorted(items, scores);
  const out: ScoredMovie[] = [];
  for (let k = 0; k < count; k++) out.push({ movieId: idOf(items[k]!), score: scores[k]! });
  return out;
}
