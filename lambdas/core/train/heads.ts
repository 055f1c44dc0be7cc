import {
  DEFAULT_ALS_OPTIONS,
  resolveAlsOptions,
  type AlsOptions,
  type ResolvedAlsOptions,
} from '../als/index.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../recommender/options.ts';
import type { Head } from './run-layout.ts';
import type {
  RunPlan,
  RunSettings,
  TrainRankingOptions,
  TrainRatingOptions,
} from './workflow-types.ts';

/**
 * A run trains two ALS models ("heads") on the same blocks: `rating`, explicit ALS that predicts
 * the stars (the run's RMSE), and `ranking`, implicit ALS that orders the lists (blended with the
 * neighbour model). Each keeps its name from the flag to the file: `--rating-rank` and
 * `--ranking-rank`, the request's `rating` and `ranking`, the plan's and settings.json's `heads`,
 * the model row's `params.rating` and `params.ranking`.
 */

type HeadDefaults = Readonly<Omit<ResolvedAlsOptions, 'ratingMin' | 'ratingMax'>>;

function resolvedDefaults(options: AlsOptions): HeadDefaults {
  const {
    ratingMin: _min,
    ratingMax: _max,
    ...rest
  } = resolveAlsOptions(options, {
    ratingMin: 0,
    ratingMax: 0,
  });
  return rest;
}

/** Each head's settings where a request leaves them out (the CLI's help prints these). */
export const HEAD_DEFAULTS: Readonly<Record<Head, HeadDefaults>> = {
  rating: DEFAULT_ALS_OPTIONS,
  ranking: resolvedDefaults(DEFAULT_RECOMMENDER_OPTIONS.als),
};

/** What a request, a plan or the in-process reference sets of each head. */
export interface HeadRequests {
  readonly rating: AlsOptions;
  readonly ranking: AlsOptions;
}

/**
 * Both heads' ALS options as the plan fixes them, before the data is seen: the one place the
 * ranking head takes the product's defaults under the request's values. Both share the fit's
 * iterations and the rating settings' seed. Init adds the block grain, the observed rating range
 * and the tuned α₀; tuning fits the ranking head alone; block-count sizes the tasks from them.
 */
export function plannedHeadOptions(
  heads: HeadRequests,
  iterations: number,
): Record<Head, AlsOptions> {
  const { rating, ranking } = heads;
  return {
    rating: { ...rating, iterations },
    ranking: {
      ...DEFAULT_RECOMMENDER_OPTIONS.als,
      ...ranking,
      ...(rating.seed !== undefined ? { seed: rating.seed } : {}),
      iterations,
    },
  };
}

/** What a request's `rating` may set (train-request.ts refuses other keys). */
export const RATING_OPTION_KEYS: readonly (keyof TrainRatingOptions)[] = [
  'rank',
  'reg',
  'biasReg',
  'iterations',
  'implicit',
  'alpha',
  'biases',
  'solver',
  'cgSteps',
  'seed',
];

/** The rating head's settings as the model row records them (`params.rating`). */
export function ratingParams(options: ResolvedAlsOptions) {
  const { rank, reg, biasReg, iterations, implicit, alpha, biases, solver, cgSteps, seed } =
    options;
  return { rank, reg, biasReg, iterations, implicit, alpha, biases, solver, cgSteps, seed };
}

/** The ranking head's settings as the model row records them (`params.ranking`). */
export function rankingParams(options: ResolvedAlsOptions) {
  const { rank, reg, alpha, unobservedWeight, regExponent, solver, cgSteps } = options;
  return { rank, reg, alpha, unobservedWeight, regExponent, solver, cgSteps };
}

// Reading what older versions wrote. Runs and model rows outlive upgrades (a deployed bucket keeps
// runs a user may resume; the models table keeps every version), so each reader takes the shape
// written before the heads were named alongside today's.

/** plan.json before the heads were named: the rating head's request was `options`. */
interface PlanBeforeHeads extends Omit<RunPlan, 'heads'> {
  readonly options: TrainRatingOptions;
  readonly ranking: TrainRankingOptions;
}

export type StoredRunPlan = RunPlan | PlanBeforeHeads;

/** An older stored file with the rating head's `options` and `ranking` moved under `heads`. */
function withHeads<R, K, T extends { readonly options: R; readonly ranking: K }>(older: T) {
  const { options, ranking, ...rest } = older;
  return { ...rest, heads: { rating: options, ranking } };
}

/** A stored plan in today's shape, whichever version wrote it. */
export function runPlanOf(stored: StoredRunPlan): RunPlan {
  return 'heads' in stored ? stored : withHeads(stored);
}

/** settings.json before the heads were named: the rating head was `options`. */
interface SettingsBeforeHeads extends Omit<RunSettings, 'heads'> {
  readonly options: ResolvedAlsOptions;
  readonly ranking: ResolvedAlsOptions;
}

export type StoredRunSettings = RunSettings | SettingsBeforeHeads;

/** Stored settings in today's shape, whichever version wrote them. */
export function runSettingsOf(stored: StoredRunSettings): RunSettings {
  return 'heads' in stored ? stored : withHeads(stored);
}

/**
 * A model row's params in today's shape (`rating` and `ranking` nested), whichever version wrote
 * them: older rows kept the rating head's settings at the top (`params.rank` was its rank).
 */
export function modelParamsOf(stored: Record<string, unknown>): Record<string, unknown> {
  if (typeof stored.rating === 'object' || !('rank' in stored)) return stored;
  const rating: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    // The keys a rating request may set are the ones older rows kept at the top.
    if ((RATING_OPTION_KEYS as readonly string[]).includes(key)) rating[key] = value;
    else rest[key] = value;
  }
  return { rating, ...rest };
}
