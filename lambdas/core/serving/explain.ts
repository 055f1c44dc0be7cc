import { NormalEquation } from '../als/least-squares.ts';
import { choleskySolvePacked } from '../als/normal-equations.ts';
import { RowTerms } from '../als/row-terms.ts';
import { oneRowBlock } from '../matrix/csr.ts';
import { neighbourScores } from '../neighbours/model.ts';
import { ratingWeight } from '../neighbours/options.ts';
import { scoreLayout } from './ranked-lists.ts';
import { foldInRatings, spread, type Profile, type Recommender } from './recommender.ts';
import { factorSpread } from './score-layout.ts';

/**
 * "Because you rated …": how much each of a person's own movies contributed to the score of a
 * recommended movie. Both halves of the blend are linear in the person's movies, so the split is
 * exact, not a heuristic.
 *
 * **Factor part (ALS fold-in).** Folding a person in solves one row of ALS (`foldInUser`):
 *
 *   A x = b,   A = α₀·YᵀY + Σ_j w_j·z_j z_jᵀ + λI,   b = Σ_j t_j·z_j
 *
 * over the person's movies j, with z_j = y_j (the movie's factor; [y_j, 1] for an explicit model
 * with biases, whose x then ends in the user bias), and each movie's weight w_j and target t_j
 * from `RowTerms`: implicit t_j = c_j·p_j (confidence c_j = 1 + α|r_j| times preference
 * p_j = [r_j > 0]), explicit t_j = r_j − μ − b_j. A depends on every movie, but once it is fixed
 * x is linear in b:
 *
 *   x = A⁻¹ b = Σ_j t_j · A⁻¹ z_j
 *
 * so the factor score of movie i, z_i·x (x·y_i, plus b_u for explicit), splits exactly as
 *
 *   z_i·x = Σ_j t_j · z_iᵀ A⁻¹ z_j.
 *
 * One solve A v_i = z_i per listed movie (A is factored once) gives every term as t_j·(v_i·z_j),
 * since A is symmetric. A dislike (t_j = 0) or an implicit rating ≤ 0 has no term of its own: it
 * acts only through A, turning x away from its movie (dislikes.ts), which moves every other term.
 *
 * **Neighbour part (EASE).** The neighbour score is already a sum over the person's movies:
 * s_i = Σ_j x_j·B[j][i], x_j = ratingWeight(r_j) (3 for a liked movie, 1 otherwise, −1 for a
 * dislike), so movie j's part is x_j·B[j][i].
 *
 * **The blend** (ranked-lists.ts) is score_i = w_f·factor_i + w_n·s_i + bonus_i with
 * w_f = (1 − w)/σ_factor and w_n = w/σ_neighbour, the spreads over the whole catalogue for this
 * person. Movie j's part of score_i is therefore
 *
 *   part_ij = w_f · t_j · z_iᵀ A⁻¹ z_j + w_n · x_j · B[j][i]
 *
 * and Σ_j part_ij + base_i = score_i, where base_i is what no movie of the person accounts for:
 * the policy's popularity bonus, and for an explicit model w_f·(μ + b_i).
 *
 * A person the model was trained on (a stored or on-line list) was ranked with their trained
 * vector, which came out of training's last half-steps rather than one solve against today's item
 * factors; their explanation is the fold-in of their current ratings, the vector they would get
 * folded in now. It explains why the model ranks these movies for these ratings, not the exact
 * score of the stored list, whose order is kept as it is.
 */
export interface ScoreExplanation {
  readonly movieId: number;
  /** Each of the person's movies' part of the score, largest first (score units, may be < 0). */
  readonly parts: readonly { movieId: number; part: number }[];
  /** The part of the score no movie of the person accounts for (see above). */
  readonly base: number;
}

/** The movies behind a recommendation, as `because` lists them. */
export interface Because {
  readonly movieId: number;
  /** The movie's part over the sum of all positive parts of the item's score (0, 1]. */
  readonly share: number;
}

/** How many of the person's movies a `because` list names, at most. */
export const BECAUSE_MOVIES = 3;

/**
 * A movie with a smaller share of the positive parts is not named (the largest always is): with
 * three favourites every one of them has some positive part in most scores, and "because you
 * rated A, B, C" with C at 3 % says less than "because you rated A, B".
 */
export const BECAUSE_MIN_SHARE = 0.1;

/**
 * The exact split of each of `movieIds`' blended scores over the person's movies (see above), for
 * the person `profile` describes, as `recommendForProfile` folds them in. A movie the ranking
 * model lacks, or a profile the model knows nothing of, gets no parts.
 */
export function explainScores(
  recommender: Recommender,
  profile: Profile,
  movieIds: readonly number[],
): ScoreExplanation[] {
  const { factor: ratings, neighbour: nearRatings } = foldInRatings(recommender, profile);
  const none = () => movieIds.map((movieId) => ({ movieId, parts: [], base: 0 }));
  const system = foldInSystem(recommender, ratings);
  if (system === null) return none();
  const { ranking, neighbours, blend, policy, support } = recommender;
  const { rank, itemFactors, itemIds } = ranking;
  const { cols, targets, factor: U, x, d } = system;
  const biasFeature = d > rank;

  // The blend weights, exactly as the list forms them (ranked-lists.ts) for the folded-in vector
  // x (rounded to float32, as the solver stores factors): the spread of x·y (explicit: predicted
  // stars) over every movie, from the catalogue's moments, and the spread of the neighbour scores.
  const itemCount = itemIds.size;
  const row = new Float64Array(rank);
  for (let k = 0; k < rank; k++) row[k] = Math.fround(x[k]!);
  const stars = biasFeature && ranking.itemBias !== undefined;
  const userBias = biasFeature ? Math.fround(x[rank]!) : 0;
  const M = neighbours?.movieIds.length ?? 0;
  const near = new Float64Array(M);
  let wf = 1;
  let wn = 0;
  const blended =
    neighbours !== null &&
    blend !== 0 &&
    neighbourScores(neighbours, recommender.neighbourIds!, nearRatings, near) > 0;
  if (blended) {
    const base = stars ? ranking.globalMean + userBias : 0;
    const factorScale = factorSpread(scoreLayout(recommender).moments, row, base);
    const neighbourScale = spread(near, 0, M, itemCount - M);
    wf = factorScale > 0 ? (1 - blend) / factorScale : 0;
    wn = neighbourScale > 0 ? blend / neighbourScale : 0;
  }
  // One slot per movie of the person that has a part: those the factor model knows (in the
  // solve's column order), then those only the neighbour model knows.
  const slotOf = new Map<number, number>();
  const slotIds: number[] = [];
  const slot = (movieId: number) => {
    let s = slotOf.get(movieId);
    if (s === undefined) slotOf.set(movieId, (s = slotIds.push(movieId) - 1));
    return s;
  };
  for (let j = 0; j < cols.length; j++) slot(itemIds.ids[cols[j]!]!);
  // The person's movies in the neighbour model: their row of B and weight x_j.
  const nearSlots: number[] = [];
  const nearRows: number[] = [];
  const nearWeights: number[] = [];
  if (blended) {
    for (const { movieId, rating, weight } of nearRatings) {
      const n = recommender.neighbourIds!.indexOf(movieId);
      if (n < 0) continue;
      nearSlots.push(slot(movieId));
      nearRows.push(n * M);
      nearWeights.push(wn * ratingWeight(neighbours.settings, rating) * (weight ?? 1));
    }
  }

  const v = new Float64Array(d);
  const parts = new Float64Array(slotIds.length);
  const order = Array.from(slotIds, (_, k) => k);
  return movieIds.map((movieId) => {
    const i = itemIds.indexOf(movieId);
    if (i < 0) return { movieId, parts: [], base: 0 };
    parts.fill(0);
    // v = A⁻¹ z_i; movie j's factor part is w_f · t_j · (v·z_j).
    for (let k = 0; k < rank; k++) v[k] = itemFactors[i * rank + k]!;
    if (biasFeature) v[rank] = 1;
    solveFactored(U, d, v);
    for (let j = 0; j < cols.length; j++) {
      if (targets[j] === 0) continue;
      const offset = cols[j]! * rank;
      let dot = biasFeature ? v[rank]! : 0;
      for (let k = 0; k < rank; k++) dot += v[k]! * itemFactors[offset + k]!;
      parts[j] = wf * targets[j]! * dot;
    }
    // Movie j's neighbour part: w_n · x_j · B[j][i].
    const n = blended ? recommender.neighbourIds!.indexOf(movieId) : -1;
    if (n >= 0) {
      const B = neighbours!.weights;
      for (let r = 0; r < nearSlots.length; r++) {
        parts[nearSlots[r]!]! += nearWeights[r]! * B[nearRows[r]! + n]!;
      }
    }
    order.sort((a, b) => parts[b]! - parts[a]! || slotIds[a]! - slotIds[b]!);
    const bonus = policy.popularityWeight * Math.log1p(support[i] ?? 0);
    const constant = stars ? wf * (ranking.globalMean + ranking.itemBias![i]!) : 0;
    return {
      movieId,
      // A movie with no term at all (a dislike outside the neighbour model) has no part.
      parts: order
        .filter((k) => k >= cols.length || targets[k] !== 0 || parts[k] !== 0)
        .map((k) => ({ movieId: slotIds[k]!, part: parts[k]! })),
      base: bonus + constant,
    };
  });
}

/**
 * The movies a `because` list names: the `top` largest positive parts, each as its share of all
 * the positive parts of the score (so shares are comparable between items and sum to at most 1),
 * rounded to 3 decimals; past the first, only shares of at least `minShare`. Movies that pulled
 * the score down are never named.
 */
export function becauseOf(
  explanation: ScoreExplanation,
  top = BECAUSE_MOVIES,
  minShare = BECAUSE_MIN_SHARE,
): Because[] {
  let positive = 0;
  for (const { part } of explanation.parts) if (part > 0) positive += part;
  if (!(positive > 0)) return [];
  return explanation.parts
    .filter(({ part }, k) => part > 0 && (k === 0 || part / positive >= minShare))
    .slice(0, top)
    .map(({ movieId, part }) => ({ movieId, share: Math.round((part / positive) * 1000) / 1000 }));
}

/**
 * The fold-in's normal equations for `ratings`, built by the very code a training row and
 * `foldInUser` use (`RowTerms`, `NormalEquation`: same terms, same summation order), A factored
 * by Cholesky in place, and x solved. null when the model knows none of the movies or A is
 * singular (the fold-in then gives a zero vector: nothing to explain).
 */
function foldInSystem(
  recommender: Recommender,
  ratings: readonly { movieId: number; rating: number; weight?: number }[],
): {
  cols: Int32Array;
  targets: Float64Array;
  factor: Float64Array;
  x: Float64Array;
  d: number;
} | null {
  const { ranking } = recommender;
  const { options, itemIds, rank } = ranking;
  // As `foldInUser`: known movies with a finite rating, a later entry for a movie wins, and an
  // implicit model's confidence times the rating's weight (the recency weight).
  const byItem = new Map<number, number>();
  const weights = new Map<number, number>();
  for (const { movieId, rating, weight } of ratings) {
    const i = itemIds.indexOf(movieId);
    if (i < 0 || !Number.isFinite(rating)) continue;
    byItem.set(i, rating);
    if (options.implicit && weight !== undefined && weight !== 1) weights.set(i, weight);
    else weights.delete(i);
  }
  if (byItem.size === 0) return null;
  const block = oneRowBlock(byItem, itemIds.size, weights);
  const cols = block.colIdx;
  const settings = { ...options, solver: 'cholesky' as const };
  const biases = settings.biases;
  const terms = new RowTerms(
    settings,
    block,
    biases ? ranking.globalMean : 0,
    biases ? (ranking.itemBias ?? null) : null,
  );
  const n = terms.fillRow(0, cols.length);
  const equation = new NormalEquation(rank, biases);
  equation.addEntries(
    ranking.itemFactors,
    cols,
    0,
    cols.length,
    terms.unitWeights ? null : terms.weights,
    terms.targets,
  );
  if (settings.implicit) equation.merge(unobservedGram(recommender));
  equation.regularize(terms.penalty(n), settings.biasReg);
  const factor = equation.ata;
  const x = equation.atb;
  if (!choleskySolvePacked(factor, equation.d, x)) return null;
  return { cols, targets: terms.targets.slice(0, cols.length), factor, x, d: equation.d };
}

const unobservedGrams = new WeakMap<Recommender, Float64Array>();

/** α₀·YᵀY, the start of every row's A (as `solveBlock` scales it), once per recommender. */
function unobservedGram(recommender: Recommender): Float64Array {
  let scaled = unobservedGrams.get(recommender);
  if (scaled === undefined) {
    const gram = recommender.foldIn.gram!;
    const alpha0 = recommender.ranking.options.unobservedWeight;
    scaled = alpha0 === 1 ? gram : gram.map((g) => g * alpha0);
    unobservedGrams.set(recommender, scaled);
  }
  return scaled;
}

/**
 * Solves A v = rhs in place, given A's Cholesky factor U (A = UᵀU, packed upper triangle, as
 * `choleskySolvePacked` leaves it): forward substitution Uᵀw = rhs, then back substitution
 * U v = w — the two triangular halves of that function, d² work per right-hand side.
 */
function solveFactored(U: Float64Array, d: number, rhs: Float64Array): void {
  let pk = 0;
  for (let k = 0; k < d; k++) {
    const yk = rhs[k]! / U[pk]!;
    rhs[k] = yk;
    for (let t = 1; t < d - k; t++) rhs[k + t]! -= U[pk + t]! * yk;
    pk += d - k;
  }
  for (let k = d - 1; k >= 0; k--) {
    pk -= d - k;
    let s = rhs[k]!;
    for (let t = 1; t < d - k; t++) s -= U[pk + t]! * rhs[k + t]!;
    rhs[k] = s / U[pk]!;
  }
}
