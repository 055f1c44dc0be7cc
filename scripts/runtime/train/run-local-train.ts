import { availableParallelism } from 'node:os';
import type {
  SkippedRun,
  TrainRequest,
  TrainSummary,
} from '../../../lambdas/core/train/workflow-types.ts';
import {
  prepareStorage,
  roundTo,
  runLocalPipeline,
  startLocalRun,
  type LocalRunOptions,
} from '../local-pipeline.ts';
import { TRAIN_DEFINITION, TRAIN_FUNCTIONS } from '../../../statemachines/train.functions.ts';
import { TrainProgress } from './train-progress.ts';

export interface LocalTrainOptions extends LocalRunOptions {
  readonly request: TrainRequest;
  /** Handler worker threads (Lambda containers); defaults to the Map concurrency, else one per core. */
  readonly workers?: number;
}

export interface LocalTrainResult extends TrainSummary {
  /** Wall-clock seconds per top-level state (loop states summed over iterations), and in total. */
  readonly stageSeconds: Readonly<Record<string, number>>;
  readonly wallSeconds: number;
}

/** An `ifNewData` run that found nothing new (the execution's output), and how long it took. */
export interface LocalTrainSkipped extends SkippedRun {
  readonly wallSeconds: number;
}

/** `recsys train` for requests that never skip (no `ifNewData`): the published run's summary. */
export async function runLocalTrain(options: LocalTrainOptions): Promise<LocalTrainResult> {
  const result = await runLocalTrainOrSkip(options);
  if ('skipped' in result) throw new Error(`training skipped: ${result.reason}`);
  return result;
}

/**
 * `recsys train`: local S3 and Cassandra (started when not running), schema, then the real
 * train.asl.json with every Task bound to its Lambda handler, run in worker threads so the Maps
 * really run blocks in parallel. An `ifNewData` request may end at Plan with nothing new.
 */
export async function runLocalTrainOrSkip(
  options: LocalTrainOptions,
): Promise<LocalTrainResult | LocalTrainSkipped> {
  const started = performance.now();
  const { env } = await startLocalRun(options, 'WARN');
  // Idempotent: the models and output tables may be newer than the keyspace.
  await prepareStorage(env, options.roles);

  const workers =
    options.workers ?? options.request.concurrency ?? Math.min(availableParallelism(), 16);
  const { output: summary, stateSeconds } = await runLocalPipeline<TrainSummary | SkippedRun>(
    options,
    env,
    {
      definitionPath: TRAIN_DEFINITION,
      functions: TRAIN_FUNCTIONS,
      input: options.request,
      workers,
      progress: () => new TrainProgress(),
    },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  if ('skipped' in summary) return { ...summary, wallSeconds };
  for (const key of Object.keys(stateSeconds)) stateSeconds[key] = roundTo(stateSeconds[key]!, 3);
  return {
    ...summary,
    stageSeconds: stateSeconds,
    wallSeconds,
  };
}
