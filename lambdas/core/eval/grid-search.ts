import type { RatingsTable } from '../ratings.ts';
import type { RatingPredictor } from './baselines.ts';
import { evaluatePredictor } from './evaluate.ts';

/** The grid the old project searched (rank × reg), plus iterations. Any other keys work too. */
export interface AlsGridParams {
  rank: number;
  reg: number;
  iterations: number;
}

export type ParamGrid<P> = { readonly [K in keyof P]: readonly P[K][] };

export interface GridSearchResult<P> {
  params: P;
  /** On the validation set. */
  rmse: number;
  mae: number;
  trainSeconds: number;
}

export interface GridSearchOptions<P> {
  /** Called after each setting is trained and scored, e.g. for a progress bar. */
  onResult?: (result: GridSearchResult<P>, done: number, total: number) => void;
}

/**
 * Trains one model per point of the grid and ranks them by validation RMSE. Takes a training
 * function rather than a model type so that it scores ALS, baselines or anything else alike; the
 * test set never enters, so the chosen setting can then be reported on test honestly.
 */
export async function gridSearch<P extends object>(
  grid: ParamGrid<P>,
  train: (params: P) => RatingPredictor | Promise<RatingPredictor>,
  validation: RatingsTable,
  options: GridSearchOptions<P> = {},
): Promise<{ results: GridSearchResult<P>[]; best: GridSearchResult<P> }> {
  if (validation.length === 0) throw new RangeError('grid search needs a non-empty validation set');
  const points = expandGrid(grid);
  if (points.length === 0) throw new RangeError('the parameter grid is empty');
  const results: GridSearchResult<P>[] = [];
  for (const params of points) {
    const started = performance.now();
    const predict = await train(params);
    const trainSeconds = (performance.now() - started) / 1000;
    const { rmse, mae } = evaluatePredictor(predict, validation);
    const result = { params, rmse, mae, trainSeconds };
    results.push(result);
    options.onResult?.(result, results.length, points.length);
  }
  // Stable sort: equal scores keep grid order. A diverged model (NaN) sorts last.
  const score = (r: GridSearchResult<P>): number => (Number.isNaN(r.rmse) ? Infinity : r.rmse);
  results.sort((a, b) => score(a) - score(b));
  return { results, best: results[0]! };
}

/** Every combination of the grid's values, the first key varying slowest. */
export function expandGrid<P extends object>(grid: ParamGrid<P>): P[] {
  let points: Record<string, unknown>[] = [{}];
  for (const key of Object.keys(grid)) {
    const values = grid[key as keyof P] as readonly unknown[];
    points = points.flatMap((point) => values.map((value) => ({ ...point, [key]: value })));
  }
  return points as P[];
}
