/**
 * Issue 14, item 4, the pure parts: warm-start factors mapped by id, the request fields
 * `warmStart` / `ifNewData` and their defaults, and which console requests count as writes.
 */
import { describe, expect, it } from 'vitest';
import {
  ITEM_SALT,
  USER_SALT,
  initialFactors,
  resolveAlsOptions,
  trainAls,
  warmStartFactors,
  warmStartMismatch,
} from '../../lambdas/core/als/index.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import { DEFAULT_ALS_OPTIONS } from '../../lambdas/core/als/index.ts';
import {
  TRAIN_DEFAULTS,
  TrainRequestError,
  WARM_START_DEFAULTS,
  resolveTrainRequest,
} from '../../lambdas/core/train/train-request.ts';
import { dataChangeShard, DATA_CHANGE_SHARDS } from '../../lambdas/services/data-changes.ts';
import { API_ROUTES } from '../../lambdas/services/api/routes/index.ts';
import { isWriteRequest, WRITE_ROUTES } from '../../lambdas/core/api/write-routes.ts';
import { apiKeyAuth, apiKeyCheckFromEnv } from '../../lambdas/services/api/middleware/api-key.ts';

const { table } = generateRatingsTable({ ratings: 2_000, users: 40, movies: 90, seed: 3 });
const from = trainAls(table, { rank: 4, iterations: 2 });
const options = resolveAlsOptions({ rank: 4 }, { ratingMin: 0.5, ratingMax: 5 });

const row = (a: Float32Array, i: number, rank: number) =>
  Array.from(a.subarray(i * rank, (i + 1) * rank));

describe('warm-start factors', () => {
  // A later run: one user gone, two new users, a new movie.
  const userIds = IdMap.fromIds([...from.userIds.ids.slice(1), 5_000, 5_001]);
  const itemIds = IdMap.fromIds([...from.itemIds.ids, 77_777]);
  const start = warmStartFactors(from, userIds, itemIds, options);

  it('copies the rows of known ids bit for bit, biases included', () => {
    for (let i = 0; i < userIds.size; i++) {
      const j = from.userIds.indexOf(userIds.ids[i]!);
      if (j < 0) continue;
      expect(row(start.userFactors, i, 4)).toEqual(row(from.userFactors, j, 4));
      expect(start.userBias![i]).toBe(from.userBias![j]);
    }
    expect(start.users).toEqual({ kept: from.userIds.size - 1, seeded: 2 });
    expect(start.items).toEqual({ kept: from.itemIds.size, seeded: 1 });
  });

  it('seeds new ids exactly as a cold run does, bias 0', () => {
    const cold = {
      users: initialFactors(userIds, 4, options.seed, USER_SALT),
      items: initialFactors(itemIds, 4, options.seed, ITEM_SALT),
    };
    for (const id of [5_000, 5_001]) {
      const i = userIds.indexOf(id);
      expect(row(start.userFactors, i, 4)).toEqual(row(cold.users, i, 4));
      expect(start.userBias![i]).toBe(0);
    }
    const m = itemIds.indexOf(77_777);
    expect(row(start.itemFactors, m, 4)).toEqual(row(cold.items, m, 4));
    expect(start.itemBias![m]).toBe(0);
  });

  it('refuses a model of another rank or kind', () => {
    expect(warmStartMismatch(from, { ...options, rank: 5 })).toBe('rank 4 ≠ 5');
    expect(warmStartMismatch(from, { ...options, implicit: true })).toBe('an explicit model');
    expect(warmStartMismatch(from, options)).toBeNull();
    expect(() => warmStartFactors(from, userIds, itemIds, { ...options, rank: 5 })).toThrow(
      /cannot warm-start/,
    );
  });
});

describe('warmStart and ifNewData requests', () => {
  const context = {
    runId: 'als-test',
    executionName: 'x',
    dataset: 'ml',
    now: new Date('2026-01-01T00:00:00Z'),
  };

  it('takes fewer iterations by default when a model serves, and names it', () => {
    const plan = resolveTrainRequest({ warmStart: true }, { ...context, warmStartFrom: 'als-1' });
    expect(plan.warmStart).toEqual({ modelId: 'als-1' });
    expect(plan.iterations).toBe(WARM_START_DEFAULTS.iterations);
    expect(plan.refitIterations).toBe(WARM_START_DEFAULTS.refitIterations);
    expect(WARM_START_DEFAULTS.iterations + WARM_START_DEFAULTS.refitIterations).toBeLessThan(
      DEFAULT_ALS_OPTIONS.iterations + TRAIN_DEFAULTS.refitIterations,
    );
  });

  it('starts cold, with the cold defaults, when no model serves or none is asked for', () => {
    for (const plan of [
      resolveTrainRequest({ warmStart: true }, { ...context, warmStartFrom: null }),
      resolveTrainRequest({}, { ...context, warmStartFrom: 'als-1' }),
    ]) {
      expect(plan.warmStart).toBeNull();
      expect(plan.iterations).toBe(DEFAULT_ALS_OPTIONS.iterations);
      expect(plan.refitIterations).toBe(TRAIN_DEFAULTS.refitIterations);
    }
  });

  it("keeps the request's own iteration counts", () => {
    const plan = resolveTrainRequest(
      { warmStart: true, rating: { iterations: 7 }, refitIterations: 0 },
      { ...context, warmStartFrom: 'als-1' },
    );
    expect([plan.iterations, plan.refitIterations]).toEqual([7, 0]);
  });

  it('refuses flags that are not booleans', () => {
    for (const request of [{ warmStart: 'yes' }, { ifNewData: 1 }]) {
      expect(() => resolveTrainRequest(request as never, context)).toThrow(TrainRequestError);
    }
  });

  it('spreads the change markers over every shard, negative ids included', () => {
    const shards = new Set([-3, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 123_456].map(dataChangeShard));
    expect([...shards].every((s) => s >= 0 && s < DATA_CHANGE_SHARDS)).toBe(true);
    expect(shards.size).toBe(DATA_CHANGE_SHARDS);
  });
});

describe('which requests are writes (IAM on AWS)', () => {
  it('in the API: every route that changes data is a write route of the stack', () => {
    // POST /recommendations scores a posted profile and stores nothing: a read.
    const reads = new Set(['POST /recommendations']);
    const writes = new Set(WRITE_ROUTES.map((r) => `${r.method} ${r.path}`));
    for (const route of API_ROUTES) {
      const key = `${route.method} ${route.path}`;
      if (route.method === 'GET' || reads.has(key)) continue;
      expect(writes.has(key), key).toBe(true);
    }
  });

  it('in the Lambda behind API Gateway: a change that no IAM signer made is refused', () => {
    const gate = (env: NodeJS.ProcessEnv) => {
      const middleware = apiKeyAuth(apiKeyCheckFromEnv(env), new Set(['/health']));
      return (method: string, path: string, identity: Record<string, string | null>) =>
        middleware.before!({
          event: { httpMethod: method, path, headers: {}, requestContext: { identity } },
        } as never);
    };
    const aws = gate({ RECSYS_API_KEY_SOURCE: 'gateway', RECSYS_WRITE_AUTH: 'iam' });
    const signer = { userArn: 'arn:aws:sts::1:assumed-role/console/CognitoIdentityCredentials' };
    for (const [method, path] of [
      ['PUT', '/users/1/ratings/2'],
      ['PUT', '/users/1/ratings/2/'],
      ['DELETE', '/users/1/ratings/2'],
      ['POST', '/events'],
      ['PUT', '/movies/9'],
    ] as const) {
      expect(() => aws(method, path, { apiKey: 'key', userArn: null }), path).toThrow(/SigV4/);
      expect(aws(method, path, signer)).toBeUndefined();
      expect(isWriteRequest(method, path)).toBe(true);
    }
    expect(aws('GET', '/users/1/recommendations', { apiKey: 'key' })).toBeUndefined();
    expect(aws('POST', '/recommendations', { apiKey: 'key' })).toBeUndefined();
    // LocalStack's free tier names no signer: the local profile leaves the check to the gateway.
    const localstack = gate({ RECSYS_API_KEY_SOURCE: 'gateway' });
    expect(localstack('PUT', '/users/1/ratings/2', {})).toBeUndefined();
  });
});
