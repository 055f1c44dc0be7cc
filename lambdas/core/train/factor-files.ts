import { BinaryReader, BinaryWriter } from '../matrix/binary.ts';

/**
 * One side's factors after a half-step, whole (every row of the id map): what the next half-step's
 * block solves read as their fixed side, and the per-iteration checkpoint. Implicit runs carry the
 * Gram matrix YᵀY too (computed once, in fixed 1024-row chunks, instead of once per block).
 */
export interface SideFactors {
  readonly rank: number;
  /** rows × rank, row-major, in id-map order. */
  readonly factors: Float32Array;
  readonly bias?: Float32Array;
  /** Packed YᵀY of `factors` (implicit only). */
  readonly gram?: Float64Array;
}

/** One block's share of a half-step: its dense rows and their new factors. */
export interface BlockFactors {
  readonly rows: Int32Array;
  readonly factors: Float32Array;
  readonly bias?: Float32Array;
}

const SIDE_MAGIC = 'RSSIDEF1';
const BLOCK_MAGIC = 'RSBLKF01';
const VERSION = 1;
const HAS_BIAS = 1;
const HAS_GRAM = 2;

export function encodeSideFactors(side: SideFactors): Uint8Array {
  const flags = (side.bias ? HAS_BIAS : 0) | (side.gram ? HAS_GRAM : 0);
  const writer = new BinaryWriter(SIDE_MAGIC, VERSION).u32(side.rank).u32(flags);
  writer.array(side.factors);
  if (side.bias) writer.array(side.bias);
  if (side.gram) writer.array(side.gram);
  return writer.finish();
}

export function decodeSideFactors(bytes: Uint8Array): SideFactors {
  const reader = new BinaryReader(bytes, SIDE_MAGIC, [VERSION]);
  const rank = reader.u32();
  const flags = reader.u32();
  const factors = reader.f32Array();
  const bias = flags & HAS_BIAS ? reader.f32Array() : undefined;
  const gram = flags & HAS_GRAM ? reader.f64Array() : undefined;
  if (rank < 1 || factors.length % rank !== 0) throw new Error('corrupt factor file: bad shape');
  if (bias && bias.length * rank !== factors.length) throw new Error('corrupt factor file: bias');
  return { rank, factors, ...(bias ? { bias } : {}), ...(gram ? { gram } : {}) };
}

export function encodeBlockFactors(block: BlockFactors): Uint8Array {
  const writer = new BinaryWriter(BLOCK_MAGIC, VERSION).u32(block.bias ? HAS_BIAS : 0);
  writer.array(block.rows).array(block.factors);
  if (block.bias) writer.array(block.bias);
  return writer.finish();
}

export function decodeBlockFactors(bytes: Uint8Array): BlockFactors {
  const reader = new BinaryReader(bytes, BLOCK_MAGIC, [VERSION]);
  const flags = reader.u32();
  const rows = reader.i32Array();
  const factors = reader.f32Array();
  const bias = flags & HAS_BIAS ? reader.f32Array() : undefined;
  return { rows, factors, ...(bias ? { bias } : {}) };
}

/** Copies each row of a block's result into the whole-side arrays. */
export function scatterBlock(
  block: BlockFactors,
  rank: number,
  into: { factors: Float32Array; bias?: Float32Array },
): void {
  const { rows, factors, bias } = block;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    into.factors.set(factors.subarray(r * rank, (r + 1) * rank), row * rank);
    if (bias && into.bias) into.bias[row] = bias[r]!;
  }
}

/** Per-item rating counts (train and validation) aligned with an id map: the support filter. */
export function encodeCounts(counts: Int32Array): Uint8Array {
  return new BinaryWriter('RSCOUNT1', VERSION).array(counts).finish();
}

export function decodeCounts(bytes: Uint8Array): Int32Array {
  return new BinaryReader(bytes, 'RSCOUNT1', [VERSION]).i32Array();
}
