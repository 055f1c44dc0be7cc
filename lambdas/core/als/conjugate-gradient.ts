import { addPackedMatVec } from './normal-equations.ts';
import { CG_KERNEL_WASM_BASE64 } from './cg-kernel-wasm.ts';
import { ensureMemory, instantiateKernel, type WasmMemory } from './wasm.ts';

/**
 * Conjugate gradient on one row's ALS normal equations without forming them. Two versions of the
 * same algorithm: `conjugateGradientSolve`, plain float64 TypeScript (the reference, readable and
 * exact enough to test against), and `CgKernel`, the float32 WebAssembly SIMD kernel the block
 * solver runs (cg-kernel.wat, where the method is explained step by step).
 */

/**
 * The normal-equation matrix of one row, kept implicit:
 *   A = diag(reg…, biasReg) + [gram] + Σ_j weights[j] · y_j y_jᵀ
 * where y_j is row j of `rowMajor` (count × d). Never materialized, so a product costs O(count·d).
 */
export interface ConjugateGradientSystem {
  d: number;
  /** Dimensions below `rank` get `reg`; the optional bias dimension (index rank) gets `biasReg`. */
  rank: number;
  rowMajor: Float64Array;
  weights: Float64Array;
  count: number;
  /** Packed rank × rank term added to every row (α₀·YᵀY for implicit), or null. */
  gram: Float64Array | null;
  reg: number;
  biasReg: number;
}

export interface ConjugateGradientBuffers {
  r: Float64Array;
  p: Float64Array;
  Ap: Float64Array;
}

function applySystem(system: ConjugateGradientSystem, v: Float64Array, out: Float64Array): void {
  const { d, rank, rowMajor: Y, weights, count } = system;
  for (let a = 0; a < d; a++) out[a] = (a < rank ? system.reg : system.biasReg) * v[a]!;
  if (system.gram !== null) addPackedMatVec(system.gram, rank, v, out);
  for (let j = 0; j < count; j++) {
    const off = j * d;
    let dot = 0;
    for (let a = 0; a < d; a++) dot += Y[off + a]! * v[a]!;
    const s = weights[j]! * dot;
    for (let a = 0; a < d; a++) out[a]! += s * Y[off + a]!;
  }
}

function dot(a: Float64Array, b: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * At most `steps` conjugate-gradient iterations on A x = b starting from the x given (a warm start
 * from the previous ALS iteration makes 2–3 steps enough). Stops early once the residual is
 * negligible. The step sequence depends only on the inputs, so results are deterministic.
 */
export function conjugateGradientSolve(
  system: ConjugateGradientSystem,
  b: Float64Array,
  x: Float64Array,
  steps: number,
  buffers: ConjugateGradientBuffers,
): void {
  const { d } = system;
  const { r, p, Ap } = buffers;
  applySystem(system, x, Ap);
  for (let a = 0; a < d; a++) {
    r[a] = b[a]! - Ap[a]!;
    p[a] = r[a]!;
  }
  let rs = dot(r, r, d);
  const tolerance = 1e-20 * Math.max(dot(b, b, d), 1e-300);
  for (let step = 0; step < steps && rs > tolerance; step++) {
    applySystem(system, p, Ap);
    const pAp = dot(p, Ap, d);
    if (!(pAp > 0)) break;
    const stepSize = rs / pAp;
    for (let a = 0; a < d; a++) {
      x[a]! += stepSize * p[a]!;
      r[a]! -= stepSize * Ap[a]!;
    }
    const rsNext = dot(r, r, d);
    const beta = rsNext / rs;
    for (let a = 0; a < d; a++) p[a] = r[a]! + beta * p[a]!;
    rs = rsNext;
  }
}

// ─── The WebAssembly SIMD kernel the block solver runs ──────────────────────────────────────────

/** The kernel's export (see cg-kernel.wat): one row's CG solve; returns the steps taken. */
interface KernelExports {
  memory: WasmMemory;
  solveRow(
    F: number,
    cols: number,
    w: number,
    t: number,
    n: number,
    rowBytes: number,
    Y: number,
    G: number,
    reg: number,
    mask: number,
    bias: number,
    x: number,
    r: number,
    p: number,
    q: number,
    zero: number,
    steps: number,
  ): number;
}

/** What `CgKernel.prepare` needs: the fixed side of one block solve. */
export interface CgBlockSetup {
  /** numCols × rank, row-major. */
  fixedFactors: Float32Array;
  rank: number;
  numCols: number;
  /** Explicit with biases: every factor gets a constant 1 feature (dimension `rank`) for the bias. */
  biasFeature: boolean;
  /** Penalty on the bias dimension (with biasFeature). */
  biasReg: number;
  /** Packed rank × rank matrix added to every row's system (α₀·YᵀY), or null. */
  gram: Float64Array | null;
  /** The longest row of the block. */
  maxRowLength: number;
}

/**
 * Float32 conjugate gradient on A = diag(D) + G + Σ_j w_j·y_j y_jᵀ, one row per `solve` call, in the
 * WebAssembly SIMD kernel of cg-kernel.wat (the algorithm of `conjugateGradientSolve` above, four
 * lanes at a time; 7× faster than it at rank 64 on 2M ratings, 6× at rank 128).
 *
 * Use: `prepare` once per block (copies the fixed factors and G into the kernel's memory), then
 * per row fill `cols`, `weights`, `targets` (first n entries) and `x` (the warm start, first d
 * entries), call `solve(n, reg, steps)` and read the solution from `x`. Vectors are padded to
 * kp = d rounded up to a multiple of 4 with zeros that stay zero. Each row's result depends only
 * on what was written for it and on the prepared block, so it is the same in any block.
 */
export class CgKernel {
  private readonly memory: WasmMemory;
  private readonly kernel: KernelExports;
  /** The row's column indices (first n used). */
  cols = new Int32Array(0);
  /** w_j of each entry. */
  weights = new Float32Array(0);
  /** t_j of each entry (the right-hand side is Σ t_j·y_j). */
  targets = new Float32Array(0);
  /** The warm start in, the solution out (kp entries; only the first d are read or written). */
  x = new Float32Array(0);
  private d = 0;
  private kp = 0;
  private numCols = 0;
  /** Byte offsets of the kernel's regions (see `prepare`). */
  private at = {
    mask: 0,
    bias: 0,
    x: 0,
    r: 0,
    p: 0,
    q: 0,
    zero: 0,
    G: 0,
    cols: 0,
    w: 0,
    t: 0,
    F: 0,
    Y: 0,
  };

  constructor() {
    this.kernel = instantiateKernel<KernelExports>(CG_KERNEL_WASM_BASE64);
    this.memory = this.kernel.memory;
  }

  prepare(setup: CgBlockSetup): void {
    const { rank, numCols, fixedFactors, gram } = setup;
    const d = rank + (setup.biasFeature ? 1 : 0);
    const kp = (d + 3) & ~3;
    const rowBytes = 4 * kp;
    const maxEntries = (setup.maxRowLength + 3) & ~3;
    // Byte offsets, every region a multiple of 16 long; G's offset is never 0 (0 means "no G").
    let next = 0;
    const take = (bytes: number): number => {
      const at = next;
      next += (bytes + 15) & ~15;
      return at;
    };
    const at = {
      mask: take(rowBytes),
      bias: take(rowBytes),
      x: take(rowBytes),
      r: take(rowBytes),
      p: take(rowBytes),
      q: take(rowBytes),
      zero: take(16),
      G: gram ? take(rowBytes * kp) : 0,
      cols: take(4 * maxEntries),
      w: take(4 * maxEntries),
      t: take(4 * maxEntries),
      F: take(rowBytes * (numCols + 1)),
      Y: take(rowBytes * maxEntries),
    };
    ensureMemory(this.memory, next);
    const f32 = new Float32Array(this.memory.buffer);
    f32.fill(0, 0, at.F / 4); // mask, bias, vectors, G (its padding), cols, w, t
    for (let a = 0; a < rank; a++) f32[at.mask / 4 + a] = 1;
    if (setup.biasFeature) f32[at.bias / 4 + rank] = setup.biasReg;
    if (gram) {
      // Packed upper triangle (float64) → both triangles of the padded kp × kp (float32).
      const g = at.G / 4;
      let p = 0;
      for (let a = 0; a < rank; a++) {
        for (let b = a; b < rank; b++) {
          const v = gram[p++]!;
          f32[g + a * kp + b] = v;
          f32[g + b * kp + a] = v;
        }
      }
    }
    // The fixed factors, one padded row per column (+ the bias feature), then the zero row that
    // padding entries point at.
    const F = at.F / 4;
    if (kp === rank) {
      f32.set(fixedFactors, F);
    } else {
      for (let c = 0; c < numCols; c++) {
        const src = c * rank;
        const dst = F + c * kp;
        for (let a = 0; a < rank; a++) f32[dst + a] = fixedFactors[src + a]!;
        for (let a = rank; a < kp; a++) f32[dst + a] = 0;
        if (setup.biasFeature) f32[dst + rank] = 1;
      }
    }
    f32.fill(0, F + numCols * kp, F + (numCols + 1) * kp);
    this.cols = new Int32Array(this.memory.buffer, at.cols, maxEntries);
    this.weights = new Float32Array(this.memory.buffer, at.w, maxEntries);
    this.targets = new Float32Array(this.memory.buffer, at.t, maxEntries);
    this.x = new Float32Array(this.memory.buffer, at.x, kp);
    this.at = at;
    this.d = d;
    this.kp = kp;
    this.numCols = numCols;
  }

  /**
   * Runs at most `steps` CG steps on the row whose n entries and warm start were written, with
   * penalty `reg` on the factor dimensions; the solution replaces `x`. Returns the steps taken.
   */
  solve(n: number, reg: number, steps: number): number {
    const padded = (n + 3) & ~3;
    for (let j = n; j < padded; j++) {
      this.cols[j] = this.numCols;
      this.weights[j] = 0;
      this.targets[j] = 0;
    }
    for (let a = this.d; a < this.kp; a++) this.x[a] = 0;
    const { at } = this;
    return this.kernel.solveRow(
      at.F,
      at.cols,
      at.w,
      at.t,
      padded,
      4 * this.kp,
      at.Y,
      at.G,
      reg,
      at.mask,
      at.bias,
      at.x,
      at.r,
      at.p,
      at.q,
      at.zero,
      steps,
    );
  }
}
