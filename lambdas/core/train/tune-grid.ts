/** One point of the (rank, reg) grid the old project searched, trained on the validation split. */
export interface TuneCandidate {
  readonly index: number;
  readonly rank: number;
  readonly reg: number;
}

export interface TuneResult extends TuneCandidate {
  /** Validation RMSE; null for a model that could not be scored. */
  readonly rmse: number | null;
  readonly seconds: number;
}

export interface TuneGrid {
  readonly ranks: readonly number[];
  readonly regs: readonly number[];
}

/** Around the calibrated defaults (rank 20, λ 0.15): the plateau and both of its edges. */
export const DEFAULT_TUNE_GRID: TuneGrid = { ranks: [10, 20, 32], regs: [0.1, 0.15, 0.2] };

export function tuneCandidates(grid: TuneGrid): TuneCandidate[] {
  if (grid.ranks.length === 0 || grid.regs.length === 0) throw new RangeError('empty tuning grid');
  for (const rank of grid.ranks) {
    if (!Number.isInteger(rank) || rank < 1 || rank > 1024) {
      throw new RangeError(`tuning rank must be an integer in [1, 1024], got ${rank}`);
    }
  }
  for (const reg of grid.regs) {
    if (!Number.isFinite(reg) || reg < 0)
      throw new RangeError(`tuning reg must be ≥ 0, got ${reg}`);
  }
  return grid.ranks
    .flatMap((rank) => grid.regs.map((reg) => ({ rank, reg })))
    .map((point, index) => ({ index, ...point }));
}

/** Lowest validation RMSE wins; ties go to the earlier grid point, so the choice is stable. */
export function bestCandidate(results: readonly TuneResult[]): TuneResult {
  const score = (r: TuneResult): number =>
    r.rmse === null || Number.isNaN(r.rmse) ? Infinity : r.rmse;
  const sorted = [...results].sort((a, b) => score(a) - score(b) || a.index - b.index);
  const best = sorted[0];
  if (!best || score(best) === Infinity) throw new Error('no tuning candidate could be scored');
  return best;
}
