import {
  heldOutMetrics,
  heldOutUsersSplit,
  type HeldOutMetrics,
  type HeldOutOrder,
} from '../eval/held-out-users.ts';
import { catalogueSize, recommenderLists } from '../eval/held-out-report.ts';
import { buildRatingMatrices } from '../matrix/csr.ts';
import type { NeighbourModel } from '../neighbours/model.ts';
import type { RatingsTable } from '../ratings.ts';
import { prepareRecommender } from '../serving/recommender.ts';
import { fitNeighbourModel, fitRankingAls, itemSupport } from './fit.ts';
import { DEFAULT_RECOMMENDER_OPTIONS, type RecommenderOptions } from './options.ts';

/**
 * What `--tune` searches: the implicit ALS's unobserved weight α₀, the neighbour model's λ and the
 * blend. Blend points need no refit (the two models are fitted once per (α₀, λ)), so the grid
 * costs |α₀| ALS fits and |λ| EASE fits. The train state machine runs one (α₀, λ) point per Map
 * item (lambdas/core/train/tune-grid.ts) with the same grid.
 */
export interface TuneGrid {
  readonly unobservedWeights: readonly number[];
  readonly neighbourRegs: readonly number[];
  readonly blends: readonly number[];
}

/**
 * Around the defaults (α₀ 0.1, λ 500, w 0.4; the w points were set around 0.5, the default before
 * 2026-12-08, and still span it): the plateau and both of its edges.
 */
export const DEFAULT_TUNE_GRID: TuneGrid = {
  unobservedWeights: [0.05, 0.1, 0.2],
  neighbourRegs: [250, 500, 1000],
  blends: [0.3, 0.5, 0.7],
};

/** The metric tuning maximizes: NDCG@100, the protocol's headline figure. */
export const TUNING_METRIC = 'ndcg@100' as const;

export interface TuneResult {
  readonly unobservedWeight: number;
  readonly neighbourReg: number;
  readonly blend: number;
  readonly validation: HeldOutMetrics;
}

/** Validation users for tuning: held out of the training users with a seed of their own. */
export const VALIDATION_SEED_OFFSET = 1000;

/**
 * Grid search on validation users held out of `train` (never the test users): returns the
 * options of the best point and every point's validation metrics, best first.
 */
export function tuneRecommender(
  train: RatingsTable,
  options: {
    seed?: number;
    /** The validation users' order: time-ordered test users are tuned for on time-ordered ones. */
    order?: HeldOutOrder;
    grid?: TuneGrid;
    base?: RecommenderOptions;
  } = {},
): { best: RecommenderOptions; results: TuneResult[] } {
  const grid = options.grid ?? DEFAULT_TUNE_GRID;
  const base = options.base ?? DEFAULT_RECOMMENDER_OPTIONS;
  const split = heldOutUsersSplit(train, {
    seed: (options.seed ?? 0) + VALIDATION_SEED_OFFSET,
    ...(options.order ? { order: options.order } : {}),
  });
  if (split.users.length === 0) throw new RangeError('too few eligible users to tune on');
  // Folded in without their rating times, so without the recency weight (FOLD_IN_RECENCY): the
  // training run's tuning Map (services/train/tune.ts) rebuilds the ratings from the solve
  // blocks, which hold no times, and a tuned point must be the same in process and on AWS.
  const validationUsers = split.users.map((user) => ({
    ...user,
    given: user.given.map(({ movieId, rating }) => ({ movieId, rating })),
  }));
  const catalogue = catalogueSize(train);
  const matrices = buildRatingMatrices(split.train);
  const support = itemSupport(matrices);
  const results: TuneResult[] = [];
  const neighbourFits = new Map<number, NeighbourModel | null>();
  const neighboursFor = (reg: number) => {
    if (!neighbourFits.has(reg)) {
      const settings = { ...(base.neighbours || {}), reg };
      neighbourFits.set(reg, fitNeighbourModel(matrices, { ...base, neighbours: settings }));
    }
    return neighbourFits.get(reg)!;
  };
  for (const unobservedWeight of grid.unobservedWeights) {
    const ranking = fitRankingAls(matrices, { ...base, als: { ...base.als, unobservedWeight } });
    for (const neighbourReg of grid.neighbourRegs) {
      const neighbours = neighboursFor(neighbourReg);
      for (const blend of grid.blends) {
        const recommender = prepareRecommender({
          ranking,
          neighbours,
          blend,
          support,
          policy: base.policy,
        });
        const lists = recommenderLists(recommender, validationUsers);
        const validation = heldOutMetrics(lists, validationUsers, catalogue);
        results.push({ unobservedWeight, neighbourReg, blend, validation });
      }
    }
  }
  results.sort((a, b) => b.validation[TUNING_METRIC] - a.validation[TUNING_METRIC]);
  const top = results[0]!;
  return {
    best: {
      ...base,
      als: { ...base.als, unobservedWeight: top.unobservedWeight },
      neighbours: { ...(base.neighbours || {}), reg: top.neighbourReg },
      blend: top.blend,
    },
    results,
  };
}
