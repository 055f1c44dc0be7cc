import type { CsrBlock } from '../matrix/csr.ts';
import type { SolverSettings } from './options.ts';

/**
 * How each rated entry of a row enters that row's least squares: the one place the model's loss
 * is turned into normal-equation terms, whichever solver then solves them.
 *
 * Explicit, with features [y, 1] when the model has biases: every rating is one squared error
 *   (r − μ − b_col − x·y)²   →   weight 1, target r − μ − b_col
 * (μ the global mean, b_col the fixed side's bias; both 0 without biases).
 *
 * Implicit (Hu–Koren–Volinsky with Rendle et al.'s unobserved weight α₀): every one of the N
 * columns is a squared error, rated ones c·(p − x·y)² with confidence c = 1 + α|r| and preference
 * p = [r > 0] (c times the block's `confidence` multiplier of the entry where it has one: a
 * fold-in's weights), unrated ones α₀·(0 − x·y)². The unrated sum over all N columns is α₀·YᵀY,
 * shared by the whole half-step (merged into each row's A), which already counts every rated
 * column with weight α₀ too; so a rated entry adds only the difference:
 *   weight c − α₀, target c·p
 * and a row costs O(its ratings), never O(N).
 *
 * A row's terms are written into two arrays in one tight loop (`fillRow`) rather than handed to
 * the solver one call per entry: the solvers' inner loops then read plain arrays, with nothing
 * between them and the arithmetic.
 */
export class RowTerms {
  /** weight_j of entry j of the last row filled (j = 0 is its first entry). */
  weights = new Float64Array(0);
  /** target_j of entry j of the last row filled. */
  targets = new Float64Array(0);
  /** Explicit: every weight is 1, so a solver may use y_j for weight_j·y_j. */
  readonly unitWeights: boolean;
  private readonly colIdx: Int32Array;
  private readonly values: Float32Array;
  private readonly confidence: Float32Array | null;
  private readonly numCols: number;

  /**
   * @param mean μ (explicit with biases; else 0)
   * @param fixedBias b_col per column (explicit with biases; else null)
   */
  constructor(
    private readonly settings: SolverSettings,
    block: CsrBlock,
    private readonly mean: number,
    private readonly fixedBias: Float32Array | null,
  ) {
    this.colIdx = block.colIdx;
    this.values = block.values;
    this.confidence = block.confidence ?? null;
    this.numCols = block.numCols;
    this.unitWeights = !settings.implicit;
  }

  /**
   * Writes the terms of block entries `from..to` (one row, columns ascending; entry k's column is
   * the block's colIdx[k]) to `weights` and `targets` at 0..to−from−1, and returns n, the count
   * the row's penalty is weighted by: every rating (explicit), the positive ones (implicit).
   */
  fillRow(from: number, to: number): number {
    const count = to - from;
    if (this.weights.length < count) {
      this.weights = new Float64Array(count);
      this.targets = new Float64Array(count);
    }
    const { colIdx, values, mean, fixedBias, weights, targets } = this;
    if (!this.settings.implicit) {
      for (let j = 0; j < count; j++) {
        const k = from + j;
        weights[j] = 1;
        targets[j] = values[k]! - mean - (fixedBias === null ? 0 : fixedBias[colIdx[k]!]!);
      }
      return count;
    }
    const { alpha, unobservedWeight } = this.settings;
    const scale = this.confidence;
    let positives = 0;
    for (let j = 0; j < count; j++) {
      const rating = values[from + j]!;
      const confidence = (1 + alpha * Math.abs(rating)) * (scale === null ? 1 : scale[from + j]!);
      weights[j] = confidence - unobservedWeight;
      targets[j] = rating > 0 ? confidence : 0;
      if (rating > 0) positives++;
    }
    return positives;
  }

  /** λ of a row whose `fillRow` returned n (see `rowPenalty`). */
  penalty(n: number): number {
    return rowPenalty(this.settings, n, this.numCols);
  }
}

/**
 * λ of one row. Explicit: Spark's weighted λ, `reg · n`. Implicit: Rendle et al.'s frequency
 * scaling `reg · (n⁺ + α₀·N)^ν`, where n⁺ counts the row's positives and α₀·N is the total weight
 * its N unobserved entries carry: the penalty grows with the evidence the row's loss sums over, so
 * one λ suits rows with 5 ratings and rows with 5,000 (ν = 1 scales exactly with the loss).
 */
export function rowPenalty(settings: SolverSettings, n: number, columns: number): number {
  if (!settings.implicit) return settings.reg * Math.max(1, n);
  return settings.reg * Math.pow(n + settings.unobservedWeight * columns, settings.regExponent);
}
