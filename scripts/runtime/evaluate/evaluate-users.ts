import type { AlsOptions } from '../../../lambdas/core/als/index.ts';
import { diversityMetrics } from '../../../lambdas/core/eval/diversity-report.ts';
import {
  catalogueSize,
  popularityLists,
  recommenderLists,
  type HeldOutReport,
} from '../../../lambdas/core/eval/held-out-report.ts';
import {
  heldOutMetrics,
  heldOutUsersSplit,
  type HeldOutOrder,
} from '../../../lambdas/core/eval/held-out-users.ts';
import type { RatingsTable } from '../../../lambdas/core/ratings.ts';
import { fitRecommender } from '../../../lambdas/core/recommender/fit.ts';
import {
  DEFAULT_RECOMMENDER_OPTIONS,
  type RecommenderOptions,
} from '../../../lambdas/core/recommender/options.ts';
import { tuneRecommender, TUNING_METRIC } from '../../../lambdas/core/recommender/tune.ts';
import { UserError } from '../user-error.ts';

export interface UsersProtocolOptions {
  seed: number;
  /** Which of each held-out user's ratings are given; tuning's validation users use it too. */
  order: HeldOutOrder;
  tune: boolean;
  als: AlsOptions;
  blend?: number;
  neighbours: boolean;
  /** Also score the same users with given ratings at or below this folded in as dislikes. */
  dislikesAtMost?: number;
  /** Also score the same users with the diversity dial at this value (and at 0, for comparison). */
  diversity?: number;
  log: (line: string) => void;
}

/**
 * `recsys evaluate --protocol users`: the held-out-users split, the product's defaults (or the
 * tuned point) fitted on the other users, every held-out user's list from the code
 * `POST /recommendations` runs, and popularity on the same users.
 */
export function evaluateHeldOutUsers(
  table: RatingsTable,
  opts: UsersProtocolOptions,
): HeldOutReport & Record<string, unknown> {
  const split = heldOutUsersSplit(table, { seed: opts.seed, order: opts.order });
  if (split.users.length === 0) {
    throw new UserError(
      'no user qualifies for the users protocol (it needs users with at least 5 ratings ≥ 4)',
    );
  }
  let options: RecommenderOptions = {
    ...DEFAULT_RECOMMENDER_OPTIONS,
    als: { ...DEFAULT_RECOMMENDER_OPTIONS.als, ...opts.als },
    ...(opts.blend !== undefined ? { blend: opts.blend } : {}),
    ...(opts.neighbours ? {} : { neighbours: false }),
  };
  let tuning;
  if (opts.tune) {
    const search = tuneRecommender(split.train, {
      seed: opts.seed,
      order: opts.order,
      base: options,
    });
    options = search.best;
    tuning = search.results.map(({ validation, ...point }) => ({
      ...point,
      [`validation ${TUNING_METRIC}`]: validation[TUNING_METRIC],
    }));
    opts.log(`tune: best ${JSON.stringify(tuning[0])}`);
  }
  const started = performance.now();
  const fitted = fitRecommender(split.train, options);
  const trainSeconds = (performance.now() - started) / 1000;
  opts.log(
    `fitted on ${split.train.length} ratings in ${trainSeconds.toFixed(1)} s (ALS ${fitted.seconds.ranking.toFixed(1)} s, neighbours ${fitted.seconds.neighbours.toFixed(1)} s); ${split.users.length} held-out users`,
  );
  const catalogue = catalogueSize(table);
  const ours = heldOutMetrics(
    recommenderLists(fitted.recommender, split.users),
    split.users,
    catalogue,
  );
  // The same fit and users, low stars as a negative signal instead of weak positives.
  const dislikes =
    opts.dislikesAtMost === undefined
      ? undefined
      : {
          atMost: opts.dislikesAtMost,
          ...heldOutMetrics(
            recommenderLists(fitted.recommender, split.users, undefined, opts.dislikesAtMost),
            split.users,
            catalogue,
          ),
        };
  // The same fit and users with the diversity dial: each metric on the list length serving gives
  // (core/eval/diversity-report.ts), at the dial's 0 and at the value asked for.
  const diversity =
    opts.diversity === undefined
      ? undefined
      : [0, opts.diversity].map((d) =>
          diversityMetrics(fitted.recommender, split.users, split.train, catalogue, d),
        );
  const popularity = heldOutMetrics(
    popularityLists(split.train, split.users),
    split.users,
    catalogue,
  );
  return {
    protocol: 'users',
    ...ours,
    popularity,
    ...(dislikes ? { dislikes } : {}),
    ...(diversity ? { diversity: { off: diversity[0], on: diversity[1] } } : {}),
    train: split.train.length,
    heldOutUsers: split.heldOut,
    eligibleUsers: split.eligible,
    trainSeconds,
    seed: opts.seed,
    ...(opts.order === 'time' ? { order: opts.order } : {}),
    params: options,
    ...(tuning ? { tuning } : {}),
  };
}
