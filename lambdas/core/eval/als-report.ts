import {
  predict,
  recommendForUser,
  trainAls,
  type AlsModel,
  type AlsOptions,
} from '../als/index.ts';
import type { RatingsTable } from '../ratings.ts';
import type { RatingPredictor, Recommender } from './baselines.ts';
import { baselineReport, evaluatePredictor, evaluateRanking } from './evaluate.ts';
import { gridSearch, type AlsGridParams, type ParamGrid } from './grid-search.ts';
import { rankingMetricRecord } from './metrics.ts';
import { hashSplit } from './split.ts';

/** Movies each user rated in `table`, so ranking never rewards recommending what was seen. */
export function seenByUser(table: RatingsTable): Map<number, number[]> {
  const seen = new Map<number, number[]>();
  for (let i = 0; i < table.length; i++) {
    const user = table.userIds[i]!;
    let list = seen.get(user);
    if (!list) seen.set(user, (list = []));
    list.push(table.movieIds[i]!);
  }
  return seen;
}

export function alsPredictor(model: AlsModel): RatingPredictor {
  return (userId, movieId) => predict(model, userId, movieId);
}

export function alsRecommender(model: AlsModel, train: RatingsTable): Recommender {
  const seen = seenByUser(train);
  return (userId, k) =>
    recommendForUser(model, userId, k, seen.get(userId) ?? []).map((m) => m.movieId);
}

export interface AlsEvaluation {
  /** Test RMSE/MAE of predicted ratings (for implicit models: of preference scores, not stars). */
  rmse: number;
  mae: number;
  [metric: `${string}@${number}`]: number;
  trainSeconds: number;
  train: number;
  test: number;
  params: Record<string, unknown>;
  history: AlsModel['history'];
  baselines: {
    globalMean: { rmse: number; mae: number };
    biasOnly: { rmse: number; mae: number };
    popularity: Record<string, number>;
  };
}

/** Trains ALS on `train` and reports it on `test` beside the global-mean, bias and popularity baselines. */
export function evaluateAls(
  train: RatingsTable,
  test: RatingsTable,
  options: AlsOptions,
  k = 10,
): AlsEvaluation {
  const started = performance.now();
  const model = trainAls(train, options);
  const trainSeconds = (performance.now() - started) / 1000;
  const errors = evaluatePredictor(alsPredictor(model), test);
  const ranking = evaluateRanking(alsRecommender(model, train), train, test, { k });
  const baselines = baselineReport(train, test, { k });
  const { rank, reg, iterations, implicit, alpha, biases, biasReg, seed } = model.options;
  const { solver, cgSteps, unobservedWeight, regExponent } = model.options;
  return {
    rmse: errors.rmse,
    mae: errors.mae,
    ...rankingMetricRecord(ranking),
    trainSeconds,
    train: train.length,
    test: test.length,
    // The solver settings too: an implicit report says whether it measured the product's CG model.
    params: {
      rank,
      reg,
      iterations,
      implicit,
      alpha,
      biases,
      biasReg,
      seed,
      solver,
      cgSteps,
      unobservedWeight,
      regExponent,
    },
    history: model.history,
    baselines: {
      globalMean: { rmse: baselines.globalMean.rmse, mae: baselines.globalMean.mae },
      biasOnly: { rmse: baselines.biasOnly.rmse, mae: baselines.biasOnly.mae },
      popularity: rankingMetricRecord(baselines.popularity),
    },
  };
}

export const DEFAULT_TUNING_GRID: ParamGrid<AlsGridParams> = {
  rank: [10, 20, 32],
  reg: [0.1, 0.15, 0.2],
  iterations: [10, 15],
};

/**
 * The old project's grid search done properly: candidates are compared on a validation split carved
 * out of the training data (by hash), never on the test set; the winner is then trained on all of it.
 */
export async function tuneAls(
  train: RatingsTable,
  base: AlsOptions,
  grid: ParamGrid<AlsGridParams> = DEFAULT_TUNING_GRID,
  onResult?: (params: AlsGridParams, validationRmse: number) => void,
) {
  const { train: fit, test: validation } = hashSplit(train, { test: 0.125, seed: 7919 });
  const search = await gridSearch(
    grid,
    (params) => alsPredictor(trainAls(fit, { ...base, ...params, trackTrainRmse: false })),
    validation,
    onResult ? { onResult: (r) => onResult(r.params, r.rmse) } : {},
  );
  return search;
}
