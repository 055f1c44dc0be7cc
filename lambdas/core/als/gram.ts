import { packedSize } from './normal-equations.ts';

/** Rows summed per chunk: a fixed constant, so the summation tree never depends on blocking. */
export const GRAM_CHUNK_ROWS = 1024;

/**
 * Partial Gram matrix Σ yᵢ yᵢᵀ (packed upper triangle, float64) over factor rows [from, to).
 * Distributed training can compute chunk partials in parallel and combine them with
 * `combineGramChunks`, which reproduces `computeGram` bit for bit.
 */
export function gramOfRows(
  factors: Float32Array,
  rank: number,
  from: number,
  to: number,
): Float64Array {
  const G = new Float64Array(packedSize(rank));
  const y = new Float64Array(rank);
  for (let i = from; i < to; i++) {
    const off = i * rank;
    for (let a = 0; a < rank; a++) y[a] = factors[off + a]!;
    let p = 0;
    for (let a = 0; a < rank; a++) {
      const ya = y[a]!;
      for (let b = a; b < rank; b++) G[p++]! += ya * y[b]!;
    }
  }
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
