import type { CsrBlock } from '../matrix/csr.ts';
import { packedSize } from './normal-equations.ts';
import type { AlsSolver, SolverSettings } from './options.ts';
import { createRowSolver, type BlockSetup, type RowSolver } from './row-solvers.ts';
import { RowTerms } from './row-terms.ts';

export { solverStartsFromCurrent } from './row-solvers.ts';

/** What one half-step needs for one block of rows: everything else about the model is fixed. */
export interface BlockSolveInput {
  /** The rows to solve; its columns index the fixed side. */
  block: CsrBlock;
  /** The other side's factors, numCols × rank, row-major. */
  fixedFactors: Float32Array;
  /** The other side's biases (explicit with biases). */
  fixedBias?: Float32Array;
  /** Global mean rating (explicit with biases; targets are r − mean − fixedBias). */
  globalMean?: number;
  /** YᵀY of the fixed factors, packed (implicit only): see `computeGram`. */
  gram?: Float64Array;
  /**
   * `unobservedGram(gram, unobservedWeight)` when the caller keeps it (fold-in: once per model);
   * formed from `gram` per call otherwise.
   */
  unobservedGram?: Float64Array;
  /**
   * This block's current factors (rows × rank), the warm start of a solver that iterates (see
   * `solverStartsFromCurrent`; `currentRows` gathers them).
   */
  previous?: Float32Array;
  /** This block's current biases, the warm start of the bias term. */
  previousBias?: Float32Array;
}

export interface BlockSolveOutput {
  /** Dense row indices, as in the input block. */
  rows: Int32Array;
  /** New factors, rows × rank, row-major. */
  factors: Float32Array;
  /** New biases (explicit with biases). */
  bias?: Float32Array;
}

/**
 * Reusable row solvers, one of each kind, created on first use; keep one per worker so the row loop
 * never allocates. Nothing carries over between rows (each row starts from a reset equation).
 */
export class SolverScratch {
  private readonly solvers: Partial<Record<AlsSolver, RowSolver>> = {};

  /** The row solver `settings.solver` names: chosen here, once per block. */
  solverFor(settings: SolverSettings): RowSolver {
    return (this.solvers[settings.solver] ??= createRowSolver(settings.solver));
  }
}

/**
 * Solves one half-step for a block of rows against fixed other-side factors Y: for each row, the
 * regularized least squares of `RowTerms` (explicit rating regression, or implicit feedback with
 * unobserved weight α₀) over that row's ratings, by the solver the settings pick.
 *
 * Each row's result depends only on that row's entries (in their fixed column order) and the
 * fixed inputs, so the outcome is identical however rows are grouped into blocks or blocks are
 * scheduled. A row whose equations are singular (no ratings and no penalty) gets zeros.
 */
export function solveBlock(
  input: BlockSolveInput,
  settings: SolverSettings,
  scratch: SolverScratch = new SolverScratch(),
): BlockSolveOutput {
  const { block } = input;
  const { rank, biases, implicit } = settings;
  checkInput(input, settings);
  const fixedBias = biases ? input.fixedBias! : null;
  const setup: BlockSetup = {
    settings,
    block,
    fixedFactors: input.fixedFactors,
    biasFeature: biases,
    // α₀·YᵀY: every row's A starts from it (implicit), formed once per block.
    unobservedGram: implicit
      ? (input.unobservedGram ?? unobservedGram(input.gram!, settings.unobservedWeight))
      : null,
    previous: input.previous,
    previousBias: input.previousBias,
    terms: new RowTerms(settings, block, biases ? (input.globalMean ?? 0) : 0, fixedBias),
  };
  const solver = scratch.solverFor(settings);
  solver.prepareBlock(setup);
  const rowCount = block.rows.length;
  const factors = new Float32Array(rowCount * rank);
  const bias = biases ? new Float32Array(rowCount) : undefined;
  for (let r = 0; r < rowCount; r++) {
    const x = solver.solveRow(r, block.rowPtr[r]!, block.rowPtr[r + 1]!);
    const out = r * rank;
    for (let a = 0; a < rank; a++) factors[out + a] = x ? x[a]! : 0;
    if (bias) bias[r] = x ? x[rank]! : 0;
  }
  return bias ? { rows: block.rows, factors, bias } : { rows: block.rows, factors };
}

/**
 * The warm start for `rows` (ascending dense indices): their slice of a whole side's current
 * factors and biases, as `BlockSolveInput.previous` / `previousBias`.
 */
export function currentRows(
  side: { factors: Float32Array; bias?: Float32Array | undefined },
  rows: Int32Array,
  rank: number,
): Pick<BlockSolveInput, 'previous' | 'previousBias'> {
  const previous = gatherRows(side.factors, rows, rank);
  return side.bias ? { previous, previousBias: gatherRows(side.bias, rows, 1) } : { previous };
}

function gatherRows(source: Float32Array, rows: Int32Array, width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    out.set(source.subarray(rows[r]! * width, (rows[r]! + 1) * width), r * width);
  }
  return out;
}

/** α₀·YᵀY, the start of every implicit row's A: `gram` itself when α₀ is 1. */
export function unobservedGram(gram: Float64Array, weight: number): Float64Array {
  return weight === 1 ? gram : gram.map((v) => v * weight);
}

function checkInput(input: BlockSolveInput, settings: SolverSettings): void {
  const { block, fixedFactors } = input;
  const { rank } = settings;
  if (fixedFactors.length !== block.numCols * rank) {
    throw new Error(
      `fixed factors hold ${fixedFactors.length} values, expected numCols ${block.numCols} × rank ${rank}`,
    );
  }
  if (settings.implicit) {
    if (settings.biases) throw new Error('implicit ALS has no bias terms; set biases to false');
    if (!input.gram || input.gram.length !== packedSize(rank)) {
      throw new Error('implicit ALS needs the packed Gram matrix of the fixed factors');
    }
  } else if (settings.biases) {
    if (!input.fixedBias || input.fixedBias.length !== block.numCols) {
      throw new Error('ALS with biases needs one fixed bias per column');
    }
  }
  if (input.previous && input.previous.length !== block.rows.length * rank) {
    throw new Error('previous factors must hold rows × rank values');
  }
}
