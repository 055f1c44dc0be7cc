import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CassandraStore } from '../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import { trainAls, type AlsModel, type AlsOptions } from '../../lambdas/core/als/index.ts';
import { hashSplit } from '../../lambdas/core/eval/split.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { errorSumOfRatings, rmseOfErrorSums } from '../../lambdas/core/train/prediction-error.ts';
import { loadModelArtifact } from '../../lambdas/services/models/registry.ts';
import { runLocalTrain, type LocalTrainOptions } from '../../scripts/train/run-local-train.ts';

/**
 * One bucket per test process: the files' afterAll empties `runs/` and `models/`, which must never
 * reach into another test run sharing the same local S3 endpoint.
 */
export const TRAIN_BUCKET = `recsys-it-train-${process.pid}`;

/** The in-process reference a distributed run must match bit for bit, and its validation RMSE. */
export function inProcessReference(
  table: RatingsTable,
  options: AlsOptions,
  validation = 0.2,
): { model: AlsModel; rmse: number | null } {
  const split = hashSplit(table, { test: validation, seed: 0 });
  const model = trainAls(split.train, options);
  return { model, rmse: rmseOfErrorSums([errorSumOfRatings(model, split.test)]) };
}

export function trainBucket(): S3Store {
  return new S3Store(s3ConfigFromEnv({ ...process.env, RECSYS_BUCKET: TRAIN_BUCKET }));
}

export function trainLocally(
  keyspace: string,
  options: Omit<LocalTrainOptions, 'keyspace' | 'bucket'>,
) {
  return runLocalTrain({ keyspace, bucket: TRAIN_BUCKET, log: () => undefined, ...options });
}

export async function publishedModel(s3: S3Store, modelId: string): Promise<AlsModel> {
  return loadModelArtifact(s3, `models/${modelId}/`);
}

export function faultDir(): string {
  return mkdtempSync(join(tmpdir(), 'recsys-faults-'));
}

function bytes(a: Float32Array | undefined): Buffer {
  return a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : Buffer.alloc(0);
}

/** Which parts of two models differ in any bit (empty: identical). */
export function differences(a: AlsModel, b: AlsModel): string[] {
  const out: string[] = [];
  if (!bytes(a.userFactors).equals(bytes(b.userFactors))) out.push('userFactors');
  if (!bytes(a.itemFactors).equals(bytes(b.itemFactors))) out.push('itemFactors');
  if (!bytes(a.userBias).equals(bytes(b.userBias))) out.push('userBias');
  if (!bytes(a.itemBias).equals(bytes(b.itemBias))) out.push('itemBias');
  if (!Buffer.from(a.userIds.ids.buffer).equals(Buffer.from(b.userIds.ids.buffer)))
    out.push('userIds');
  if (!Buffer.from(a.itemIds.ids.buffer).equals(Buffer.from(b.itemIds.ids.buffer)))
    out.push('itemIds');
  if (a.globalMean !== b.globalMean) out.push('globalMean');
  return out;
}

/**
 * Drops a test keyspace, but never fails the run for it: on a loaded machine DROP KEYSPACE can
 * outlast the driver's timeout, and a leftover throwaway keyspace harms nothing.
 */
export async function dropQuietly(db: (CassandraStore & { drop(): Promise<void> }) | undefined) {
  if (!db) return;
  try {
    await db.drop();
  } catch (error) {
    console.warn(`keyspace ${db.keyspace} left behind: ${(error as Error).message}`);
    await db.shutdown().catch(() => undefined);
  }
}
