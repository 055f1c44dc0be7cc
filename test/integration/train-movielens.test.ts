/**
 * `recsys train` with the defaults on the real ml-latest-small in Cassandra: the accuracy the ALS
 * engine was calibrated to, recommendations for every user and neighbours for every movie with
 * enough ratings, all under the published, active model.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, afterAll, beforeAll, expect, it } from 'vitest';
import type { S3Store } from '../../lambdas/adapters/s3.ts';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { activeModelId, getModelRecord } from '../../lambdas/services/models/registry.ts';
import { insertRatings } from '../../scripts/runtime/train/insert-ratings.ts';
import { freshStore } from '../support/cassandra.ts';
import {
  TRAIN_BUCKET,
  cleanUpTraining,
  publishedBundle,
  publishedModel,
  trainBucket,
} from '../support/train-fixture.ts';
import { expectMlSmallPresent, mlSmall } from '../support/movielens-small.ts';

const ROOT = join(import.meta.dirname, '../..');

describe('recsys train on ml-latest-small', () => {
  let db: Awaited<ReturnType<typeof freshStore>>;
  let s3: S3Store;
  let table: RatingsTable;

  beforeAll(async () => {
    expectMlSmallPresent();
    table = await readRatingsFile(mlSmall('ratings.csv'));
    db = await freshStore('train_ml');
    await insertRatings(db, table);
    s3 = trainBucket();
  });

  afterAll(() => cleanUpTraining(s3, db));

  it('reaches validation RMSE ≤ 0.870, refits on every rating and stores every output under the active model', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'bin/recsys.mjs',
        'train',
        '--keyspace',
        db.keyspace,
        '--bucket',
        TRAIN_BUCKET,
        '--blocks',
        '4',
        '--no-progress',
      ],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    const summary = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    // 15 iterations on the training split, then 5 on every rating.
    expect(summary).toMatchObject({
      status: 'ready',
      activated: true,
      iterations: 20,
      refitIterations: 5,
    });
    expect(typeof summary.modelId).toBe('string');
    expect(summary.seconds).toBeGreaterThan(0);
    expect(summary.rmse).toBeLessThanOrEqual(0.87);
    const modelId = String(summary.modelId);
    expect(await activeModelId(db)).toBe(modelId);
    expect((await getModelRecord(db, modelId))?.status).toBe('ready');
    expect((await publishedModel(s3, modelId)).rank).toBe(20);
    const bundle = await publishedBundle(s3, modelId);
    expect(bundle.ranking.options.implicit).toBe(true);
    expect(bundle.neighbours?.movieIds.length).toBe(2000);

    const ratingCounts = new Map<number, number>();
    for (const movie of table.movieIds) ratingCounts.set(movie, (ratingCounts.get(movie) ?? 0) + 1);
    // No support threshold by default: every rated movie can be recommended or given neighbours.
    const popular = [...ratingCounts.keys()].sort((a, b) => a - b);
    // A user gets 50 movies, or every popular movie they have not rated when fewer remain.
    const popularSet = new Set(popular);
    const unratedPopular = new Map<number, number>();
    for (let i = 0; i < table.length; i++) {
      const user = table.userIds[i]!;
      const left = unratedPopular.get(user) ?? popular.length;
      unratedPopular.set(user, left - (popularSet.has(table.movieIds[i]!) ? 1 : 0));
    }
    const recommended = new Map<number, number>();
    for await (const row of db.rows(
      `SELECT model_id, user_id, movie_ids FROM ${db.table('recommendation_lists')}`,
    )) {
      if (row.get('model_id') !== modelId) continue;
      recommended.set(row.get('user_id') as number, (row.get('movie_ids') as number[]).length);
    }
    expect(unratedPopular.size).toBe(610);
    for (const [user, left] of unratedPopular) {
      expect(recommended.get(user), `recommendations of user ${user}`).toBe(Math.min(50, left));
    }

    const withNeighbours = new Set<number>();
    for await (const row of db.rows(
      `SELECT model_id, movie_id FROM ${db.table('similar_movie_lists')}`,
    )) {
      if (row.get('model_id') === modelId) withNeighbours.add(row.get('movie_id') as number);
    }
    expect(popular.length).toBe(9724);
    expect([...withNeighbours].sort((a, b) => a - b)).toEqual(popular);
  });
});
