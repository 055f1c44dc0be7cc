import type { CsrBlock } from '../matrix/csr.ts';
import { CgKernel } from './conjugate-gradient.ts';
import { NormalEquation } from './least-squares.ts';
import { choleskySolvePacked } from './normal-equations.ts';
import type { AlsSolver, SolverSettings } from './options.ts';
import type { RowTerms } from './row-terms.ts';

/** What every row of one block solve shares; a row solver reads it once per block. */
export interface BlockSetup {
  readonly settings: SolverSettings;
  readonly block: CsrBlock;
  /** The other side's factors, numCols × rank. */
  readonly fixedFactors: Float32Array;
  /** Explicit with biases: x gets a bias component, every y a constant 1 feature. */
  readonly biasFeature: boolean;
  /** α₀·YᵀY, packed (implicit), or null. */
  readonly unobservedGram: Float64Array | null;
  /** The block's current factors and biases (the warm start of a solver that iterates). */
  readonly previous: Float32Array | undefined;
  readonly previousBias: Float32Array | undefined;
  readonly terms: RowTerms;
}

/**
 * Solves one row's least squares (Spark's `LeastSquaresNESolver`). Which one runs is picked once
 * per block by `SolverScratch.solverFor`; both see the same entries, filled by `RowTerms`.
 */
export interface RowSolver {
  /** Once per block, before its rows. */
  prepareBlock(setup: BlockSetup): void;
  /**
   * Solves row r (block entries from..to): its d unknowns [x, bias?], or null when A is singular
   * (the row then gets 0). The array is reused by the next row.
   */
  solveRow(r: number, from: number, to: number): Float64Array | null;
}

/** The solvers by `SolverSettings.solver`, and whether each iterates from the current factors. */
const SOLVERS: Record<AlsSolver, { startsFromCurrent: boolean; create: () => RowSolver }> = {
  cholesky: { startsFromCurrent: false, create: () => new CholeskyRowSolver() },
  cg: { startsFromCurrent: true, create: () => new CgRowSolver() },
};

function solverEntry(solver: AlsSolver): (typeof SOLVERS)[AlsSolver] {
  const entry = SOLVERS[solver] as (typeof SOLVERS)[AlsSolver] | undefined;
  if (!entry) throw new RangeError(`solver must be 'cholesky' or 'cg', got ${String(solver)}`);
  return entry;
}

export function createRowSolver(solver: AlsSolver): RowSolver {
  return solverEntry(solver).create();
}

/**
 * Whether the chosen solver starts from the block's current factors (`BlockSolveInput.previous`):
 * CG refines them, Cholesky solves exactly and never reads them. Callers ask this to know whether
 * to fetch those rows at all.
 */
export function solverStartsFromCurrent(settings: Pick<SolverSettings, 'solver'>): boolean {
  return solverEntry(settings.solver).startsFromCurrent;
}

/**
 * Forms A (`NormalEquation`) and solves it exactly by Cholesky (Spark's `CholeskySolver`):
 * O(n·d²) to form, O(d³) to factor, per row.
 */
class CholeskyRowSolver implements RowSolver {
  private equation = new NormalEquation(0, false);
  private setup: BlockSetup | null = null;

  prepareBlock(setup: BlockSetup): void {
    const { rank } = setup.settings;
    const { equation } = this;
    if (equation.rank !== rank || equation.biasFeature !== setup.biasFeature) {
      this.equation = new NormalEquation(rank, setup.biasFeature);
    }
    this.setup = setup;
  }

  solveRow(_r: number, from: number, to: number): Float64Array | null {
    const { equation } = this;
    const { terms, unobservedGram, settings, fixedFactors, block } = this.setup!;
    equation.reset();
    const n = terms.fillRow(from, to);
    const weights = terms.unitWeights ? null : terms.weights;
    equation.addEntries(fixedFactors, block.colIdx, from, to - from, weights, terms.targets);
    if (unobservedGram !== null) equation.merge(unobservedGram);
    equation.regularize(terms.penalty(n), settings.biasReg);
    return choleskySolvePacked(equation.ata, equation.d, equation.atb) ? equation.atb : null;
  }
}

/**
 * A few conjugate-gradient steps on the same normal equations without forming them, warm-started
 * from the row's current factor: O(n·d) per step instead of O(n·d²) + O(d³). The entries become
 * the kernel's weights w_j and targets t_j, and α₀·YᵀY and the fixed factors are copied into its
 * memory once per block (see `CgKernel`). The kernel runs in float32, as benfred/implicit does.
 */
class CgRowSolver implements RowSolver {
  private readonly kernel = new CgKernel();
  private setup: BlockSetup | null = null;
  private solution = new Float64Array(0);
  private cols: Int32Array = new Int32Array(0);
  private weights: Float32Array = new Float32Array(0);
  private targets: Float32Array = new Float32Array(0);

  prepareBlock(setup: BlockSetup): void {
    const { block, settings, biasFeature } = setup;
    let maxRowLength = 0;
    for (let r = 0; r < block.rows.length; r++) {
      maxRowLength = Math.max(maxRowLength, block.rowPtr[r + 1]! - block.rowPtr[r]!);
    }
    const { kernel } = this;
    kernel.prepare({
      fixedFactors: setup.fixedFactors,
      rank: settings.rank,
      numCols: block.numCols,
      biasFeature,
      biasReg: settings.biasReg,
      gram: setup.unobservedGram,
      maxRowLength,
    });
    // The kernel's entry arrays are views into its memory, valid until the next prepare.
    this.cols = kernel.cols;
    this.weights = kernel.weights;
    this.targets = kernel.targets;
    const d = settings.rank + (biasFeature ? 1 : 0);
    if (this.solution.length !== d) this.solution = new Float64Array(d);
    this.setup = setup;
  }

  solveRow(r: number, from: number, to: number): Float64Array {
    const { kernel, solution, cols, weights, targets } = this;
    const { terms, settings, previous, previousBias, biasFeature, block } = this.setup!;
    const { rank } = settings;
    const n = terms.fillRow(from, to);
    // Into the kernel's float32 entry list (the rounding benfred/implicit's float32 CG has too).
    const count = to - from;
    const { colIdx } = block;
    const rowWeights = terms.weights;
    const rowTargets = terms.targets;
    for (let j = 0; j < count; j++) {
      cols[j] = colIdx[from + j]!;
      weights[j] = rowWeights[j]!;
      targets[j] = rowTargets[j]!;
    }
    const x = kernel.x;
    for (let a = 0; a < rank; a++) x[a] = previous ? previous[r * rank + a]! : 0;
    if (biasFeature) x[rank] = previousBias ? previousBias[r]! : 0;
    kernel.solve(count, terms.penalty(n), settings.cgSteps);
    for (let a = 0; a < solution.length; a++) solution[a] = x[a]!;
    return solution;
  }
}
