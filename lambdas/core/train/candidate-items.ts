import type { AlsModel } from '../als/model.ts';
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
