/**
 * The train state machine end to end on a real Cassandra and a real S3 endpoint: the distributed
 * run (any block count, any Map concurrency, retried blocks, a resumed run) must give factors
 * bit-identical to in-process trainAls, and a failed run must leave the serving model alone.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Store } from '../../lambdas/adapters/s3.ts';
import type { AlsOptions } from '../../lambdas/core/als/index.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import {
  activeModelId,
  getModelRecord,
  readRankedList,
} from '../../lambdas/services/models/registry.ts';
import { LocalStateMachineError, type LocalSfnEvent } from '../../scripts/local-sfn/index.ts';
import { insertRatings } from '../../scripts/train/insert-ratings.ts';
import { freshStore } from '../support/cassandra.ts';
import {
  differences,
  dropQuietly,
  faultDir,
  inProcessReference,
  publishedModel,
  trainBucket,
  trainLocally,
} from '../support/train-fixture.ts';

// Small enough for seconds per run; heavy users and popular movies still span several kernel chunks.
const { table } = generateRatingsTable({ ratings: 5_000, users: 90, movies: 260, seed: 7 });
const OPTIONS = { rank: 5, iterations: 3 } satisfies AlsOptions;
const reference = inProcessReference(table, OPTIONS);

let db: Awaited<ReturnType<typeof freshStore>>;
let s3: S3Store;
const run = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  db = await freshStore('train');
  await insertRatings(db, table);
  s3 = trainBucket();
});

afterAll(async () => {
  await s3?.deleteByPrefix('runs/').catch(() => undefined);
  await s3?.deleteByPrefix('models/').catch(() => undefined);
  s3?.destroy();
  await dropQuietly(db);
});

describe('distributed training', () => {
  it.each([
    [1, 1],
    [1, 2],
    [4, 1],
    [4, 2],
    [7, 1],
    [7, 2],
  ])(
    'with %i blocks at concurrency %i equals in-process trainAls bit for bit',
    async (blocks, concurrency) => {
      const modelId = `det-${blocks}-${concurrency}-${run}`;
      const result = await trainLocally(db.keyspace, {
        request: { modelId, blocks, concurrency, options: OPTIONS, minRatings: 1, activate: false },
      });
      expect(differences(await publishedModel(s3, modelId), reference.model)).toEqual([]);
      expect(result.rmse).toBe(reference.rmse);
      expect(result.iterations).toBe(OPTIONS.iterations);
      expect(result.users).toBe(reference.model.userIds.size);
    },
  );

  it('is bit-identical for implicit ALS with the CG solver too (Gram and warm starts)', async () => {
    const options = {
      rank: 4,
      iterations: 2,
      implicit: true,
      alpha: 3,
      solver: 'cg',
      cgSteps: 2,
    } satisfies AlsOptions;
    const modelId = `implicit-${run}`;
    const result = await trainLocally(db.keyspace, {
      request: { modelId, blocks: 3, concurrency: 2, options, minRatings: 1, activate: false },
    });
    const expected = inProcessReference(table, options);
    expect(differences(await publishedModel(s3, modelId), expected.model)).toEqual([]);
    expect(result.rmse).toBe(expected.rmse);
  });
});

describe('failures', () => {
  const first = `faulty-${run}`;
  const doomed = `doomed-${run}`;
  const request = { blocks: 4, concurrency: 2, options: OPTIONS, minRatings: 1 };

  it('retries a block that fails once and still gets identical factors', async () => {
    const retried: LocalSfnEvent[] = [];
    const failed: LocalSfnEvent[] = [];
    const result = await trainLocally(db.keyspace, {
      request: { ...request, modelId: first },
      handlerEnv: { RECSYS_FAULT_ONCE: 'solve:item:1:2', RECSYS_FAULT_DIR: faultDir() },
      onEvent: (event) => {
        if (event.type === 'StateRetried') retried.push(event);
        if (event.type === 'StateFailed') failed.push(event);
      },
    });
    expect(retried.map((e) => e.stateName)).toEqual(['SolveItemBlock']);
    expect(failed.map((e) => [e.stateName, e.index, e.error])).toEqual([
      ['SolveItemBlock', 1, 'TransientError'],
    ]);
    expect(differences(await publishedModel(s3, first), reference.model)).toEqual([]);
    expect(result.rmse).toBe(reference.rmse);
    expect(result.activated).toBe(true);
    expect(await activeModelId(db)).toBe(first);
  });

  it('leaves the active model serving when a run fails for good', async () => {
    const user = table.userIds[0]!;
    const before = await readRankedList(db, 'recommendations', first, user, 50);
    expect(before.length).toBeGreaterThan(0);
    const failure = trainLocally(db.keyspace, {
      request: { ...request, modelId: doomed },
      handlerEnv: { RECSYS_FAULT_ALWAYS: 'solve:user:0:3' },
    });
    await expect(failure).rejects.toThrow(LocalStateMachineError);
    await expect(failure).rejects.toThrow(/InjectedFault/);
    expect(await activeModelId(db)).toBe(first);
    expect((await getModelRecord(db, doomed))?.status).toBe('failed');
    expect(await readRankedList(db, 'recommendations', first, user, 50)).toEqual(before);
  });

  it('resumes the failed run after its last complete iteration, with identical factors', async () => {
    const entered = new Set<string>();
    const result = await trainLocally(db.keyspace, {
      request: { modelId: doomed, resume: true, concurrency: 2 },
      onEvent: (event) => {
        if (event.type === 'StateEntered' && event.index === undefined)
          entered.add(event.stateName!);
      },
    });
    // Iterations 1 and 2 were checkpointed before the failure: only iteration 3 runs again.
    expect(entered.has('ScanTokenRanges')).toBe(false);
    expect(result.history.map((h) => h.iteration)).toEqual([1, 2, 3]);
    expect(differences(await publishedModel(s3, doomed), reference.model)).toEqual([]);
    expect(await activeModelId(db)).toBe(doomed);
    expect((await getModelRecord(db, doomed))?.status).toBe('ready');
  });
});

describe('tune mode', () => {
  it('picks the (rank, reg) with the best validation RMSE and trains it in full', async () => {
    const grid = { ranks: [3, 5], regs: [0.1, 0.3] };
    const options = { iterations: 2 } satisfies AlsOptions;
    const scored = grid.ranks.flatMap((rank) =>
      grid.regs.map((reg) => ({
        rank,
        reg,
        rmse: inProcessReference(table, { ...options, rank, reg }).rmse!,
      })),
    );
    const best = scored.reduce((a, b) => (b.rmse < a.rmse ? b : a));
    const modelId = `tuned-${run}`;
    const result = await trainLocally(db.keyspace, {
      request: {
        modelId,
        blocks: 3,
        concurrency: 2,
        options,
        tune: grid,
        minRatings: 1,
        activate: false,
      },
    });
    expect(result.tuned).toEqual(best);
    expect(result.params).toMatchObject({ rank: best.rank, reg: best.reg });
    const expected = inProcessReference(table, { ...options, rank: best.rank, reg: best.reg });
    expect(differences(await publishedModel(s3, modelId), expected.model)).toEqual([]);
  });
});

describe('recsys models', () => {
  const cli = (...args: string[]) =>
    promisify(execFile)(
      process.execPath,
      ['bin/recsys.mjs', 'models', ...args, '--keyspace', db.keyspace],
      {
        cwd: join(import.meta.dirname, '../..'),
      },
    );

  it('lists the versions and rolls serving back to an older one, refusing failed ones', async () => {
    const listed = JSON.parse((await cli('list', '--json')).stdout) as {
      active: string;
      models: { modelId: string; status: string }[];
    };
    expect(listed.active).toBe(`doomed-${run}`);
    expect(listed.models.find((m) => m.modelId === `faulty-${run}`)?.status).toBe('ready');
    await cli('activate', `faulty-${run}`);
    expect(await activeModelId(db)).toBe(`faulty-${run}`);
    await expect(cli('activate', 'no-such-model')).rejects.toMatchObject({ code: 1 });
  });
});
