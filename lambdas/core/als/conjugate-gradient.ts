import { addPackedMatVec } from './normal-equations.ts';

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
