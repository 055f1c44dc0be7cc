import type { AlsModel } from '../als/index.ts';

/**
 * A dislike as a negative signal in a person's fold-in. It enters the profile as the rating
 * value −s (s = `DISLIKE_STRENGTH`), which both halves of the ranking blend already read:
 *
 * Implicit ALS (core/als/row-terms.ts): a rated entry r is the squared error c·(p − x·y)² with
 * confidence c = 1 + α|r| and preference p = [r > 0]. For r = −s that is (1 + α·s)·(0 − x·y_d)²:
 * the fold-in solve pulls the person's x·y_d toward 0 with more weight than any unrated movie
 * (α₀ ≤ 1), so x turns away from y_d — and every movie whose factors point like d's (its close
 * neighbours) scores lower, while a movie orthogonal to y_d keeps its factor score. The dislike
 * counts in no positive count, so the row's penalty λ is unchanged.
 *
 * EASE neighbours (core/neighbours/options.ts `ratingWeight`): the score s_j = Σ_i x_i·B[i][j]
 * takes x_d = −s, i.e. it subtracts s times row d of B: the movies the model predicts from d (its
 * neighbours, B[d][j] > 0) go down by s·B[d][j]; a movie with B[d][j] = 0 is untouched.
 *
 * Only an implicit ranking model reads negative values this way; an explicit (version-1) ranking
 * model would take −s for stars, so it gets no dislikes (they are still left out of the list).
 * The rating model (predicted stars) never sees dislikes: low stars keep their meaning there.
 */
export const DISLIKE_STRENGTH = 1;

/** The profile entries that stand for `dislikes` in the ranking model's fold-in. */
export function dislikeRatings(
  ranking: AlsModel,
  dislikes: readonly number[] | undefined,
  strength = DISLIKE_STRENGTH,
): { movieId: number; rating: number }[] {
  if (!dislikes || !ranking.options.implicit || !(strength > 0)) return [];
  return dislikes.map((movieId) => ({ movieId, rating: -strength }));
}
