import { addOuterProducts, packedSize } from './normal-equations.ts';

/** Rows summed per chunk: a fixed constant, so the summation tree never depends on blocking. */
export const GRAM_CHUNK_ROWS = 1024;

/**
 * Partial Gram matrix Σ yᵢ yᵢᵀ (packed upper triangle, float64) over factor rows [from, to).
 * Distributed training can compute chunk partials in parallel and combine them with
 * `combineGramChunks`, which reproduces `computeGram` bit for bit.
 *
 * Each entry (a, b) is one running sum over the rows in order, ((yᵢ₀ₐ·yᵢ₀ᵦ + yᵢ₁ₐ·yᵢ₁ᵦ) + …), in
 * float64 (each product of two float32 values is exact there). The rows are first copied
 * dimension-major so `addOuterProducts` (the normal-equation kernel) can sum entries in 2 × 4
 * register tiles: the same sums in the same order, about 4× faster than updating the packed
 * matrix row by row.
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
  const columns = new Float64Array(rank * count);
  for (let i = 0; i < count; i++) {
    const off = (from + i) * rank;
    for (let a = 0; a < rank; a++) columns[a * count + i] = factors[off + a]!;
  }
  addOuterProducts(G, rank, columns, columns, count, count);
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
