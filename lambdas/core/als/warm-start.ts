import type { IdMap } from '../matrix/id-map.ts';
import { ITEM_SALT, USER_SALT, initialFactorComponent } from './initial-factors.ts';
import type { AlsModel } from './model.ts';
import type { ResolvedAlsOptions } from './options.ts';

/**
 * Iteration-0 factors of a retraining run taken from an earlier model (a warm start): each user
 * and movie the earlier model knows starts from its factors (and bias), copied bit for bit; the
 * ones it does not know start where a cold run starts them (the hash-seeded factors, bias 0).
 * Rows follow the NEW id maps, so the result feeds `trainAlsOnMatrices(…, start)` in process and
 * the distributed run's iteration-0 files alike, and both stay bit-identical.
 */
export interface WarmStartFactors {
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
  readonly userBias?: Float32Array;
  readonly itemBias?: Float32Array;
  /** Rows found in the earlier model (the rest were hash-seeded). */
  readonly users: { readonly kept: number; readonly seeded: number };
  readonly items: { readonly kept: number; readonly seeded: number };
}

/**
 * Why an earlier model cannot seed a run with these settings, or null when it can. The factor
 * rows must have the run's rank; a model of the other kind (explicit vs implicit) would start the
 * solver far from its own solution, so it is refused too.
 */
export function warmStartMismatch(from: AlsModel, options: ResolvedAlsOptions): string | null {
  if (from.rank !== options.rank) return `rank ${from.rank} ≠ ${options.rank}`;
  if (from.options.implicit !== options.implicit) {
    return from.options.implicit ? 'an implicit model' : 'an explicit model';
  }
  return null;
}

function side(
  from: { ids: IdMap; factors: Float32Array; bias: Float32Array | undefined },
  ids: IdMap,
  salt: number,
  { rank, seed, biases }: ResolvedAlsOptions,
) {
  const factors = new Float32Array(ids.size * rank);
  const bias = biases ? new Float32Array(ids.size) : undefined;
  let kept = 0;
  for (let i = 0; i < ids.size; i++) {
    const id = ids.ids[i]!;
    const j = from.ids.indexOf(id);
    if (j >= 0) {
      factors.set(from.factors.subarray(j * rank, (j + 1) * rank), i * rank);
      if (bias && from.bias) bias[i] = from.bias[j]!;
      kept++;
    } else {
      for (let k = 0; k < rank; k++) {
        factors[i * rank + k] = initialFactorComponent(id, k, rank, seed, salt);
      }
    }
  }
  return { factors, bias, kept, seeded: ids.size - kept };
}

/** The warm start of a run over `userIds` × `itemIds` from `from` (check `warmStartMismatch` first). */
export function warmStartFactors(
  from: AlsModel,
  userIds: IdMap,
  itemIds: IdMap,
  options: ResolvedAlsOptions,
): WarmStartFactors {
  const mismatch = warmStartMismatch(from, options);
  if (mismatch) throw new Error(`cannot warm-start from this model: ${mismatch}`);
  const userSide = { ids: from.userIds, factors: from.userFactors, bias: from.userBias };
  const itemSide = { ids: from.itemIds, factors: from.itemFactors, bias: from.itemBias };
  const users = side(userSide, userIds, USER_SALT, options);
  const items = side(itemSide, itemIds, ITEM_SALT, options);
  return {
    userFactors: users.factors,
    itemFactors: items.factors,
    ...(users.bias ? { userBias: users.bias } : {}),
    ...(items.bias ? { itemBias: items.bias } : {}),
    users: { kept: users.kept, seeded: users.seeded },
    items: { kept: items.kept, seeded: items.seeded },
  };
}
