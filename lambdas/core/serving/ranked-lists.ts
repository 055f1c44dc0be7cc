import { TopNHeap, type ScoredMovie } from '../als/index.ts';
import { neighbourScores } from '../neighbours/model.ts';
import type { ListQuery, Recommender } from './recommender.ts';
import { buildScoreLayout, factorSpread, scoresStars, type ScoreLayout } from './score-layout.ts';
import { drainScored } from './scored-list.ts';

/** Users scored against the head of the catalogue per kernel call: their rows stay in cache. */
export const SCORE_BLOCK_ROWS = 32;

/**
 * Movies past the head scored per step for one list while their bound can still reach its heap:
 * large enough that the kernel call is worth it, small enough that the walk stops soon after the
 * bound does.
 */
const TAIL_STEP = 1024;

/**
 * The lists of many users at once (training's stored top-N; a batch of fold-ins): the head of the
 * catalogue (`ScoreLayout`) scored for SCORE_BLOCK_ROWS users a call of the SIMD kernel, each
 * user's blend and bounded heap over it, then, per user, the rest in decreasing bound until the
 * bound falls below their heap's floor. Each list is the one that user alone gets, and the one a
 * pass over every movie would give: the kernel's scores do not depend on the batch, the moments'
 * spread not on the walk, and the heap keeps the best (score, lowest index) whatever the order of
 * the offers.
 */
export function recommendForVectors(
  recommender: Recommender,
  queries: readonly ListQuery[],
): ScoredMovie[][] {
  const layout = scoreLayout(recommender);
  const { rank } = recommender.ranking;
  const rows = new Float64Array(Math.min(SCORE_BLOCK_ROWS, queries.length) * rank);
  const out: ScoredMovie[][] = [];
  for (let from = 0; from < queries.length; from += SCORE_BLOCK_ROWS) {
    const count = Math.min(SCORE_BLOCK_ROWS, queries.length - from);
    for (let r = 0; r < count; r++) rows.set(queries[from + r]!.user.vector, r * rank);
    // The head's scores of the whole batch; the tails below reuse the kernel's memory.
    const head = layout.scorer.scoreRange(rows, 0, count, 0, layout.head);
    const started = queries
      .slice(from, from + count)
      .map((query, r) => startList(recommender, layout, query, head, r * layout.head));
    for (const list of started) out.push(finishList(recommender, layout, list));
  }
  return out;
}

/** A list after its head: what its tail walk needs. */
interface StartedList {
  readonly query: ListQuery;
  readonly heap: TopNHeap;
  /** The factor scores' weight in the blend. */
  readonly wf: number;
  /** ‖x‖. */
  readonly length: number;
  /** c of a stars model (global mean + the user's bias), else 0. */
  readonly base: number;
}

const scratch = {
  neighbour: new Float64Array(0),
  /** Per dense item, wn·neighbour score for the M movies of the neighbour model, else 0. */
  addend: new Float64Array(0),
};

/**
 * One user's blend over the head, from their row of kernel dot products x·y (`raw` from
 * `offset`, in layout order).
 *
 * The blend puts both parts on one scale: score = (1 − w)/σ_f · factor + w/σ_n · neighbour, σ the
 * standard deviation over the catalogue (the neighbour part is 0 off its M movies, all of which
 * are in the head). The terms are added in a fixed order per movie,
 * ((factor·wf) + wn·neighbour) + bonus, so every path that ends here ranks a user the same.
 */
function startList(
  recommender: Recommender,
  layout: ScoreLayout,
  query: ListQuery,
  raw: Float64Array,
  offset: number,
): StartedList {
  const { ranking, neighbours, blend } = recommender;
  const itemCount = ranking.itemIds.size;
  const x = query.user.vector;
  // An explicit ranking model (a version-1 model published before bundles) scores predicted
  // stars c + β_i + x·y_i, exactly as `rankForVector` did; implicit scores are x·y alone.
  const base = scoresStars(ranking) ? ranking.globalMean + query.user.bias : 0;
  // Unblended, the score is factor·1 + 0: the same bits as the factor alone, for every value.
  let wf = 1;
  const M = neighbours?.movieIds.length ?? 0;
  if (scratch.neighbour.length < M) scratch.neighbour = new Float64Array(M);
  if (scratch.addend.length < itemCount) scratch.addend = new Float64Array(itemCount);
  const near = scratch.neighbour;
  const addend = scratch.addend;
  const target = recommender.neighbourItem;
  const blended =
    neighbours !== null &&
    blend !== 0 &&
    neighbourScores(neighbours, recommender.neighbourIds!, query.ratings, near, query.neighbourX) >
      0;
  if (blended) {
    const factorScale = factorSpread(layout.moments, x, base);
    const neighbourScale = spread(near, 0, M, itemCount - M);
    wf = factorScale > 0 ? (1 - blend) / factorScale : 0;
    const wn = neighbourScale > 0 ? blend / neighbourScale : 0;
    for (let n = 0; n < M; n++) if (target[n]! >= 0) addend[target[n]!] = wn * near[n]!;
  }
  let squares = 0;
  for (let k = 0; k < x.length; k++) squares += x[k]! * x[k]!;
  const list = { query, heap: new TopNHeap(query.request.n), wf, length: Math.sqrt(squares), base };
  offerRange(recommender, layout, list, raw, offset, 0, layout.head);
  // The addend stays all zeros between lists (and is zero on every tail movie).
  if (blended) for (let n = 0; n < M; n++) if (target[n]! >= 0) addend[target[n]!] = 0;
  return list;
}

/** The rest of a list: tail steps while the bound can reach the heap, then the sorted list. */
function finishList(
  recommender: Recommender,
  layout: ScoreLayout,
  list: StartedList,
): ScoredMovie[] {
  const itemCount = recommender.ranking.itemIds.size;
  const row = list.query.user.vector;
  for (let p = layout.head; p < itemCount; p += TAIL_STEP) {
    if (!mayEnter(layout, list, p)) break;
    const end = Math.min(itemCount, p + TAIL_STEP);
    const raw = layout.scorer.scoreRange(row, 0, 1, p, end);
    offerRange(recommender, layout, list, raw, 0, p, end);
  }
  return drainScored(list.heap, (i) => recommender.ranking.itemIds.ids[i]!);
}

/**
 * Whether any movie at position p or later could still enter the list: its score is at most
 * wf·(c + max β + ‖x‖·max ‖y‖) + max bonus over those positions (score-layout.ts). The slack
 * covers the rounding of the computed scores (a 64-term dot product in float64 is within about
 * 1e-14 of ‖x‖‖y‖'s bound), so a movie is only ever skipped when it provably cannot enter.
 */
function mayEnter(layout: ScoreLayout, list: StartedList, p: number): boolean {
  const floor = list.heap.floor;
  if (floor === -Infinity) return true;
  const factor = list.base + layout.biasFrom[p]! + list.length * layout.normFrom[p]!;
  const bonus = layout.bonusFrom[p]!;
  const bound = list.wf * factor + bonus;
  const slack =
    1e-9 *
    (Math.abs(list.wf) *
      (Math.abs(list.base) + Math.abs(layout.biasFrom[p]!) + list.length * layout.normFrom[p]!) +
      Math.abs(bonus));
  return bound + slack >= floor;
}

/** Offers the movies at positions [start, end), scored in `raw` from `offset`, to the heap. */
function offerRange(
  recommender: Recommender,
  layout: ScoreLayout,
  list: StartedList,
  raw: Float64Array,
  offset: number,
  start: number,
  end: number,
): void {
  const { order } = layout;
  const bonus = policyBonus(recommender);
  const addend = scratch.addend;
  const itemBias = recommender.ranking.itemBias;
  const stars = scoresStars(recommender.ranking);
  const { wf, heap, base } = list;
  const { allowed, exclude } = list.query.request;
  let floor = heap.floor;
  for (let p = start; p < end; p++) {
    const i = order[p]!;
    const dot = raw[offset + p - start]!;
    const factor = stars ? base + itemBias![i]! + dot : dot;
    // A movie the policy rules out has a NaN bonus, so a NaN score, which fails every test.
    const score = factor * wf + addend[i]! + bonus[i]!;
    // Most movies cannot beat the heap's worst once it is full: test that before the filters.
    if (!(score >= floor) || !heap.admits(i, score)) continue;
    if (allowed && allowed[i] !== 1) continue;
    if (exclude?.has(i)) continue;
    heap.offer(i, score);
    floor = heap.floor;
  }
}

/**
 * Standard deviation of values[from..from+count) together with `zeros` more zeros: the scale each
 * score source is divided by before the blend (also the pre-kernel baseline's, scripts/bench).
 */
export function spread(values: Float64Array, from: number, count: number, zeros: number): number {
  let sum = 0;
  let squares = 0;
  for (let i = from; i < from + count; i++) {
    sum += values[i]!;
    squares += values[i]! * values[i]!;
  }
  const n = count + Math.max(0, zeros);
  if (n === 0) return 0;
  const mean = sum / n;
  return Math.sqrt(Math.max(0, squares / n - mean * mean));
}

const bonuses = new WeakMap<Recommender, Float64Array>();

/**
 * Per dense item, what the policy adds to its score (popularityWeight·ln(1 + ratings)), NaN for
 * a movie with too little support to be recommended: computed once per recommender instead of a
 * logarithm per movie per list.
 */
function policyBonus(recommender: Recommender): Float64Array {
  let bonus = bonuses.get(recommender);
  if (bonus === undefined) {
    const { support, policy } = recommender;
    bonus = new Float64Array(recommender.ranking.itemIds.size);
    for (let i = 0; i < bonus.length; i++) {
      const count = support[i] ?? 0;
      bonus[i] = count < policy.minRatings ? NaN : policy.popularityWeight * Math.log1p(count);
    }
    bonuses.set(recommender, bonus);
  }
  return bonus;
}

const layouts = new WeakMap<Recommender, ScoreLayout>();

/** The recommender's layout, built on its first list and kept while it lives. */
export function scoreLayout(recommender: Recommender): ScoreLayout {
  let layout = layouts.get(recommender);
  if (layout === undefined) {
    layout = buildScoreLayout(
      recommender.ranking,
      recommender.neighbourItem,
      policyBonus(recommender),
      recommender.foldIn.gram,
    );
    layouts.set(recommender, layout);
  }
  return layout;
}
