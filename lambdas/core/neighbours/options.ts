/**
 * The item-neighbour model: EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data",
 * 2019) over the most-rated movies. It predicts a user's interest in movie j as a weighted sum of
 * what they rated, s_j = Σ_i x_i·B[i][j], with B the ridge regression of every movie's column on
 * all the others:
 *   B = argmin ‖X − XB‖² + λ‖B‖²  subject to diag(B) = 0
 * whose closed form is P = (XᵀX + λI)⁻¹, B[i][j] = −P[i][j] / P[j][j] (i ≠ j).
 * Only the M most-rated movies take part: XᵀX is M × M and its inverse costs M³, so M bounds the
 * cost whatever the catalogue size, and the long tail is ranked by the ALS factors instead.
 */
export interface NeighbourSettings {
  /** M: at most this many movies, the most rated first (ties: smaller id). */
  maxItems: number;
  /** Movies with fewer training ratings never take part. */
  minSupport: number;
  /** λ of the ridge regression (in units of rating weight², like XᵀX's entries). */
  reg: number;
  /** x = 1 + positiveBoost·[r ≥ positiveThreshold]: a liked movie says more than a watched one. */
  positiveBoost: number;
  positiveThreshold: number;
}

/**
 * Chosen on validation users (held-out-users protocol, three split seeds, ml-latest-small and an
 * ml-100k-shaped subset of it; table in lambdas/core/recommender/README.md): M = 2000 loses
 * < 0.5 % NDCG@100 against all 9k movies at 1/90 of the cost of inverting XᵀX; a liked movie
 * weighing 3 (boost 2) beats a binary X by ~4 % NDCG@100 and boost 1 by ~1 %; λ = 500 (in
 * weight² units: entries of XᵀX reach 9 per user) sits in the flat middle of 250–1000.
 */
export const DEFAULT_NEIGHBOUR_SETTINGS: Readonly<NeighbourSettings> = {
  maxItems: 2000,
  minSupport: 2,
  reg: 500,
  positiveBoost: 2,
  positiveThreshold: 4,
};

/**
 * The weight of one rating in X. A negative value −s is a dislike of strength s (serving/
 * dislikes.ts): weight −s, so a score subtracts s times the disliked movie's row of B.
 */
export function ratingWeight(settings: NeighbourSettings, rating: number): number {
  if (rating < 0) return rating;
  return rating >= settings.positiveThreshold ? 1 + settings.positiveBoost : 1;
}

export function resolveNeighbourSettings(
  overrides: Partial<NeighbourSettings> = {},
): NeighbourSettings {
  const resolved: NeighbourSettings = { ...DEFAULT_NEIGHBOUR_SETTINGS };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined && key in resolved) {
      (resolved as unknown as Record<string, unknown>)[key] = value;
    }
  }
  if (!Number.isInteger(resolved.maxItems) || resolved.maxItems < 0 || resolved.maxItems > 20_000) {
    throw new RangeError(
      `neighbour maxItems must be an integer in [0, 20000], got ${resolved.maxItems}`,
    );
  }
  if (!Number.isInteger(resolved.minSupport) || resolved.minSupport < 1) {
    throw new RangeError(
      `neighbour minSupport must be a positive integer, got ${resolved.minSupport}`,
    );
  }
  for (const name of ['reg', 'positiveBoost', 'positiveThreshold'] as const) {
    const v = resolved[name];
    if (!Number.isFinite(v) || v < 0)
      throw new RangeError(`neighbour ${name} must be ≥ 0, got ${v}`);
  }
  if (!(resolved.reg > 0)) throw new RangeError('neighbour reg must be > 0');
  return resolved;
}
