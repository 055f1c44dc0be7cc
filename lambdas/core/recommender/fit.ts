import { trainAlsOnMatrices, type AlsModel } from '../als/index.ts';
import { buildRatingMatrices, type RatingMatrices } from '../matrix/csr.ts';
import { fitNeighbours } from '../neighbours/ease.ts';
import type { NeighbourModel } from '../neighbours/model.ts';
import { resolveNeighbourSettings } from '../neighbours/options.ts';
import type { RatingsTable } from '../ratings.ts';
import { prepareRecommender, type Recommender } from '../serving/recommender.ts';
import { DEFAULT_RECOMMENDER_OPTIONS, type RecommenderOptions } from './options.ts';

/** Ratings per dense item of the matrices (the support the ranking policy and EASE use). */
export function itemSupport(matrices: RatingMatrices): Int32Array {
  const { byItem } = matrices;
  return Int32Array.from(
    { length: byItem.rows.length },
    (_, r) => byItem.rowPtr[r + 1]! - byItem.rowPtr[r]!,
  );
}

export interface FittedRecommender {
  readonly recommender: Recommender;
  readonly ranking: AlsModel;
  readonly neighbours: NeighbourModel | null;
  readonly seconds: { ranking: number; neighbours: number };
}

/** The implicit ALS half of the ranking model. */
export function fitRankingAls(matrices: RatingMatrices, options: RecommenderOptions): AlsModel {
  return trainAlsOnMatrices(matrices, { ...options.als, trackTrainRmse: false });
}

/** The EASE half, or null when the options turn it off. */
export function fitNeighbourModel(
  matrices: RatingMatrices,
  options: RecommenderOptions,
): NeighbourModel | null {
  if (options.neighbours === false) return null;
  return fitNeighbours(
    matrices,
    itemSupport(matrices),
    resolveNeighbourSettings(options.neighbours),
  );
}

/**
 * Fits the product's ranking model in this process: the same two models the train state machine
 * fits block by block, prepared for serving exactly as the API prepares them.
 */
export function fitRecommender(
  train: RatingsTable,
  options: RecommenderOptions = DEFAULT_RECOMMENDER_OPTIONS,
): FittedRecommender {
  const matrices = buildRatingMatrices(train);
  let started = performance.now();
  const ranking = fitRankingAls(matrices, options);
  const rankingSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const neighbours = fitNeighbourModel(matrices, options);
  const neighbourSeconds = (performance.now() - started) / 1000;
  return {
    recommender: prepareRecommender({
      ranking,
      neighbours,
      blend: neighbours ? options.blend : 0,
      support: itemSupport(matrices),
      policy: options.policy,
    }),
    ranking,
    neighbours,
    seconds: { ranking: rankingSeconds, neighbours: neighbourSeconds },
  };
}
