import type { AlsModel } from '../als/model.ts';
import type { CsrBlock } from '../matrix/csr.ts';
import { IdMap } from '../matrix/id-map.ts';

/**
 * Movies with few ratings get confident-looking factors from almost no evidence (one 5-star rating
 * pushes a movie's bias up), so recommendations and neighbours are drawn from movies with at least
 * a minimum number of ratings, the old project's filter. Rather than teach every ranking function
 * a mask, the model is narrowed to those movies: scoring then also skips them entirely.
 */
export interface NarrowedModel {
  readonly model: AlsModel;
  /** Dense item index in the full model → index in the narrowed one, or -1 when left out. */
  readonly remap: Int32Array;
}

export function narrowToSupportedItems(
  model: AlsModel,
  support: Int32Array,
  minRatings: number,
): NarrowedModel {
  const { rank, itemIds } = model;
  if (support.length !== itemIds.size) throw new Error('item support does not match the model');
  const remap = new Int32Array(itemIds.size).fill(-1);
  const kept: number[] = [];
  for (let i = 0; i < itemIds.size; i++) {
    if (support[i]! >= minRatings) {
      remap[i] = kept.length;
      kept.push(i);
    }
  }
  const itemFactors = new Float32Array(kept.length * rank);
  const itemBias = model.itemBias ? new Float32Array(kept.length) : undefined;
  kept.forEach((i, k) => {
    itemFactors.set(model.itemFactors.subarray(i * rank, (i + 1) * rank), k * rank);
    if (itemBias) itemBias[k] = model.itemBias![i]!;
  });
  const narrowed: AlsModel = {
    ...model,
    itemIds: IdMap.fromSortedUnique(Int32Array.from(kept, (i) => itemIds.ids[i]!)),
    itemFactors,
    ...(itemBias ? { itemBias } : {}),
  };
  return { model: narrowed, remap };
}

/** The block with its columns renumbered by `remap`, dropping columns mapped to -1. */
export function remapColumns(block: CsrBlock, remap: Int32Array, numCols: number): CsrBlock {
  const rowPtr = new Int32Array(block.rows.length + 1);
  const cols: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < block.rows.length; r++) {
    for (let k = block.rowPtr[r]!; k < block.rowPtr[r + 1]!; k++) {
      const c = remap[block.colIdx[k]!]!;
      if (c < 0) continue;
      cols.push(c); // remap is increasing, so columns stay ascending
      values.push(block.values[k]!);
    }
    rowPtr[r + 1] = cols.length;
  }
  return {
    rows: block.rows,
    rowPtr,
    colIdx: Int32Array.from(cols),
    values: Float32Array.from(values),
    totalRows: block.totalRows,
    numCols,
  };
}
