import { resolveAlsOptions } from '../../core/als/index.ts';
import {
  TrainRequestError,
  assertConcurrencyWithin,
  outputConcurrency,
  resolveTrainRequest,
} from '../../core/train/train-request.ts';
import {
  plannedHeadOptions,
  rankingParams,
  ratingParams,
  runPlanOf,
  type StoredRunPlan,
} from '../../core/train/heads.ts';
import { UnsupportedPartitionerError } from '../../core/train/token-ranges.ts';
import type { RunPlan, SkippedRun, TrainRequest } from '../../core/train/workflow-types.ts';
import { activeModelId, getModelRecord, modelPrefix, saveModelRecord } from '../models/registry.ts';
import { readDatasetStatus } from '../datasets/registry.ts';
import { logger } from '../logger.ts';
import type { Stores } from '../runtime.ts';
import { checkNewData } from './new-data.ts';
import { trainConfigFromEnv } from '../config/train-config.ts';
import { TrainingRun } from './run-state.ts';

/** What the train state machine passes its Plan Task (statemachines/train.asl.json). */
export interface PlanTaskInput {
  readonly request: TrainRequest;
  /** `$$.Execution.Name`: the run id when the request names none, and how a retry knows itself. */
  readonly executionName: string;
}

/**
 * The data set's size as its ingestion counted it (the datasets row): the default block count
 * follows from it. Items are the movies rated (the catalogue's count when that is larger).
 */
function dataCounts(
  status: Awaited<ReturnType<typeof readDatasetStatus>>,
): { data: { ratings: number; users: number; movies: number } } | Record<string, never> {
  const counts = status?.counts ?? {};
  const ratings = counts.ratings ?? 0;
  const users = counts.users ?? 0;
  const movies = Math.max(counts.ratedMovies ?? 0, counts.movies ?? 0);
  return ratings > 0 && users > 0 && movies > 0 ? { data: { ratings, users, movies } } : {};
}

/** Execution names may hold characters a model id may not; anything else maps to "-". */
function runIdFromExecution(name: string): string {
  return ('als-' + name.replace(/[^A-Za-z0-9._-]/g, '-')).slice(0, 100);
}

/**
 * Train step 1: resolves the request into the run's plan (`plan.json`) and registers the model as
 * `training`. Re-running a run (`resume`) returns its stored plan, marked `resumed` when an earlier
 * execution got past Init, so the machine skips straight to the loop. With `ifNewData`, a run
 * that finds no rating changed since the active model returns a `SkippedRun` instead, having
 * written nothing, and the machine ends there (a success).
 */
export async function planRun(
  { request, executionName }: PlanTaskInput,
  stores: Stores,
): Promise<RunPlan | SkippedRun> {
  const runId = request.modelId ?? runIdFromExecution(executionName);
  const run = new TrainingRun(runId, stores);
  const stored = await run.files.currentJson<StoredRunPlan>(run.layout.plan);
  if (stored) {
    const existing = runPlanOf(stored);
    // A retry of this very Task finds the plan it wrote a moment ago.
    const sameExecution = existing.executionName === executionName;
    if (!request.resume && !sameExecution) {
      throw new TrainRequestError(`model id ${runId} is taken; resume it or pick another id`);
    }
    const record = await getModelRecord(stores.db, runId);
    if (record?.status === 'ready' && !sameExecution) {
      throw new TrainRequestError(`model ${runId} finished training already; nothing to resume`);
    }
    if (record) await saveModelRecord(stores.db, { ...record, status: 'training' });
    const resumed = !sameExecution && (await run.files.exists(run.layout.settings));
    // Concurrency only schedules work, so a resumed run may change it; nothing else.
    const deployed = trainConfigFromEnv();
    const cap = deployed.maxConcurrency ?? Infinity;
    assertConcurrencyWithin(request.concurrency, cap);
    const concurrency = Math.min(request.concurrency ?? existing.concurrency, cap);
    // The list writers' pace follows the concurrency, and the deployment's rate as it is now.
    const { outputTableWriteUnits: _before, ...kept } = existing;
    const { outputTableWriteUnits } = deployed;
    return {
      ...kept,
      concurrency,
      outputConcurrency: outputConcurrency(concurrency),
      ...(outputTableWriteUnits ? { outputTableWriteUnits } : {}),
      resumed,
    };
  }
  if (request.resume) throw new TrainRequestError(`there is no run ${runId} to resume`);

  const status = await readDatasetStatus(stores.db, request.dataset);
  // Token ranges cut the ring of the partitioner the cluster uses (Keyspaces: per account and
  // Region, Murmur3 or Random); an unknown one stops the run here with its name.
  let partitioner;
  try {
    partitioner = await stores.db.partitioner();
  } catch (error) {
    if (error instanceof UnsupportedPartitionerError) {
      throw new TrainRequestError(error.message);
    }
    throw error;
  }
  const { maxConcurrency, maxMemoryMb, outputTableWriteUnits } = trainConfigFromEnv();
  const now = new Date();
  const plan = resolveTrainRequest(request, {
    runId,
    executionName,
    dataset: request.dataset ?? status?.dataset ?? stores.db.keyspace,
    now,
    partitioner,
    ...(maxConcurrency ? { maxConcurrency } : {}),
    ...(maxMemoryMb ? { maxMemoryMb } : {}),
    ...(outputTableWriteUnits ? { outputTableWriteUnits } : {}),
    ...dataCounts(status),
    warmStartFrom: request.warmStart === true ? ((await activeModelId(stores.db)) ?? null) : null,
  });
  // Checked after the request, so a bad request fails even when there is nothing to train on.
  if (request.ifNewData === true) {
    const check = await checkNewData(stores.db, now, runId);
    logger.info(check.skipped ? 'no new data: run skipped' : 'new data: training', {
      reason: check.reason,
    });
    if (check.skipped) return check;
  }
  await run.files.putJson(run.layout.plan, plan);
  // The effective settings (defaults filled in), so a listing shows them while training runs;
  // Publish replaces them with what was trained (the ranking model's tuned α₀ among them).
  const planned = plannedHeadOptions(plan.heads, plan.iterations);
  const unseen = { ratingMin: 0, ratingMax: 0 };
  await saveModelRecord(stores.db, {
    modelId: runId,
    dataset: plan.dataset,
    status: 'training',
    createdAt: new Date(plan.createdAt),
    params: {
      rating: ratingParams(resolveAlsOptions(planned.rating, unseen)),
      ranking: rankingParams(resolveAlsOptions(planned.ranking, unseen)),
      blocks: plan.blockCount,
      tuning: plan.tuning,
      warmStart: plan.warmStart ?? null,
    },
    metrics: {},
    artifactsPrefix: modelPrefix(runId),
  });
  return plan;
}
