import { GRAM_KERNEL_WASM_BASE64 } from './gram-kernel-wasm.ts';
import { packedSize } from './normal-equations.ts';
import { ensureMemory, instantiateKernel, type WasmMemory } from './wasm.ts';

/** Rows summed per chunk: a fixed constant, so the summation tree never depends on blocking. */
export const GRAM_CHUNK_ROWS = 1024;

interface GramExports {
  memory: WasmMemory;
  gram(src: number, count: number, rank: number, rows: number, T: number): void;
}

let kernel: GramExports | undefined;

/**
 * Partial Gram matrix Σ yᵢ yᵢᵀ (packed upper triangle, float64) over factor rows [from, to).
 * Distributed training can compute chunk partials in parallel and combine them with
 * `combineGramChunks`, which reproduces `computeGram` bit for bit.
 *
 * Each entry (a, b) is one running sum over the rows in order, ((yᵢ₀ₐ·yᵢ₀ᵦ + yᵢ₁ₐ·yᵢ₁ᵦ) + …), in
 * float64 (each product of two float32 values is exact there), computed by the SIMD kernel of
 * gram-kernel.wat in 2 × 8 register tiles: the same bits as the plain loop
 *   for i: for a: for b ≥ a: G[a][b] += y[i][a]·y[i][b]
 * 26,655 × 128 factors: 248 ms for that loop, 99 ms for 2 × 4 tiles in TypeScript, ~50 ms here.
 */
export function gramOfRows(
  factors: Float32Array,
  rank: number,
  from: number,
  to: number,
): Float64Array {
  const G = new Float64Array(packedSize(rank));
  const count = to - from;
  if (count <= 0) return G;
  kernel ??= instantiateKernel<GramExports>(GRAM_KERNEL_WASM_BASE64);
  const kp2 = (rank + 1) & ~1;
  // Memory: the chunk as float32, the chunk as padded float64 rows, the kp2 × kp2 result.
  const src = 0;
  const rows = (4 * count * rank + 15) & ~15;
  const T = rows + 8 * count * kp2;
  ensureMemory(kernel.memory, T + 8 * kp2 * kp2);
  new Float32Array(kernel.memory.buffer, src, count * rank).set(
    factors.subarray(from * rank, to * rank),
  );
  kernel.gram(src, count, rank, rows, T);
  const full = new Float64Array(kernel.memory.buffer, T, kp2 * kp2);
  let p = 0;
  for (let a = 0; a < rank; a++) for (let b = a; b < rank; b++) G[p++] = full[a * kp2 + b]!;
  return G;
}

/** Sums chunk partials in chunk order (chunk c covers rows [c·GRAM_CHUNK_ROWS, …)). */
export function combineGramChunks(partials: readonly Float64Array[], rank: number): Float64Array {
  const G = new Float64Array(packedSize(rank));
  for (const partial of partials) for (let p = 0; p < G.length; p++) G[p]! += partial[p]!;
  return G;
}

/**
 * YᵀY of a whole factor matrix (n × rank) — the implicit-ALS term shared by every row. Summed in
 * fixed-size chunks so a distributed computation of the same chunks gives identical bits.
 */
export function computeGram(factors: Float32Array, rank: number): Float64Array {
  const n = factors.length / rank;
  const partials: Float64Array[] = [];
  for (let from = 0; from < n; from += GRAM_CHUNK_ROWS) {
    partials.push(gramOfRows(factors, rank, from, Math.min(n, from + GRAM_CHUNK_ROWS)));
  }
  return combineGramChunks(partials, rank);
}
