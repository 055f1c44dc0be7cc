import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CassandraStore } from '../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import type { AlsModel, AlsOptions } from '../../lambdas/core/als/index.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import type { ModelBundle } from '../../lambdas/core/recommender/bundle.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { loadModelBundle } from '../../lambdas/services/models/registry.ts';
import {
  trainLikePipeline,
  type InProcessTrainOptions,
} from '../../scripts/runtime/train/in-process-train.ts';
import {
  runLocalTrain,
  type LocalTrainOptions,
} from '../../scripts/runtime/train/run-local-train.ts';

/**
 * One bucket per test process: the files' afterAll empties `runs/` and `models/`, which must never
 * reach into another test run sharing the same local S3 endpoint.
 */
export const TRAIN_BUCKET = `recsys-it-train-${process.pid}`;

export interface Reference {
  /** The rating model (explicit ALS) as published: fitted, then refitted on every rating. */
  readonly model: AlsModel;
  /** The ranking model (implicit ALS), fitted and refitted alongside. */
  readonly ranking: AlsModel;
  /** Validation RMSE of the rating model after the fit phase. */
  readonly rmse: number | null;
}

/**
 * The in-process reference a distributed run must match bit for bit: both ALS models fitted on
 * the training split (id maps over every rating, as the run's), then `refitIterations` more on
 * every rating from the fitted factors; and the rating model's validation RMSE after the fit.
 * `warmFrom`: both models start from an earlier model's factors, as a `warmStart` run does.
 */
export function inProcessReference(
  table: RatingsTable,
  options: AlsOptions,
  { validation = 0.2, refitIterations = 0, ranking = {}, warmFrom }: ReferenceOptions = {},
): Reference {
  const {
    model,
    ranking: rankingModel,
    rmse,
  } = trainLikePipeline(table, options, {
    validation,
    refitIterations,
    ranking,
    ...(warmFrom ? { warmFrom } : {}),
  });
  return { model, ranking: rankingModel, rmse };
}

export interface ReferenceOptions {
  validation?: number;
  refitIterations?: number;
  ranking?: AlsOptions;
  warmFrom?: InProcessTrainOptions['warmFrom'];
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

/** The published rating model (the one validation RMSE reports on). */
export async function publishedModel(s3: S3Store, modelId: string): Promise<AlsModel> {
  const bundle = await publishedBundle(s3, modelId);
  if (!bundle.rating) throw new Error(`model ${modelId} has no rating model`);
  return bundle.rating;
}

export async function publishedBundle(s3: S3Store, modelId: string): Promise<ModelBundle> {
  return loadModelBundle(s3, `models/${modelId}/`);
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

/** After a training test: its runs and models out of the train bucket, then its keyspace, quietly. */
export async function cleanUpTraining(
  s3: S3Store | undefined,
  db: (CassandraStore & { drop(): Promise<void> }) | undefined,
): Promise<void> {
  await s3?.deleteByPrefix('runs/').catch(() => undefined);
  await s3?.deleteByPrefix('models/').catch(() => undefined);
  s3?.destroy();
  await dropQuietly(db);
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

/**
 * The fault suite's training run: 5,000 generated ratings, both ALS models small, two refit
 * iterations on every rating after the fit (as a default run does), 4 blocks two at a time; with
 * the in-process reference its published model must equal bit for bit.
 */
export function faultTraining(options: AlsOptions) {
  const { table } = generateRatingsTable({ ratings: 5_000, users: 90, movies: 260, seed: 7 });
  const models = {
    ranking: { rank: 6 },
    refitIterations: 2,
    neighbours: { maxItems: 60 },
  } as const;
  const reference = inProcessReference(table, options, {
    refitIterations: models.refitIterations,
    ranking: models.ranking,
  });
  return { table, reference, request: { blocks: 4, concurrency: 2, rating: options, ...models } };
}
