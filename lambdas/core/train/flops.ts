/**
 * FLOP and update counts of the training kernels, as the benchmarks count them: task sizing turns
 * them into seconds at the measured per-core rates, and `recsys plan` turns a benchmark's seconds
 * back into a rate with the same counts.
 */
/** FLOPs of one half-iteration (Cholesky, biases: d = rank + 1), as scripts/bench/als.ts counts them. */
export function halfIterationFlops(ratings: number, rows: number, rank: number): number {
  const d = rank + 1;
  return ratings * (d * d + 3 * d) + rows * ((d * d * d) / 3 + 2 * d * d);
}

/**
 * FLOPs of one implicit-ALS half-iteration by conjugate gradient (no biases, d = rank): every row
 * applies its system steps + 1 times (the first residual, then one product per step); a product
 * costs 4·rank per rating (y·v, then y·(y·v) added) and 2·rank² for the packed α₀·YᵀY term.
 */
export function cgHalfIterationFlops(
  ratings: number,
  rows: number,
  rank: number,
  steps: number,
): number {
  return (steps + 1) * (4 * rank * ratings + 2 * rank * rank * rows);
}

/** FLOPs of YᵀY for `rows` factor rows (packed: rank(rank + 1)/2 multiply-adds a row ≈ rank²). */
export function gramFlops(rows: number, rank: number): number {
  return rows * rank * rank;
}

/** One whole implicit iteration (both halves and both sides' Grams): how the CG rate is measured. */
export function cgIterationFlops(
  ratings: number,
  users: number,
  movies: number,
  rank: number,
  steps: number,
): number {
  return (
    cgHalfIterationFlops(ratings, users, rank, steps) +
    cgHalfIterationFlops(ratings, movies, rank, steps) +
    gramFlops(users + movies, rank)
  );
}

/**
 * Multiply-adds of the neighbour partials over all user blocks: Σ_u n_u(n_u + 1)/2 ≈ Σ n_u²/2 with
 * n_u the user's ratings among the M movies; Σ n_u² = spread · (ratings on M)² / users, and no user
 * has more than M of them, so at most M/2 per rating.
 */
export function neighbourGramUpdates(
  ratingsOnMembers: number,
  users: number,
  M: number,
  spread: number,
): number {
  return Math.min(
    (spread * ratingsOnMembers * ratingsOnMembers) / (2 * users),
    (M * ratingsOnMembers) / 2,
  );
}
