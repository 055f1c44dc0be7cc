import { SCORE_KERNEL_WASM_BASE64 } from '../als/score-kernel-wasm.ts';
import { ensureMemory, instantiateKernel, type WasmMemory } from '../als/wasm.ts';

interface RowSumExports {
  memory: WasmMemory;
  weightedRowSum(
    weights: number,
    stride: number,
    rows: number,
    xs: number,
    count: number,
    out: number,
  ): void;
}

/** Columns per kernel tile (score-kernel.wat `weightedRowSum`): rows are padded to a multiple. */
const TILE = 16;

/**
 * Weighted sums of rows of a square float32 matrix (the EASE weights B): out[j] = Σ_c x_c·B[i_c][j]
 * through the SIMD kernel, the same bits as the scalar loop in the order given. The matrix is
 * copied once, rows padded to 16 columns, into this object's own WebAssembly memory (M·M·4 bytes,
 * 16 MB at M = 2,000).
 */
export class WeightedRows {
  private readonly kernel: RowSumExports;
  private readonly stride: number;
  /** Byte offset of the row indices, after the matrix. */
  private readonly listAt: number;

  constructor(
    weights: Float32Array,
    readonly size: number,
  ) {
    if (weights.length !== size * size) {
      throw new RangeError(`weights (${weights.length}) are not ${size} × ${size}`);
    }
    this.stride = Math.ceil(size / TILE) * TILE;
    this.kernel = instantiateKernel<RowSumExports>(SCORE_KERNEL_WASM_BASE64);
    this.listAt = size * this.stride * 4;
    ensureMemory(this.kernel.memory, this.listAt);
    const padded = new Float32Array(this.kernel.memory.buffer, 0, size * this.stride);
    for (let i = 0; i < size; i++) {
      padded.set(weights.subarray(i * size, (i + 1) * size), i * this.stride);
    }
  }

  /** out[0..size) = Σ_c xs[c]·row rows[c], c in order (0 everywhere when count is 0). */
  sum(rows: Int32Array, xs: Float64Array, count: number, out: Float64Array): void {
    const { kernel } = this;
    const xsAt = this.listAt + ((count * 4 + 7) & ~7);
    const outAt = xsAt + count * 8;
    ensureMemory(kernel.memory, outAt + this.stride * 8);
    new Int32Array(kernel.memory.buffer, this.listAt, count).set(rows.subarray(0, count));
    new Float64Array(kernel.memory.buffer, xsAt, count).set(xs.subarray(0, count));
    kernel.weightedRowSum(0, this.stride, this.listAt, xsAt, count, outAt);
    out.set(new Float64Array(kernel.memory.buffer, outAt, this.size));
  }
}

const byWeights = new WeakMap<Float32Array, WeightedRows>();

/** The kernel copy of a weight matrix, made on first use and kept while the matrix lives. */
export function weightedRowsFor(weights: Float32Array, size: number): WeightedRows {
  let found = byWeights.get(weights);
  if (found === undefined || found.size !== size) {
    found = new WeightedRows(weights, size);
    byWeights.set(weights, found);
  }
  return found;
}
