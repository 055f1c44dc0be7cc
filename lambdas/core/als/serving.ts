import { oneRowBlock } from '../matrix/csr.ts';
import { SolverScratch, solveBlock, unobservedGram } from './block-solver.ts';
import { computeGram } from './gram.ts';
import { itemScorerFor } from './item-scorer.ts';
import type { AlsModel } from './model.ts';
import { TopNHeap } from './top-n-heap.ts';

/** A recommendation or neighbour: the external movie id and its score. */
export interface ScoredMovie {
  movieId: number;
  score: number;
}

/** Dense-index top-N result, best first; `count` may be below N when few items qualify. */
export interface TopNResult {
  items: Int32Array;
  scores: Float32Array;
  count: number;
}

/** A user's latent representation: a factor vector and (explicit models with biases) a bias. */
export interface UserVector {
  vector: Float32Array | Float64Array;
  bias: number;
}

/**
 * Best `n` items for a user vector, skipping `excludeSorted` (ascending dense item indices, e.g.
 * the user's CSR row of seen items; walked in step with the item loop, so exclusion costs O(1)
 * per item and allocates nothing). Scores are unclamped predicted ratings
 * (mean + user bias + item bias + x·y) for explicit models and x·y for implicit ones.
 */
export function topNForVector(
  model: AlsModel,
  user: UserVector,
  n: number,
  excludeSorted: ArrayLike<number> = EMPTY,
  heap: TopNHeap = new TopNHeap(n),
): TopNResult {
  scoreIntoHeap(model, user.vector, 0, user.bias, excludeSorted, 0, excludeSorted.length, heap);
  const items = new Int32Array(heap.length);
  const scores = new Float32Array(heap.length);
  const count = heap.drainSorted(items, scores);
  return { items, scores, count };
}

const EMPTY = new Int32Array(0);

/** Offers every non-excluded item's score for the user vector at `x[offset..offset+rank)`. */
function scoreIntoHeap(
  model: AlsModel,
  x: Float32Array | Float64Array,
  offset: number,
  userBias: number,
  exclude: ArrayLike<number>,
  excludeFrom: number,
  excludeTo: number,
  heap: TopNHeap,
): void {
  const { rank, itemFactors, itemBias } = model;
  const useBias = !model.options.implicit && model.options.biases && itemBias !== undefined;
  const base = useBias ? model.globalMean + userBias : 0;
  const itemCount = model.itemIds.size;
  let next = excludeFrom;
  for (let i = 0; i < itemCount; i++) {
    while (next < excludeTo && exclude[next]! < i) next++;
    if (next < excludeTo && exclude[next] === i) continue;
    const off = i * rank;
    let s = 0;
    for (let k = 0; k < rank; k++) s += x[offset + k]! * itemFactors[off + k]!;
    heap.offer(i, useBias ? base + itemBias[i]! + s : s);
  }
}

/** The stored representation of a known user, or null for an unknown id. */
export function userVector(model: AlsModel, userId: number): UserVector | null {
  const u = model.userIds.indexOf(userId);
  if (u < 0) return null;
  return {
    vector: model.userFactors.subarray(u * model.rank, (u + 1) * model.rank),
    bias: model.userBias ? model.userBias[u]! : 0,
  };
}

/** Sorted, de-duplicated dense indices of the known movies among `movieIds`. */
export function denseItemIndices(model: AlsModel, movieIds: ArrayLike<number>): Int32Array {
  const out: number[] = [];
  for (let k = 0; k < movieIds.length; k++) {
    const i = model.itemIds.indexOf(movieIds[k]!);
    if (i >= 0) out.push(i);
  }
  const sorted = Int32Array.from(out).sort();
  return sorted.filter((v, k) => k === 0 || v !== sorted[k - 1]);
}

function toScoredMovies(model: AlsModel, result: TopNResult): ScoredMovie[] {
  const out: ScoredMovie[] = [];
  for (let k = 0; k < result.count; k++) {
    out.push({ movieId: model.itemIds.ids[result.items[k]!]!, score: result.scores[k]! });
  }
  return out;
}

/**
 * Top-N movies for a known user, excluding `seenMovieIds`. An unknown user of an explicit model
 * gets the bias-only ranking (mean + item bias); of an implicit model, an empty list (use
 * `foldInUser` for new users).
 */
export function recommendForUser(
  model: AlsModel,
  userId: number,
  n: number,
  seenMovieIds: ArrayLike<number> = EMPTY,
): ScoredMovie[] {
  const known = userVector(model, userId);
  if (!known && model.options.implicit) return [];
  const user = known ?? { vector: new Float32Array(model.rank), bias: 0 };
  return toScoredMovies(
    model,
    topNForVector(model, user, n, denseItemIndices(model, seenMovieIds)),
  );
}

/** Euclidean norm of every item factor; compute once per model and reuse for similarity queries. */
export function itemNorms(model: AlsModel): Float32Array {
  const { rank, itemFactors } = model;
  const out = new Float32Array(model.itemIds.size);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let k = 0; k < rank; k++) s += itemFactors[i * rank + k]! ** 2;
    out[i] = Math.sqrt(s);
  }
  return out;
}

/** Movies most similar to `movieId` by cosine of item factors (itself excluded); [] if unknown. */
export function similarItems(
  model: AlsModel,
  movieId: number,
  n: number,
  norms: Float32Array = itemNorms(model),
): ScoredMovie[] {
  const target = model.itemIds.indexOf(movieId);
  if (target < 0) return [];
  return similarItemsOfRows(model, Int32Array.of(target), n, norms)[0]!;
}

/** Target movies whose dot products one kernel call computes (see SCORE_BLOCK_ROWS). */
const SIMILAR_BLOCK_ROWS = 32;

/**
 * `similarItems` for many movies at once (training's stored lists), by dense index: the dot
 * products of SIMILAR_BLOCK_ROWS targets with every movie per call of the SIMD kernel, then a
 * bounded heap per target. The kernel's sums do not depend on the batch, so each list is the one
 * `similarItems` gives that movie alone.
 */
export function similarItemsOfRows(
  model: AlsModel,
  targets: Int32Array,
  n: number,
  norms: Float32Array = itemNorms(model),
): ScoredMovie[][] {
  const { rank, itemFactors } = model;
  const scorer = itemScorerFor(itemFactors, rank);
  const rows = new Float32Array(Math.min(SIMILAR_BLOCK_ROWS, targets.length) * rank);
  const heap = new TopNHeap(n);
  const out: ScoredMovie[][] = [];
  for (let from = 0; from < targets.length; from += SIMILAR_BLOCK_ROWS) {
    const count = Math.min(SIMILAR_BLOCK_ROWS, targets.length - from);
    for (let r = 0; r < count; r++) {
      const t = targets[from + r]!;
      rows.set(itemFactors.subarray(t * rank, (t + 1) * rank), r * rank);
    }
    const dots = scorer.score(rows, 0, count);
    for (let r = 0; r < count; r++) {
      const target = targets[from + r]!;
      const targetNorm = norms[target]!;
      if (!(targetNorm > 0)) {
        out.push([]);
        continue;
      }
      const offset = r * scorer.rowStride;
      // cos(t, i) = (y_t·y_i) / (‖y_t‖·‖y_i‖); a zero vector has no direction and is skipped.
      // Most movies cannot beat the heap's worst once it is full: test that before the call.
      let floor = heap.floor;
      for (let i = 0; i < norms.length; i++) {
        const norm = norms[i]!;
        if (i === target || !(norm > 0)) continue;
        const score = dots[offset + i]! / (targetNorm * norm);
        if (!(score >= floor) || !heap.admits(i, score)) continue;
        heap.offer(i, score);
        floor = heap.floor;
      }
      const items = new Int32Array(heap.length);
      const scores = new Float32Array(heap.length);
      const kept = heap.drainSorted(items, scores);
      out.push(toScoredMovies(model, { items, scores, count: kept }));
    }
  }
  return out;
}

/** What a new user tells us: explicit ratings and/or favourite movies. */
export interface FoldInInput {
  /**
   * `weight` (implicit models; default 1) multiplies the rating's confidence c = 1 + α|r|: how
   * much the fold-in trusts it (a recency weight). Explicit models ignore it.
   */
  ratings?: readonly { movieId: number; rating: number; weight?: number }[];
  /** Favourites count as a top rating (explicit models) or a positive interaction (implicit). */
  favourites?: readonly number[];
}

export interface FoldInOptions {
  /** Rating a favourite stands for in explicit models; default the model's ratingMax. */
  favouriteRating?: number;
  /** Precomputed `computeGram(model.itemFactors, model.rank)` for implicit models. */
  gram?: Float64Array;
}

/**
 * What fold-in keeps per model between calls: the row solver's buffers (a NormalEquation of the
 * model's rank) and α₀·YᵀY of the gram it was given — the same values each call would form.
 */
const foldInScratch = new WeakMap<
  AlsModel,
  { scratch: SolverScratch; gram?: Float64Array; weight?: number; unobserved?: Float64Array }
>();

/**
 * Factors for a user the model has not seen, with item factors held fixed: exactly the user
 * half-step of training applied to one row (same regularization, same bias handling), so a new
 * user is treated like a trained one without retraining. Unknown movie ids are ignored; when the
 * same movie appears twice the later entry wins.
 */
export function foldInUser(
  model: AlsModel,
  input: FoldInInput,
  options: FoldInOptions = {},
): UserVector & { used: number } {
  const implicit = model.options.implicit;
  const byItem = new Map<number, number>();
  const weights = new Map<number, number>();
  for (const { movieId, rating, weight } of input.ratings ?? []) {
    const i = model.itemIds.indexOf(movieId);
    if (i < 0 || !Number.isFinite(rating)) continue;
    byItem.set(i, rating);
    if (implicit && weight !== undefined && weight !== 1) weights.set(i, weight);
    else weights.delete(i);
  }
  const favouriteRating = implicit ? 1 : (options.favouriteRating ?? model.options.ratingMax);
  for (const movieId of input.favourites ?? []) {
    const i = model.itemIds.indexOf(movieId);
    if (i >= 0) {
      byItem.set(i, favouriteRating);
      weights.delete(i);
    }
  }
  const block = oneRowBlock(byItem, model.itemIds.size, weights);
  let kept = foldInScratch.get(model);
  if (!kept) foldInScratch.set(model, (kept = { scratch: new SolverScratch() }));
  const gram = implicit ? (options.gram ?? computeGram(model.itemFactors, model.rank)) : undefined;
  const weight = model.options.unobservedWeight;
  if (gram && (kept.gram !== gram || kept.weight !== weight)) {
    Object.assign(kept, { gram, weight, unobserved: unobservedGram(gram, weight) });
  }
  const solved = solveBlock(
    {
      block,
      fixedFactors: model.itemFactors,
      fixedBias: model.itemBias,
      globalMean: model.globalMean,
      gram,
      ...(gram ? { unobservedGram: kept.unobserved! } : {}),
    },
    { ...model.options, solver: 'cholesky' },
    kept.scratch,
  );
  return {
    vector: solved.factors,
    bias: solved.bias ? solved.bias[0]! : 0,
    used: block.colIdx.length,
  };
}
