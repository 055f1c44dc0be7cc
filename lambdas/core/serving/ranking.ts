import { TopNHeap, type AlsModel, type ScoredMovie, type UserVector } from '../als/index.ts';
import { drainScored } from './scored-list.ts';

/**
 * How serving turns model scores into a top-N list. An explicit ALS model predicts ratings, and the
 * highest predicted ratings belong to movies a handful of people loved: ranking by them alone
 * scored precision@10 0.024 on ml-latest-small against 0.116 for "most rated". Requiring some
 * support and adding a popularity prior fixes that (measured by `scripts/bench/serving-ranking.ts`,
 * numbers in docs/serving.md).
 */
export interface RankingPolicy {
  /** Movies with fewer ratings than this are never recommended. */
  readonly minRatings: number;
  /** Weight of `ln(1 + ratingCount)` added to the model score. */
  readonly popularityWeight: number;
}

/**
 * Chosen on ml-latest-small (docs/serving.md). Explicit scores are predicted stars: they need a
 * popularity prior to rank at all (precision@10 0.024 → 0.117, popularity alone 0.116). Implicit
 * scores already rank well (0.200); only the support filter helps them (0.202, best NDCG).
 */
export const EXPLICIT_RANKING_POLICY: RankingPolicy = { minRatings: 20, popularityWeight: 0.3 };
export const IMPLICIT_RANKING_POLICY: RankingPolicy = { minRatings: 20, popularityWeight: 0 };

export function rankingPolicyFor(model: AlsModel): RankingPolicy {
  return model.options.implicit ? IMPLICIT_RANKING_POLICY : EXPLICIT_RANKING_POLICY;
}

export interface RankRequest {
  readonly n: number;
  /** Ratings per dense item index (`model.itemIds` order). */
  readonly support: ArrayLike<number>;
  readonly policy?: RankingPolicy;
  /** Dense indices never to return (e.g. what the user rated), any order. */
  readonly exclude?: ReadonlySet<number>;
  /** Per dense item index, 1 = allowed (a genre filter); absent means every item. */
  readonly allowed?: Uint8Array;
}

/**
 * Top-N for a user vector under a ranking policy. Scores returned are the policy's blended scores,
 * so a list is ordered by its `score` field. One pass over the item factors: ~9k items × rank 20
 * on ml-latest-small is ~0.2 ms.
 */
export function rankForVector(
  model: AlsModel,
  user: UserVector,
  request: RankRequest,
): ScoredMovie[] {
  const policy = request.policy ?? rankingPolicyFor(model);
  const { rank, itemFactors, itemBias } = model;
  const useBias = !model.options.implicit && model.options.biases && itemBias !== undefined;
  const base = useBias ? model.globalMean + user.bias : 0;
  const heap = new TopNHeap(request.n);
  const itemCount = model.itemIds.size;
  const x = user.vector;
  for (let i = 0; i < itemCount; i++) {
    const count = request.support[i] ?? 0;
    if (count < policy.minRatings) continue;
    if (request.allowed && request.allowed[i] !== 1) continue;
    if (request.exclude?.has(i)) continue;
    const off = i * rank;
    let s = 0;
    for (let k = 0; k < rank; k++) s += x[k]! * itemFactors[off + k]!;
    const score =
      (useBias ? base + itemBias[i]! + s : s) + policy.popularityWeight * Math.log1p(count);
    heap.offer(i, score);
  }
  return drainScored(heap, (i) => model.itemIds.ids[i]!);
}

/** Ratings per dense item of `model`, from a movieId → count lookup (the catalogue's counts). */
export function supportByItem(
  model: AlsModel,
  ratingCount: (movieId: number) => number | undefined,
): Int32Array {
  const out = new Int32Array(model.itemIds.size);
  for (let i = 0; i < out.length; i++) out[i] = ratingCount(model.itemIds.ids[i]!) ?? 0;
  return out;
}
