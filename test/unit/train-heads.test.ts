/**
 * The run's two ALS models, `rating` and `ranking`, from the request to the stored files: the
 * request's older name for `rating`, the ranges the CLI reads, and the shapes older versions wrote.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALS_OPTIONS, resolveAlsOptions } from '../../lambdas/core/als/index.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import {
  HEAD_DEFAULTS,
  modelParamsOf,
  plannedHeadOptions,
  runPlanOf,
  runSettingsOf,
  type StoredRunPlan,
  type StoredRunSettings,
} from '../../lambdas/core/train/heads.ts';
import {
  TRAIN_LIMITS,
  TrainRequestError,
  resolveTrainRequest,
} from '../../lambdas/core/train/train-request.ts';
import type { TrainRequest } from '../../lambdas/core/train/workflow-types.ts';

const context = { runId: 'als-test', executionName: 'exec', dataset: 'd', now: new Date(0) };
const plan = (request: TrainRequest) => resolveTrainRequest(request, context);

describe('a train request', () => {
  it('sets the rating model under `rating`, or under its older name `options`', () => {
    expect(plan({ rating: { rank: 8 }, ranking: { rank: 16 } }).heads).toEqual({
      rating: { rank: 8 },
      ranking: { rank: 16 },
    });
    expect(plan({ options: { rank: 8 } }).heads.rating).toEqual({ rank: 8 });
    expect(() => plan({ rating: { rank: 8 }, options: { rank: 8 } })).toThrow(
      /rating or its older name options, not both/,
    );
  });

  it('is refused at the ranges the CLI reads (TRAIN_LIMITS), and accepted inside them', () => {
    const { rank, validation } = TRAIN_LIMITS;
    expect(plan({ rating: { rank: rank.max } }).heads.rating.rank).toBe(rank.max);
    expect(plan({ ranking: { rank: rank.max } }).heads.ranking.rank).toBe(rank.max);
    for (const bad of [
      { rating: { rank: rank.max + 1 } },
      { rating: { rank: rank.min - 1 } },
      { ranking: { rank: rank.max + 1 } },
      { validation: validation.below },
      { validation: validation.min - 0.01 },
    ]) {
      expect(() => plan(bad), JSON.stringify(bad)).toThrow(TrainRequestError);
    }
    expect(plan({ validation: validation.below - 0.005 }).validation).toBe(0.895);
  });
});

describe('each model’s planned options', () => {
  it('put the product’s ranking defaults under the request, with the shared iterations and seed', () => {
    const planned = plannedHeadOptions({ rating: { rank: 8, seed: 3 }, ranking: { rank: 16 } }, 7);
    expect(planned.rating).toEqual({ rank: 8, seed: 3, iterations: 7 });
    expect(planned.ranking).toEqual({
      ...DEFAULT_RECOMMENDER_OPTIONS.als,
      rank: 16,
      seed: 3,
      iterations: 7,
    });
    const unseen = { ratingMin: 0, ratingMax: 0 };
    expect(
      resolveAlsOptions(plannedHeadOptions({ rating: {}, ranking: {} }, 15).ranking, unseen),
    ).toMatchObject({ ...HEAD_DEFAULTS.ranking, ...unseen });
    expect(HEAD_DEFAULTS.rating).toBe(DEFAULT_ALS_OPTIONS);
  });
});

describe('stored runs and model rows written before the models were named', () => {
  const rating = resolveAlsOptions({ rank: 8 }, { ratingMin: 0.5, ratingMax: 5 });
  const ranking = resolveAlsOptions(
    { ...DEFAULT_RECOMMENDER_OPTIONS.als, rank: 16 },
    { ratingMin: 0.5, ratingMax: 5 },
  );

  it('read plan.json with `options` and `ranking` as today’s `heads`', () => {
    const today = plan({ rating: { rank: 8 }, ranking: { rank: 16 } });
    const { heads, ...rest } = today;
    const older = { ...rest, options: heads.rating, ranking: heads.ranking } as StoredRunPlan;
    expect(runPlanOf(older)).toEqual(today);
    expect(runPlanOf(today)).toBe(today);
  });

  it('read settings.json with `options` and `ranking` as today’s `heads`', () => {
    const rest = { neighbours: null, blend: 0, tuned: {} };
    const older = { options: rating, ranking, ...rest } as StoredRunSettings;
    const today = { heads: { rating, ranking }, ...rest };
    expect(runSettingsOf(older)).toEqual(today);
    expect(runSettingsOf(today)).toBe(today);
  });

  it('read a model row’s params with the rating model’s settings on top as `params.rating`', () => {
    const ratingParams = { rank: 20, reg: 0.15, biasReg: 2, iterations: 15, implicit: false };
    const more = { alpha: 1, biases: true, solver: 'cholesky', cgSteps: 3, seed: 42 };
    const runParams = { blocks: 4, ranking: { rank: 64, reg: 0.01 }, blend: 0.5 };
    expect(modelParamsOf({ ...ratingParams, ...more, ...runParams })).toEqual({
      rating: { ...ratingParams, ...more },
      ...runParams,
    });
    const today = { rating: { rank: 20 }, ...runParams };
    expect(modelParamsOf(today)).toBe(today);
    expect(modelParamsOf({})).toEqual({});
  });
});
