import type { CsrBlock } from '../matrix/csr.ts';
import { CgKernel } from './conjugate-gradient.ts';
import { addOuterProducts, choleskySolvePacked, packedSize } from './normal-equations.ts';
import type { SolverSettings } from './options.ts';

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
  /** This block's current factors (rows × rank), the warm start for solver 'cg'. */
  previous?: Float32Array;
  /** This block's current biases, the warm start for the bias term under solver 'cg'. */
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

/** Entries gathered per pass of the outer-product kernel: 128 × 8 B × d stays cache-resident. */
const CHUNK = 128;

/**
 * Reusable buffers for block solves, grown on demand; reuse one per worker to avoid allocation in
 * the row loop. Contents never carry over between rows (each row zeroes what it reads).
 */
export class SolverScratch {
  A = new Float64Array(0);
  rhs = new Float64Array(0);
  left = new Float64Array(0);
  right = new Float64Array(0);
  x = new Float64Array(0);
  /** Solver 'cg': the WebAssembly kernel and its memory (created on first use). */
  private cgKernel: CgKernel | undefined;

  ensure(d: number): void {
    if (this.rhs.length < d) {
      this.A = new Float64Array(packedSize(d));
      this.rhs = new Float64Array(d);
      this.left = new Float64Array(d * CHUNK);
      this.right = new Float64Array(d * CHUNK);
      this.x = new Float64Array(d);
    }
  }

  get cg(): CgKernel {
    this.cgKernel ??= new CgKernel();
    return this.cgKernel;
  }
}

/**
 * Solves one half-step for a block of rows against fixed other-side factors. Each row's result
 * depends only on that row's entries (in their fixed column order) and the fixed inputs, so the
 * outcome is identical however rows are grouped into blocks or blocks are scheduled.
 *
 * Explicit: minimize Σ (r − mean − b_fixed − x·y)² + λ·n·|x|² (+ biasReg·b² with biases, by
 * solving for [x, b] against features [y, 1]).
 *
 * Implicit (Hu–Koren–Volinsky with Rendle et al.'s unobserved weight): minimize
 *   Σ_rated c·(p − x·y)² + α₀·Σ_unrated (x·y)² + rowPenalty·|x|²,   c = 1 + α|r|, p = [r > 0].
 * Every unrated entry has target 0 and weight α₀, so the normal equations are
 *   (α₀·YᵀY + Σ_rated (c − α₀)·y yᵀ + rowPenalty·I) x = Σ_rated c·p·y
 * and the sum over all N columns costs nothing per row: α₀·YᵀY is shared by the whole half-step.
 */
export function solveBlock(
  input: BlockSolveInput,
  settings: SolverSettings,
  scratch: SolverScratch = new SolverScratch(),
): BlockSolveOutput {
  const { block } = input;
  const { rank, biases } = settings;
  checkInput(input, settings);
  const d = rank + (biases ? 1 : 0);
  const rowCount = block.rows.length;
  let maxRowLength = 0;
  for (let r = 0; r < rowCount; r++) {
    maxRowLength = Math.max(maxRowLength, block.rowPtr[r + 1]! - block.rowPtr[r]!);
  }
  scratch.ensure(d);
  const factors = new Float32Array(rowCount * rank);
  const bias = biases ? new Float32Array(rowCount) : undefined;
  const row: RowContext = {
    input,
    settings,
    d,
    scratch,
    mean: biases ? (input.globalMean ?? 0) : 0,
    fixedBias: biases ? input.fixedBias! : null,
    unobservedGram: settings.implicit ? scaled(input.gram!, settings.unobservedWeight) : null,
    from: 0,
    to: 0,
  };
  if (settings.solver === 'cg') prepareCg(row, maxRowLength);
  for (let r = 0; r < rowCount; r++) {
    row.from = block.rowPtr[r]!;
    row.to = block.rowPtr[r + 1]!;
    const solved = settings.solver === 'cg' ? solveRowCg(row, r) : solveRowCholesky(row);
    const x = scratch.x;
    const out = r * rank;
    for (let a = 0; a < rank; a++) factors[out + a] = solved ? x[a]! : 0;
    if (bias) bias[r] = solved ? x[rank]! : 0;
  }
  return bias ? { rows: block.rows, factors, bias } : { rows: block.rows, factors };
}

interface RowContext {
  readonly input: BlockSolveInput;
  readonly settings: SolverSettings;
  readonly d: number;
  readonly scratch: SolverScratch;
  readonly mean: number;
  readonly fixedBias: Float32Array | null;
  /** α₀·YᵀY, once per block (implicit only). */
  readonly unobservedGram: Float64Array | null;
  from: number;
  to: number;
}

/** Forms the packed normal equations chunk by chunk and solves them exactly; result in scratch.x. */
function solveRowCholesky(row: RowContext): boolean {
  const { input, settings, d, scratch, mean, fixedBias } = row;
  const { colIdx, values } = input.block;
  const F = input.fixedFactors;
  const { rank, implicit, alpha, unobservedWeight: unobserved } = settings;
  const { A, left, right } = scratch;
  const rhs = scratch.x; // solved in place: becomes the solution
  A.fill(0, 0, packedSize(d));
  rhs.fill(0, 0, d);
  let regCount = 0;
  for (let start = row.from; start < row.to; start += CHUNK) {
    const m = Math.min(CHUNK, row.to - start);
    for (let j = 0; j < m; j++) {
      const col = colIdx[start + j]!;
      const rating = values[start + j]!;
      const off = col * rank;
      if (implicit) {
        const confidence = 1 + alpha * Math.abs(rating);
        const extra = confidence - unobserved; // what the observed entry adds to α₀·YᵀY
        const target = rating > 0 ? confidence : 0; // c·p
        if (rating > 0) regCount++;
        for (let a = 0; a < rank; a++) {
          const y = F[off + a]!;
          right[a * CHUNK + j] = y;
          left[a * CHUNK + j] = extra * y;
          rhs[a]! += target * y;
        }
      } else {
        const target = rating - mean - (fixedBias === null ? 0 : fixedBias[col]!);
        regCount++;
        for (let a = 0; a < rank; a++) {
          const y = F[off + a]!;
          right[a * CHUNK + j] = y;
          rhs[a]! += target * y;
        }
        if (fixedBias !== null) {
          right[rank * CHUNK + j] = 1;
          rhs[rank]! += target;
        }
      }
    }
    addOuterProducts(A, d, implicit ? left : right, right, CHUNK, m);
  }
  const G = row.unobservedGram;
  if (G !== null) for (let p = 0; p < G.length; p++) A[p]! += G[p]!;
  addRegularization(A, d, rank, settings, rowPenalty(settings, regCount, input.block.numCols));
  return choleskySolvePacked(A, d, rhs);
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

function scaled(values: Float64Array, factor: number): Float64Array {
  return factor === 1 ? values : values.map((v) => v * factor);
}

function addRegularization(
  A: Float64Array,
  d: number,
  rank: number,
  settings: SolverSettings,
  penalty: number,
): void {
  let p = 0;
  for (let a = 0; a < d; a++) {
    A[p]! += a < rank ? penalty : settings.biasReg;
    p += d - a;
  }
}

/** Solver 'cg': the fixed side (factors, α₀·YᵀY) into the kernel's memory, once per block. */
function prepareCg(row: RowContext, maxRowLength: number): void {
  const { input, settings } = row;
  row.scratch.cg.prepare({
    fixedFactors: input.fixedFactors,
    rank: settings.rank,
    numCols: input.block.numCols,
    biasFeature: row.fixedBias !== null,
    biasReg: settings.biasReg,
    gram: row.unobservedGram,
    maxRowLength,
  });
}

/**
 * A few conjugate-gradient steps on the same normal equations without forming them, warm-started
 * from the block's previous factor: O(n·d) per step instead of O(n·d²) + O(d³). The row's entries
 * become the kernel's weights w_j and targets t_j (see `CgKernel`): implicit w = c − α₀ (what a
 * rated entry adds on top of α₀·YᵀY), t = c·p; explicit w = 1, t = r − mean − fixed bias. The
 * kernel runs in float32 (as benfred/implicit does); the result lands in scratch.x.
 */
function solveRowCg(row: RowContext, r: number): boolean {
  const { input, settings, d, scratch, mean, fixedBias } = row;
  const { colIdx, values } = input.block;
  const { rank, implicit, alpha, unobservedWeight: unobserved } = settings;
  const kernel = scratch.cg;
  const { cols, weights: w, targets: t } = kernel;
  // n for the weighted-λ penalty: every entry (explicit) or the positive ones (implicit).
  let regCount = 0;
  const n = row.to - row.from;
  for (let j = 0; j < n; j++) {
    const col = colIdx[row.from + j]!;
    const rating = values[row.from + j]!;
    cols[j] = col;
    if (implicit) {
      const confidence = 1 + alpha * Math.abs(rating);
      w[j] = confidence - unobserved;
      t[j] = rating > 0 ? confidence : 0;
      if (rating > 0) regCount++;
    } else {
      w[j] = 1;
      t[j] = rating - mean - (fixedBias === null ? 0 : fixedBias[col]!);
      regCount++;
    }
  }
  const x = kernel.x;
  const prev = input.previous;
  for (let a = 0; a < rank; a++) x[a] = prev ? prev[r * rank + a]! : 0;
  if (d > rank) x[rank] = input.previousBias ? input.previousBias[r]! : 0;
  kernel.solve(n, rowPenalty(settings, regCount, input.block.numCols), settings.cgSteps);
  const out = scratch.x;
  for (let a = 0; a < d; a++) out[a] = x[a]!;
  return true;
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
