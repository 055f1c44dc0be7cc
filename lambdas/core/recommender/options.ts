import type { AlsOptions } from '../als/index.ts';
import type { NeighbourSettings } from '../neighbours/options.ts';
import type { RankingPolicy } from '../serving/ranking.ts';

/**
 * Everything that defines the product's ranking model: the implicit ALS that scores every movie,
 * the neighbour model over the most-rated ones, and how the two are blended and filtered.
 */
export interface RecommenderOptions {
  readonly als: AlsOptions;
  /** EASE over the most-rated movies; false leaves the factor model alone. */
  readonly neighbours: Partial<NeighbourSettings> | false;
  /** w, the neighbour model's share of the blend. */
  readonly blend: number;
  readonly policy: RankingPolicy;
}

/**
 * The defaults every path publishes (`recsys train`, `npm run demo`, the stack's ingest → train
 * rule) and `recsys evaluate --protocol users` measures. Chosen on validation users (held out of
 * the training users, never the test users); the table is in lambdas/core/recommender/README.md.
 */
export const DEFAULT_RECOMMENDER_OPTIONS: RecommenderOptions = {
  als: {
    implicit: true,
    rank: 64,
    reg: 0.01,
    alpha: 0,
    unobservedWeight: 0.1,
    regExponent: 1,
    iterations: 15,
    solver: 'cg',
    cgSteps: 3,
  },
  neighbours: { maxItems: 2000, minSupport: 2, reg: 500, positiveBoost: 2, positiveThreshold: 4 },
  blend: 0.5,
  policy: { minRatings: 1, popularityWeight: 0 },
};
