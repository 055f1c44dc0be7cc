import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CassandraStore } from '../../lambdas/adapters/cassandra.ts';
import type { S3Store } from '../../lambdas/adapters/s3.ts';
import { DEFAULT_ALS_OPTIONS } from '../../lambdas/core/als/index.ts';
import { newModelId } from '../../lambdas/core/train/run-layout.ts';
import { TRAIN_DEFAULTS } from '../../lambdas/core/train/train-request.ts';
import { readDatasetStatus } from '../../lambdas/services/ingest/dataset-status.ts';
import {
  activateModel,
  activeModelId,
  getModelRecord,
  MODEL_FILE,
  modelPrefix,
} from '../../lambdas/services/models/registry.ts';
import { runLocalIngest } from '../ingest/run-local-ingest.ts';
import type { LocalServices } from '../lib/local-pipeline.ts';
import { runLocalTrain } from '../train/run-local-train.ts';
import { baselinesOfRun } from './baselines.ts';
import type { ChosenDataset } from './dataset-choice.ts';
import type { DemoState, DemoStateStore } from './demo-state.ts';

export interface StepContext {
  readonly keyspace: string;
  readonly bucket: string;
  readonly services: LocalServices;
  readonly db: CassandraStore;
  readonly s3: S3Store;
  readonly store: DemoStateStore;
  readonly force: boolean;
  readonly log: (line: string) => void;
}

/** A step's outcome: `skipped` carries the reason shown in the summary. */
export interface StepResult {
  readonly skipped?: string;
  readonly seconds: number;
}

const warningsOnly = (line: string): void => {
  if (/"level":"(ERROR|WARN)"/.test(line)) process.stderr.write(line + '\n');
};

/**
 * Ingests the data set unless the keyspace already holds exactly it: same folder contents (by
 * sha256) as the last ingestion the demo recorded, and that ingestion still the one in the keyspace.
 * A different data set resets the keyspace first (one data set per keyspace: ratings would mix).
 */
export async function ingestStep(
  ctx: StepContext,
  dataset: ChosenDataset,
  fingerprint: string,
  state: DemoState,
): Promise<{ result: StepResult; state: DemoState }> {
  const started = performance.now();
  const recorded = state.dataset;
  const status = await readDatasetStatus(ctx.db, dataset.name);
  const unchanged =
    recorded?.fingerprint === fingerprint &&
    recorded.name === dataset.name &&
    status?.status === 'ready' &&
    status.updatedAt === recorded.updatedAt;
  if (unchanged && !ctx.force) {
    ctx.log(`ingest: unchanged, skipped (${dataset.name} in keyspace ${ctx.keyspace})`);
    return { result: { skipped: 'unchanged', seconds: elapsed(started) }, state };
  }
  ctx.log(
    `ingest: ${ctx.force ? '--force' : recorded ? 'data set changed' : 'first run'}; ` +
      `resetting keyspace ${ctx.keyspace} and ingesting ${dataset.dir}`,
  );
  await ctx.db.dropKeyspace();
  const summary = await runLocalIngest({
    dir: dataset.dir,
    dataset: dataset.name,
    keyspace: ctx.keyspace,
    bucket: ctx.bucket,
    services: ctx.services,
    progress: true,
    log: ctx.log,
    onHandlerLog: warningsOnly,
  });
  if (summary.status !== 'ready') {
    throw new Error(`ingestion of ${dataset.name} failed: ${summary.error ?? 'unknown error'}`);
  }
  const after = await readDatasetStatus(ctx.db, dataset.name);
  if (!after?.updatedAt) throw new Error(`ingestion left no datasets row for ${dataset.name}`);
  const next: DemoState = {
    dataset: { name: dataset.name, dir: dataset.dir, fingerprint, updatedAt: after.updatedAt },
  };
  await ctx.store.write(next);
  return { result: { seconds: elapsed(started) }, state: next };
}

/** Everything that decides the model: the data and the (default) hyperparameters. */
function modelKey(state: DemoState): string {
  const { blocks: _blocks, ...train } = TRAIN_DEFAULTS; // results do not depend on the block count
  return JSON.stringify({
    fingerprint: state.dataset?.fingerprint,
    ingestedAt: state.dataset?.updatedAt,
    als: DEFAULT_ALS_OPTIONS,
    train,
  });
}

/**
 * Trains unless the model recorded for this data set and these hyperparameters is still published:
 * its row ready, its file in S3. The local S3 server keeps objects in memory, so after it restarts
 * the model file is put back from the demo's own copy rather than retrained.
 */
export async function trainStep(
  ctx: StepContext,
  state: DemoState,
): Promise<{ result: StepResult; state: DemoState }> {
  const started = performance.now();
  const key = modelKey(state);
  const recorded = state.model;
  if (recorded && recorded.key === key && !ctx.force) {
    const reason = await reusableModel(ctx, recorded.modelId);
    if (reason === undefined) {
      if ((await activeModelId(ctx.db)) !== recorded.modelId) {
        await activateModel(ctx.db, recorded.modelId);
      }
      ctx.log(`train: unchanged, skipped (model ${recorded.modelId})`);
      return { result: { skipped: 'unchanged', seconds: elapsed(started) }, state };
    }
    ctx.log(`train: retraining (${reason})`);
  }
  const modelId = newModelId(new Date(), randomBytes(3).toString('hex'));
  const concurrency = availableParallelism();
  await runLocalTrain({
    request: {
      modelId,
      dataset: state.dataset!.name,
      blocks: TRAIN_DEFAULTS.blocks,
      concurrency,
      activate: true,
    },
    keyspace: ctx.keyspace,
    bucket: ctx.bucket,
    services: ctx.services,
    progress: true,
    log: ctx.log,
    onHandlerLog: warningsOnly,
  });
  const baselines = await baselinesOfRun(ctx.s3, modelId);
  await cacheModelFile(ctx, modelId);
  const next: DemoState = { ...state, model: { modelId, key, baselines } };
  await ctx.store.write(next);
  return { result: { seconds: elapsed(started) }, state: next };
}

/** Undefined when the model can serve as it is (restoring its file if S3 lost it), else why not. */
async function reusableModel(ctx: StepContext, modelId: string): Promise<string | undefined> {
  const record = await getModelRecord(ctx.db, modelId);
  if (record?.status !== 'ready') return `model ${modelId} is not in keyspace ${ctx.keyspace}`;
  const key = modelPrefix(modelId) + MODEL_FILE;
  if (await ctx.s3.head(key)) return undefined;
  const cached = cachedModelPath(ctx, modelId);
  let bytes: Buffer;
  try {
    bytes = await readFile(cached);
  } catch {
    return `s3://${ctx.bucket}/${key} is gone (S3 restarted) and there is no local copy`;
  }
  await ctx.s3.putObject(key, bytes, 'application/octet-stream');
  ctx.log(`train: S3 restarted empty; restored ${key} from ${cached}`);
  return undefined;
}

function cachedModelPath(ctx: StepContext, modelId: string): string {
  return join(ctx.store.modelCacheDir, `${modelId}.bin`);
}

async function cacheModelFile(ctx: StepContext, modelId: string): Promise<void> {
  const bytes = await ctx.s3.getBuffer(modelPrefix(modelId) + MODEL_FILE);
  // Only the current model is ever restored: older copies would just fill the disk.
  await rm(ctx.store.modelCacheDir, { recursive: true, force: true });
  await mkdir(ctx.store.modelCacheDir, { recursive: true });
  await writeFile(cachedModelPath(ctx, modelId), bytes);
}

function elapsed(since: number): number {
  return (performance.now() - since) / 1000;
}
