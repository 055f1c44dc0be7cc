import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CassandraStore } from '../../../lambdas/adapters/cassandra.ts';
import type { S3Store } from '../../../lambdas/adapters/s3.ts';
import { DEFAULT_ALS_OPTIONS } from '../../../lambdas/core/als/index.ts';
import { BUNDLE_FILES } from '../../../lambdas/core/recommender/bundle.ts';
import { newModelId } from '../../../lambdas/core/train/run-layout.ts';
import { TRAIN_DEFAULTS } from '../../../lambdas/core/train/train-request.ts';
import { readDatasetStatus } from '../../../lambdas/services/datasets/registry.ts';
import {
  activateModel,
  activeModelId,
  getModelRecord,
  modelPrefix,
} from '../../../lambdas/services/models/registry.ts';
import { runLocalIngest } from '../ingest/run-local-ingest.ts';
import type { LocalRunOptions, LocalServices } from '../local-pipeline.ts';
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

/** How the demo runs both pipelines: its keyspace, bucket and servers, progress, warnings only. */
const runOptions = (ctx: StepContext): LocalRunOptions => ({
  keyspace: ctx.keyspace,
  bucket: ctx.bucket,
  services: ctx.services,
  progress: true,
  log: ctx.log,
  onHandlerLog: warningsOnly,
});

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
    ...runOptions(ctx),
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
 * its row ready, its file in S3. moto keeps its objects across restarts but LocalStack's container
 * does not, so a model file that is gone is put back from the demo's own copy rather than retrained.
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
      concurrency,
      activate: true,
    },
    ...runOptions(ctx),
  });
  const baselines = await baselinesOfRun(ctx.s3, modelId);
  await cacheModelFile(ctx, modelId);
  const next: DemoState = { ...state, model: { modelId, key, baselines } };
  await ctx.store.write(next);
  return { result: { seconds: elapsed(started) }, state: next };
}

/**
 * Undefined when the model can serve as it is (restoring its files if S3 lost them), else why
 * not. A model version is a bundle of files (BUNDLE_FILES); the manifest is checked last.
 */
async function reusableModel(ctx: StepContext, modelId: string): Promise<string | undefined> {
  const record = await getModelRecord(ctx.db, modelId);
  if (record?.status !== 'ready') return `model ${modelId} is not in keyspace ${ctx.keyspace}`;
  const prefix = modelPrefix(modelId);
  const cacheDir = cachedModelDir(ctx, modelId);
  const cached = await filesUnder(cacheDir);
  const missing: string[] = [];
  for (const name of cached.length > 0 ? cached : [BUNDLE_FILES.manifest]) {
    if (!(await ctx.s3.head(prefix + name))) missing.push(name);
  }
  if (missing.length === 0) return undefined;
  if (!cached.includes(BUNDLE_FILES.manifest)) {
    return `s3://${ctx.bucket}/${prefix} is gone (S3 restarted) and there is no local copy`;
  }
  // Manifest last, as Publish writes it: a half-restored bundle never looks complete.
  missing.sort((a, b) => Number(a === BUNDLE_FILES.manifest) - Number(b === BUNDLE_FILES.manifest));
  for (const name of missing) {
    await ctx.s3.putObject(prefix + name, await readFile(join(cacheDir, name)));
  }
  ctx.log(`train: S3 lost ${missing.join(', ')}; restored ${prefix} from ${cacheDir}`);
  return undefined;
}

function cachedModelDir(ctx: StepContext, modelId: string): string {
  return join(ctx.store.modelCacheDir, modelId);
}

async function cacheModelFile(ctx: StepContext, modelId: string): Promise<void> {
  // Only the current model is ever restored: older copies would just fill the disk.
  await rm(ctx.store.modelCacheDir, { recursive: true, force: true });
  const dir = cachedModelDir(ctx, modelId);
  await mkdir(dir, { recursive: true });
  const prefix = modelPrefix(modelId);
  for await (const key of ctx.s3.listKeys(prefix)) {
    // A bundle has sub-folders (raters/ holds the raters index parts).
    const path = join(dir, key.slice(prefix.length));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await ctx.s3.getBuffer(key));
  }
}

/** Paths of the files under `dir`, relative to it with '/' (S3 key suffixes); [] when it is missing. */
async function filesUnder(dir: string, under = ''): Promise<string[]> {
  const entries = await readdir(join(dir, under), { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const name = under === '' ? entry.name : `${under}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await filesUnder(dir, name)));
    else if (entry.isFile()) files.push(name);
  }
  return files;
}

function elapsed(since: number): number {
  return (performance.now() - since) / 1000;
}
