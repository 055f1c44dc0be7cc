/**
 * The list loops as they were before the scoring kernel (commit 636fb33), kept only as the
 * baseline of `scripts/bench/lists.ts`: one user (or movie) at a time, x·y in scalar JavaScript,
 * the policy's logarithm per movie per list. Same arithmetic per score as the kernel, so the bench
 * also checks that both give the same lists.
 */
import { TopNHeap, type ScoredMovie, type UserVector } from '../../lambdas/core/als/index.ts';
import type { AlsModel } from '../../lambdas/core/als/index.ts';
import type { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import type { NeighbourModel } from '../../lambdas/core/neighbours/model.ts';
import { ratingWeight } from '../../lambdas/core/neighbours/options.ts';
import type { ColdItems } from '../../lambdas/core/serving/cold-start.ts';
import {
  spread,
  type ListQuery,
  type Recommender,
} from '../../lambdas/core/serving/recommender.ts';
import { drainScored } from '../../lambdas/core/serving/scored-list.ts';

/** The pre-kernel `neighbourScores`. */
function neighbourScores(
  model: NeighbourModel,
  ids: IdMap,
  ratings: ListQuery['ratings'],
  out: Float64Array,
): number {
  const M = model.movieIds.length;
  out.fill(0, 0, M);
  let used = 0;
  for (const { movieId, rating } of ratings) {
    const i = ids.indexOf(movieId);
    if (i < 0) continue;
    used++;
    const x = ratingWeight(model.settings, rating);
    const base = i * M;
    for (let j = 0; j < M; j++) out[j]! += x * model.weights[base + j]!;
  }
  return used;
}

function scalarBlend(
  recommender: Recommender,
  user: UserVector,
  ratings: ListQuery['ratings'],
): Float64Array {
  const { ranking, neighbours, blend } = recommender;
  const { rank, itemFactors, itemBias } = ranking;
  const itemCount = ranking.itemIds.size;
  const scores = new Float64Array(itemCount);
  const x = user.vector;
  const useBias = !ranking.options.implicit && ranking.options.biases && itemBias !== undefined;
  const base = useBias ? ranking.globalMean + user.bias : 0;
  for (let i = 0; i < itemCount; i++) {
    const off = i * rank;
    let s = 0;
    for (let k = 0; k < rank; k++) s += x[k]! * itemFactors[off + k]!;
    scores[i] = useBias ? base + itemBias[i]! + s : s;
  }
  if (!neighbours || blend === 0) return scores;
  const M = neighbours.movieIds.length;
  const near = new Float64Array(M);
  if (neighbourScores(neighbours, recommender.neighbourIds!, ratings, near) === 0) return scores;
  const factorScale = spread(scores, 0, itemCount, 0);
  const neighbourScale = spread(near, 0, M, itemCount - M);
  const wf = factorScale > 0 ? (1 - blend) / factorScale : 0;
  const wn = neighbourScale > 0 ? blend / neighbourScale : 0;
  for (let i = 0; i < itemCount; i++) scores[i]! *= wf;
  for (let n = 0; n < M; n++) {
    const i = recommender.neighbourItem[n]!;
    if (i >= 0) scores[i]! += wn * near[n]!;
  }
  return scores;
}

/** The pre-kernel `recommendForVector`. */
export function scalarList(recommender: Recommender, query: ListQuery): ScoredMovie[] {
  const scores = scalarBlend(recommender, query.user, query.ratings);
  const { ranking, support, policy } = recommender;
  const heap = new TopNHeap(query.request.n);
  for (let i = 0; i < scores.length; i++) {
    const count = support[i] ?? 0;
    if (count < policy.minRatings) continue;
    if (query.request.exclude?.has(i)) continue;
    heap.offer(i, scores[i]! + policy.popularityWeight * Math.log1p(count));
  }
  return drainScored(heap, (i) => ranking.itemIds.ids[i]!);
}

/** The pre-kernel `similarItems` by dense index. */
export function scalarSimilar(
  model: AlsModel,
  target: number,
  n: number,
  norms: Float32Array,
): ScoredMovie[] {
  const { rank, itemFactors } = model;
  const targetNorm = norms[target]!;
  if (!(targetNorm > 0)) return [];
  const heap = new TopNHeap(n);
  const to = target * rank;
  for (let i = 0; i < norms.length; i++) {
    const norm = norms[i]!;
    if (i === target || !(norm > 0)) continue;
    let s = 0;
    for (let k = 0; k < rank; k++) s += itemFactors[to + k]! * itemFactors[i * rank + k]!;
    heap.offer(i, s / (targetNorm * norm));
  }
  return drainScored(heap, (i) => model.itemIds.ids[i]!);
}

/** The pre-kernel `coldCandidates`: x·ŷ of every accepted cold movie in scalar JavaScript. */
export function scalarCold(
  cold: ColdItems,
  user: ArrayLike<number>,
  n: number,
  accept: (movieId: number) => boolean,
): ScoredMovie[] {
  const { rank, vectors, movieIds } = cold;
  const heap = new TopNHeap(n);
  for (let c = 0; c < movieIds.length; c++) {
    if (!accept(movieIds[c]!)) continue;
    let s = 0;
    const off = c * rank;
    for (let k = 0; k < rank; k++) s += user[k]! * vectors[off + k]!;
    heap.offer(c, s);
  }
  return drainScored(heap, (c) => movieIds[c]!);
}
