import { IdMap } from '../matrix/id-map.ts';
import type { RatingsTable } from '../ratings.ts';
import {
  biasPredictor,
  fitBiases,
  globalMeanPredictor,
  popularityRecommender,
  type BiasOptions,
  type RatingPredictor,
  type Recommender,
} from './baselines.ts';
import {
  DEFAULT_RELEVANCE_THRESHOLD,
  mae,
  rankingMetrics,
  relevantItems,
  rmse,
  type RankingMetrics,
} from './metrics.ts';

export interface ErrorMetrics {
  rmse: number;
  mae: number;
  count: number;
}

/** The predictor's rating for every row of the table, in row order. */
export function predictAll(predict: RatingPredictor, table: RatingsTable): Float32Array {
  const out = new Float32Array(table.length);
  for (let i = 0; i < table.length; i++) out[i] = predict(table.userIds[i]!, table.movieIds[i]!);
  return out;
}

export function evaluatePredictor(predict: RatingPredictor, table: RatingsTable): ErrorMetrics {
  const predicted = predictAll(predict, table);
  return {
    rmse: rmse(predicted, table.ratings),
    mae: mae(predicted, table.ratings),
    count: table.length,
  };
}

export interface RankingOptions {
  k?: number;
  /** Test ratings at or above this are the relevant items (default 4.0). */
  threshold?: number;
  /** Denominator of coverage; defaults to the number of distinct movies in `train`. */
  catalogueSize?: number;
}

/**
 * Asks the recommender for each test user with at least one relevant test rating and scores the
 * lists. The recommender must exclude what the user rated in training, or it would be rewarded for
 * recommending movies already seen.
 */
export function evaluateRanking(
  recommend: Recommender,
  train: RatingsTable,
  test: RatingsTable,
  options: RankingOptions = {},
): RankingMetrics {
  const k = options.k ?? 10;
  const relevant = relevantItems(test, options.threshold ?? DEFAULT_RELEVANCE_THRESHOLD);
  const lists = new Map<number, ArrayLike<number>>();
  for (const user of relevant.keys()) lists.set(user, recommend(user, k));
  const catalogueSize = options.catalogueSize ?? IdMap.fromIds(train.movieIds).size;
  return rankingMetrics(lists, relevant, { k, catalogueSize });
}

export interface BaselineReport {
  globalMean: ErrorMetrics;
  biasOnly: ErrorMetrics;
  /** Popularity ranks but does not predict ratings, so it has ranking metrics only. */
  popularity: RankingMetrics;
}

/** The three baselines trained on `train` and scored on `test`, for reporting beside a model. */
export function baselineReport(
  train: RatingsTable,
  test: RatingsTable,
  options: RankingOptions & { bias?: BiasOptions } = {},
): BaselineReport {
  return {
    globalMean: evaluatePredictor(globalMeanPredictor(train), test),
    biasOnly: evaluatePredictor(biasPredictor(fitBiases(train, options.bias)), test),
    popularity: evaluateRanking(popularityRecommender(train), train, test, options),
  };
}
