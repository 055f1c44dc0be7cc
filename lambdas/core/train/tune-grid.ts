import type { TuneGrid } from '../recommender/tune.ts';

/**
 * One point of the ranking grid `--tune` searches (Map item): the ranking ALS's unobserved weight
 * α₀ and the neighbour model's λ; every blend weight is scored inside the task (the blend needs no
 * refit), on validation users held out of the training data.
 */
export interface TuneCandidate {
  readonly index: number;
  readonly unobservedWeight: number;
  readonly neighbourReg: number;
}

export interface TuneResult extends TuneCandidate {
  /** The best blend weight for this point. */
  readonly blend: number;
  /** Validation NDCG@100 at that blend; null for a point that could not be scored. */
  readonly ndcg: number | null;
  readonly seconds: number;
}

export { DEFAULT_TUNE_GRID, type TuneGrid } from '../recommender/tune.ts';

export function tuneCandidates(grid: TuneGrid): TuneCandidate[] {
  const { unobservedWeights, neighbourRegs, blends } = grid;
  if (unobservedWeights.length === 0 || neighbourRegs.length === 0 || blends.length === 0) {
    throw new RangeError('empty tuning grid');
  }
  for (const w of unobservedWeights) {
    if (!(w > 0 && w <= 1))
      throw new RangeError(`tuning unobservedWeight must be in (0, 1], got ${w}`);
  }
  for (const reg of neighbourRegs) {
    if (!(Number.isFinite(reg) && reg > 0))
      throw new RangeError(`tuning neighbour reg must be > 0, got ${reg}`);
  }
  for (const blend of blends) {
    if (!(blend >= 0 && blend <= 1))
      throw new RangeError(`tuning blend must be in [0, 1], got ${blend}`);
  }
  return unobservedWeights
    .flatMap((unobservedWeight) =>
      neighbourRegs.map((neighbourReg) => ({ unobservedWeight, neighbourReg })),
    )
    .map((point, index) => ({ index, ...point }));
}

/** Highest validation NDCG@100 wins; ties go to the earlier grid point, so the choice is stable. */
export function bestCandidate(results: readonly TuneResult[]): TuneResult {
  const score = (r: TuneResult): number =>
    r.ndcg === null || Number.isNaN(r.ndcg) ? -Infinity : r.ndcg;
  const sorted = [...results].sort((a, b) => score(b) - score(a) || a.index - b.index);
  const best = sorted[0];
  if (!best || score(best) === -Infinity) throw new Error('no tuning candidate could be scored');
  return best;
}
