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
  /**
   * w, the neighbour model's share of the blend. 0.4 since 2026-12-08 (issue 23; 0.5 before):
   * re-chosen with today's fold-in (the recency weight and the low-star rules) on validation users
   * of four shapes × seeds 0–2, w ∈ {0.4, 0.5, 0.6} × boost ∈ {1, 2, 3}: against w 0.5, random
   * order NDCG@100 0.4098 → 0.4113 and NDCG@10 0.3321 → 0.3335 (mean over the shapes), time
   * order NDCG@10 0.1389 → 0.1394, Coverage@10 up under both orders (0.0714 → 0.0734 random,
   * 0.0778 → 0.0798 time); boost 1 gains more random NDCG@100 but loses Coverage@10, boost 3 and
   * w 0.6 lose the random order (docs/benchmarks.md, "The blend and the liked-movie boost").
   */
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
  blend: 0.4,
  policy: { minRatings: 1, popularityWeight: 0 },
};
