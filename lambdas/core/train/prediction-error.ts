import { clampRating, rawScoreByIndex, type AlsModel } from '../als/model.ts';
import type { CsrBlock } from '../matrix/csr.ts';
import type { RatingsTable } from '../ratings.ts';

/**
 * Squared prediction errors summed in fixed point, so that the RMSE of a distributed evaluation
 * (one partial per block, added in whatever order the Map returns them) has the same bits for any
 * block count. Each error² is rounded to 2⁻³⁰ (≈ 1e-9: far below anything an RMSE reports) and
 * summed as an integer; partials travel as decimal strings because they outgrow 2⁵³.
 */
export const SQUARED_ERROR_UNITS = 2 ** 30;
// An explicit error is at most 4.5 stars; only a diverged implicit model goes further. Capping
// keeps a term below 2³⁶, so 2¹⁶ terms fit an exact double before they move to a BigInt.
const MAX_SQUARED_ERROR = 64;
const FLUSH_EVERY = 1 << 16;

export interface ErrorSum {
  readonly count: number;
  /** Σ round(error² · 2³⁰), a non-negative integer as a decimal string. */
  readonly units: string;
}

class ErrorAccumulator {
  private total = 0n;
  private pending = 0;
  private pendingTerms = 0;
  count = 0;

  add(error: number): void {
    const squared = Math.min(error * error, MAX_SQUARED_ERROR);
    // NaN (a broken model) must not vanish into the sum: it makes the RMSE NaN.
    if (Number.isNaN(squared)) throw new Error('prediction error is NaN');
    this.pending += Math.round(squared * SQUARED_ERROR_UNITS);
    this.count++;
    if (++this.pendingTerms === FLUSH_EVERY) this.flush();
  }

  result(): ErrorSum {
    this.flush();
    return { count: this.count, units: this.total.toString() };
  }

  private flush(): void {
    this.total += BigInt(this.pending);
    this.pending = 0;
    this.pendingTerms = 0;
  }
}

/**
 * The error of one prediction: explicit models predict the (clamped) rating; implicit models
 * predict preference, which is 1 for every rated movie (r > 0).
 */
function predictionError(model: AlsModel, u: number, i: number, rating: number): number {
  const raw = rawScoreByIndex(model, u, i);
  if (model.options.implicit) return raw - (rating > 0 ? 1 : 0);
  return clampRating(model, raw) - rating;
}

/** Errors on ratings given by external ids (unknown users or movies get the model's fallback). */
export function errorSumOfRatings(model: AlsModel, table: RatingsTable): ErrorSum {
  const sum = new ErrorAccumulator();
  for (let k = 0; k < table.length; k++) {
    const u = model.userIds.indexOf(table.userIds[k]!);
    const i = model.itemIds.indexOf(table.movieIds[k]!);
    sum.add(predictionError(model, u, i, table.ratings[k]!));
  }
  return sum.result();
}

/** Errors on a user-row CSR block of the model's own training matrix. */
export function errorSumOfBlock(model: AlsModel, block: CsrBlock): ErrorSum {
  const sum = new ErrorAccumulator();
  for (let r = 0; r < block.rows.length; r++) {
    const u = block.rows[r]!;
    for (let k = block.rowPtr[r]!; k < block.rowPtr[r + 1]!; k++) {
      sum.add(predictionError(model, u, block.colIdx[k]!, block.values[k]!));
    }
  }
  return sum.result();
}

/** RMSE of partial sums (any order); null when there was nothing to measure. */
export function rmseOfErrorSums(partials: readonly ErrorSum[]): number | null {
  let units = 0n;
  let count = 0;
  for (const p of partials) {
    units += BigInt(p.units);
    count += p.count;
  }
  return count > 0 ? Math.sqrt(Number(units) / SQUARED_ERROR_UNITS / count) : null;
}
