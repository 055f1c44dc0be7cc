/**
 * The daily retraining schedule on a real Cassandra and S3, through the real train state machine
 * (its Plan handler): what EventBridge starts every day must end a success that says why it did
 * nothing on an empty stack and during the first ingestion, and train once a data set is ready.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import type { TrainRequest } from '../../lambdas/core/train/workflow-types.ts';
import { activeModelId, listModels } from '../../lambdas/services/models/registry.ts';
import { insertRatings } from '../../scripts/runtime/train/insert-ratings.ts';
import { runLocalTrainOrSkip } from '../../scripts/runtime/train/run-local-train.ts';
import { freshStore } from '../support/cassandra.ts';
import { TRAIN_BUCKET, cleanUpTraining, trainBucket } from '../support/train-fixture.ts';

// The input infra/stack.ts gives the schedule (`retrainSchedule`), small.
const SCHEDULED: TrainRequest = {
  options: { rank: 3 },
  concurrency: 2,
  ifNewData: true,
  warmStart: true,
};
const { table } = generateRatingsTable({ ratings: 1_500, users: 40, movies: 90, seed: 3 });

let db: Awaited<ReturnType<typeof freshStore>>;

beforeAll(async () => {
  db = await freshStore('retrain');
});

afterAll(() => cleanUpTraining(trainBucket(), db));

const scheduledRun = () =>
  runLocalTrainOrSkip({
    keyspace: db.keyspace,
    bucket: TRAIN_BUCKET,
    log: () => undefined,
    request: SCHEDULED,
  });

async function setDataset(status: string): Promise<void> {
  await db.execute(
    `INSERT INTO ${db.table('datasets')} (name, status, updated_at, counts) VALUES (?, ?, ?, ?)`,
    ['generated', status, new Date(), { ratings: table.length, users: 40, movies: 90 }],
    { idempotent: true },
  );
}

describe('the daily retraining schedule', () => {
  it('ends a success on an empty stack, writing nothing: no ready data set', async () => {
    const result = await scheduledRun();
    expect(result).toMatchObject({ skipped: true, activeModelId: null, lastChangeAt: null });
    expect('skipped' in result && result.reason).toMatch(
      /^no ready data set: nothing has been ingested yet/,
    );
    expect(await listModels(db)).toEqual([]);
  });

  it('ends a success while the first ingestion is writing the ratings', async () => {
    await setDataset('ingesting');
    await insertRatings(db, table);
    const result = await scheduledRun();
    expect('skipped' in result && result.reason).toMatch(
      /^ingestion running: data set generated is ingesting/,
    );
    expect(await listModels(db)).toEqual([]);
  });

  it('trains once the data set is ready, then skips: nothing new', async () => {
    await setDataset('ready');
    const trained = await scheduledRun();
    expect('skipped' in trained).toBe(false);
    const models = await listModels(db);
    expect(models).toHaveLength(1);
    expect(models[0]!.status).toBe('ready');
    expect(await activeModelId(db)).toBe(models[0]!.modelId);
    const again = await scheduledRun();
    expect('skipped' in again && again.reason).toMatch(/^no new data: no rating changed/);
  });
});
