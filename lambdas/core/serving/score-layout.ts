import { computeGram, ItemScorer, PANEL_ITEMS, type AlsModel } from '../als/index.ts';

/**
 * How a list walks the catalogue without scoring all of it (issue 22). A list's score of movie i
 * is s_i = w_f·f_i + a_i + b_i: the factor score f_i = x·y_i (a version-1 explicit model: the
 * predicted stars c + β_i + x·y_i), the neighbour part a_i, non-zero only on the neighbour
 * model's M movies, and the policy's bonus b_i. Off those M movies, Cauchy–Schwarz bounds the
 * factor score by the lengths alone, x·y_i ≤ ‖x‖·‖y_i‖, so
 *
 *     s_i ≤ w_f·(‖x‖·‖y_i‖ [+ c + β_i]) + b_i.
 *
 * The layout puts the M neighbour movies first (the head, scored for every list) and the rest in
 * order of decreasing ‖y_i‖, with suffix maxima of ‖y‖, β and b: once the bound at position p is
 * below the worst score a full top-N heap keeps, no movie at p or after can enter the list and
 * the walk stops. The list is the full scan's, not an approximation. On a 25M model the M = 2,000
 * most-rated movies carry the blend's neighbour part, and no other movie's bound reaches the
 * 50th score for any user sampled (docs/benchmarks.md): a list scores 2,000 movies, not 62,423.
 *
 * The blend divides the factor scores by their standard deviation over the whole catalogue, which
 * a pruned walk never sees. It comes from the moments instead: with s = Σᵢ yᵢ and G = YᵀY,
 *
 *     Σᵢ x·yᵢ = x·s,   Σᵢ (x·yᵢ)² = Σᵢ xᵀ yᵢ yᵢᵀ x = xᵀ G x,
 *
 * O(rank²) a list instead of a pass over n movies (`factorSpread`; with stars, the terms in c and
 * β expand the square the same way).
 */
export interface ScoreLayout {
  /** Position → dense item. */
  readonly order: Int32Array;
  /** Positions [0, head) are scored for every list: the neighbour movies, padded to a panel. */
  readonly head: number;
  /** Per position p: the largest ‖y‖ at positions ≥ p. */
  readonly normFrom: Float64Array;
  /** Per position p: the largest item bias β at positions ≥ p (0 for a model without stars). */
  readonly biasFrom: Float64Array;
  /** Per position p: the largest policy bonus at positions ≥ p; −∞ if all are ruled out (NaN). */
  readonly bonusFrom: Float64Array;
  /** The kernel with its panels in `order`. */
  readonly scorer: ItemScorer;
  readonly moments: FactorMoments;
}

/** What the factor scores' spread over the catalogue needs (see `factorSpread`). */
export interface FactorMoments {
  readonly count: number;
  /** s = Σᵢ yᵢ. */
  readonly itemSum: Float64Array;
  /** G = YᵀY, its upper triangle packed row by row (`computeGram`). */
  readonly gram: Float64Array;
  /** With stars only: Σ β_i, Σ β_i², t = Σ β_i·y_i. */
  readonly stars: { biasSum: number; biasSquares: number; biasWeighted: Float64Array } | null;
}

/** Whether a model's list scores are predicted stars (a version-1 explicit ranking model). */
export function scoresStars(ranking: AlsModel): boolean {
  return !ranking.options.implicit && ranking.options.biases && ranking.itemBias !== undefined;
}

/**
 * The layout of a ranking model whose neighbour movies are `neighbourItem` (dense indices, −1 for
 * a movie the factor model lacks) under a policy giving each dense item `bonus` (NaN: never
 * listed). `gram` is YᵀY when the caller already has it.
 */
export function buildScoreLayout(
  ranking: AlsModel,
  neighbourItem: Int32Array,
  bonus: Float64Array,
  gram?: Float64Array,
): ScoreLayout {
  const { rank, itemFactors } = ranking;
  const n = ranking.itemIds.size;
  // ‖y‖ in float64, not `itemNorms`' float32: a norm rounded down would let the bound fall
  // below a score by more than the walk's slack.
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let squares = 0;
    for (let k = 0; k < rank; k++) squares += itemFactors[i * rank + k]! ** 2;
    norms[i] = Math.sqrt(squares);
  }
  const inHead = new Uint8Array(n);
  const headItems: number[] = [];
  for (const i of neighbourItem) {
    if (i >= 0 && inHead[i] === 0) {
      inHead[i] = 1;
      headItems.push(i);
    }
  }
  const rest: number[] = [];
  for (let i = 0; i < n; i++) if (inHead[i] === 0) rest.push(i);
  rest.sort((a, b) => norms[b]! - norms[a]! || a - b);
  const order = Int32Array.from([...headItems, ...rest]);
  const head = Math.min(n, Math.ceil(headItems.length / PANEL_ITEMS) * PANEL_ITEMS);
  const stars = scoresStars(ranking);
  const normFrom = new Float64Array(n + 1);
  const biasFrom = new Float64Array(n + 1);
  const bonusFrom = new Float64Array(n + 1);
  bonusFrom[n] = -Infinity;
  biasFrom[n] = stars ? -Infinity : 0;
  for (let p = n - 1; p >= 0; p--) {
    const i = order[p]!;
    normFrom[p] = Math.max(normFrom[p + 1]!, norms[i]!);
    biasFrom[p] = stars ? Math.max(biasFrom[p + 1]!, ranking.itemBias![i]!) : 0;
    // Math.max of a NaN is NaN: a ruled-out movie (NaN bonus) must not lift or poison the bound.
    bonusFrom[p] = Number.isNaN(bonus[i])
      ? bonusFrom[p + 1]!
      : Math.max(bonusFrom[p + 1]!, bonus[i]!);
  }
  return {
    order,
    head,
    normFrom,
    biasFrom,
    bonusFrom,
    scorer: new ItemScorer(itemFactors, rank, order),
    moments: factorMoments(ranking, gram),
  };
}

function factorMoments(ranking: AlsModel, gram?: Float64Array): FactorMoments {
  const { rank, itemFactors } = ranking;
  const n = ranking.itemIds.size;
  const itemSum = new Float64Array(rank);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < rank; k++) itemSum[k] = itemSum[k]! + itemFactors[i * rank + k]!;
  if (!scoresStars(ranking)) {
    return { count: n, itemSum, gram: gram ?? computeGram(itemFactors, rank), stars: null };
  }
  const bias = ranking.itemBias!;
  let biasSum = 0;
  let biasSquares = 0;
  const biasWeighted = new Float64Array(rank);
  for (let i = 0; i < n; i++) {
    biasSum += bias[i]!;
    biasSquares += bias[i]! * bias[i]!;
    for (let k = 0; k < rank; k++)
      biasWeighted[k] = biasWeighted[k]! + bias[i]! * itemFactors[i * rank + k]!;
  }
  return {
    count: n,
    itemSum,
    gram: gram ?? computeGram(itemFactors, rank),
    stars: { biasSum, biasSquares, biasWeighted },
  };
}

/**
 * The standard deviation over the catalogue of the factor scores x·yᵢ (with stars: c + βᵢ + x·yᵢ,
 * c the global mean plus the user's bias), from the moments: mean m = S₁/n and
 * σ² = S₂/n − m², where
 *
 *     S₁ = x·s                      S₂ = xᵀGx                                  (no stars)
 *     S₁ = n·c + Σβ + x·s           S₂ = n·c² + 2c·Σβ + Σβ² + 2c·(x·s) + 2·(x·t) + xᵀGx
 *
 * the second by expanding (c + βᵢ + x·yᵢ)² and summing term by term.
 */
export function factorSpread(moments: FactorMoments, x: ArrayLike<number>, c = 0): number {
  const { count: n, itemSum, gram, stars } = moments;
  if (n === 0) return 0;
  const rank = itemSum.length;
  let xs = 0;
  for (let k = 0; k < rank; k++) xs += x[k]! * itemSum[k]!;
  // xᵀGx over the packed upper triangle: each off-diagonal entry stands for G_ab and G_ba.
  let xGx = 0;
  let p = 0;
  for (let a = 0; a < rank; a++) {
    let row = gram[p++]! * x[a]!;
    for (let b = a + 1; b < rank; b++) row += 2 * gram[p++]! * x[b]!;
    xGx += x[a]! * row;
  }
  let sum = xs;
  let squares = xGx;
  if (stars !== null) {
    let xt = 0;
    for (let k = 0; k < rank; k++) xt += x[k]! * stars.biasWeighted[k]!;
    sum = n * c + stars.biasSum + xs;
    squares = n * c * c + 2 * c * stars.biasSum + stars.biasSquares + 2 * c * xs + 2 * xt + xGx;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, squares / n - mean * mean));
}
