import {
  DEFAULT_ALS_OPTIONS,
  resolveAlsOptions,
  trainAlsOnMatrices,
  warmStartFactors,
  warmStartMismatch,
  type AlsModel,
  type AlsOptions,
} from '../../../lambdas/core/als/index.ts';
import { hashSplit } from '../../../lambdas/core/eval/split.ts';
import { buildRatingMatrices } from '../../../lambdas/core/matrix/csr.ts';
import { IdMap } from '../../../lambdas/core/matrix/id-map.ts';
import type { RatingsTable } from '../../../lambdas/core/ratings.ts';
import { plannedHeadOptions } from '../../../lambdas/core/train/heads.ts';
import {
  errorSumOfRatings,
  rmseOfErrorSums,
} from '../../../lambdas/core/train/prediction-error.ts';

export interface InProcessTrainOptions {
  /** Fraction held out for the fit's validation RMSE (the run's `validation`, default 0.2). */
  readonly validation?: number;
  /** The run's `splitSeed` (default 0). */
  readonly splitSeed?: number;
  /** Iterations over every rating after the fit (the run's `refitIterations`; default 0 here). */
  readonly refitIterations?: number;
  /** The ranking model's settings over the product defaults (the run's `ranking`). */
  readonly ranking?: AlsOptions;
  /** Warm start: both models start from these (the run's `warmStart` from the active model). */
  readonly warmFrom?: { readonly rating: AlsModel | null; readonly ranking: AlsModel | null };
}

export interface InProcessTrainResult {
  /** The rating model (explicit ALS) as a run publishes it: fitted, then refitted. */
  readonly model: AlsModel;
  /** The ranking model (implicit ALS), fitted and refitted alongside. */
  readonly ranking: AlsModel;
  /** Validation RMSE of the rating model after the fit phase (null without a split). */
  readonly rmse: number | null;
  /** Per model: whether it started from `warmFrom` (false: hash-seeded, e.g. another rank). */
  readonly warm: { readonly rating: boolean; readonly ranking: boolean };
  /** Seconds in ALS, both models, fit and refit. */
  readonly seconds: number;
}

/**
 * What the train state machine computes for both ALS models, in this process: the fit on the
 * training split of `hashSplit(table, validation, splitSeed)` with id maps over every rating,
 * then `refitIterations` more on every rating from the fitted factors. A distributed run equals
 * it bit for bit (test/integration/train.test.ts), warm start included.
 */
export function trainLikePipeline(
  table: RatingsTable,
  options: AlsOptions,
  {
    validation = 0.2,
    splitSeed = 0,
    refitIterations = 0,
    ranking = {},
    warmFrom,
  }: InProcessTrainOptions = {},
): InProcessTrainResult {
  const split = hashSplit(table, { test: validation, seed: splitSeed });
  const maps = { userIds: IdMap.fromIds(table.userIds), itemIds: IdMap.fromIds(table.movieIds) };
  const fitMatrices = buildRatingMatrices(split.train, maps);
  const allMatrices = buildRatingMatrices(table, maps);
  const planned = plannedHeadOptions(
    { rating: options, ranking },
    options.iterations ?? DEFAULT_ALS_OPTIONS.iterations,
  );
  const started = performance.now();
  const both = (headOptions: AlsOptions, from: AlsModel | null | undefined) => {
    const resolved = resolveAlsOptions(headOptions, { ratingMin: 0, ratingMax: 0 });
    const warm = from && !warmStartMismatch(from, resolved);
    const start = warm ? warmStartFactors(from, maps.userIds, maps.itemIds, resolved) : undefined;
    const fitted = trainAlsOnMatrices(fitMatrices, headOptions, start);
    if (validation === 0 || refitIterations === 0) return { fitted, published: fitted, warm };
    const { ratingMin, ratingMax } = fitted.options;
    const published = trainAlsOnMatrices(
      allMatrices,
      { ...headOptions, iterations: refitIterations, ratingMin, ratingMax },
      fitted,
    );
    return { fitted, published, warm };
  };
  const rating = both(planned.rating, warmFrom?.rating);
  const rankingHead = both(planned.ranking, warmFrom?.ranking);
  const seconds = (performance.now() - started) / 1000;
  return {
    model: rating.published,
    ranking: rankingHead.published,
    // The run reports the fit's validation RMSE; a fit of 0 iterations has none.
    rmse:
      validation > 0 && rating.fitted.history.length > 0
        ? rmseOfErrorSums([errorSumOfRatings(rating.fitted, split.test)])
        : null,
    warm: { rating: Boolean(rating.warm), ranking: Boolean(rankingHead.warm) },
    seconds,
  };
}
