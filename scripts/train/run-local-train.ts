import { availableParallelism } from 'node:os';
import { CassandraStore, cassandraConfigFromEnv } from '../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import type { TrainRequest, TrainSummary } from '../../lambdas/core/train/workflow-types.ts';
import { ensureCassandra } from '../cassandra/local-cassandra.ts';
import { runStateMachine, type LocalSfnEvent } from '../local-sfn/index.ts';
import { ensureS3 } from '../s3/local-s3.ts';
import { TRAIN_DEFINITION, TRAIN_HANDLERS } from './train-handlers.ts';
import { TrainProgress } from './train-progress.ts';

export interface LocalTrainOptions {
  readonly request: TrainRequest;
  /** Defaults to $RECSYS_KEYSPACE or recsys. */
  readonly keyspace?: string;
  readonly bucket?: string;
  /** Handler worker threads (Lambda containers); defaults to the Map concurrency, else one per core. */
  readonly workers?: number;
  /** Extra environment for the handlers (fault injection in tests). */
  readonly handlerEnv?: Readonly<Record<string, string>>;
  /** Progress on stderr. */
  readonly progress?: boolean;
  /** Status lines (services starting); stderr by default. */
  readonly log?: (line: string) => void;
  /** Handler log lines. */
  readonly onHandlerLog?: (line: string) => void;
  /** Every state machine event (tests count retries with it). */
  readonly onEvent?: (event: LocalSfnEvent) => void;
}

export interface LocalTrainResult extends TrainSummary {
  /** Wall-clock seconds per top-level state (loop states summed over iterations), and in total. */
  readonly stageSeconds: Readonly<Record<string, number>>;
  readonly wallSeconds: number;
}

/**
 * `recsys train`: local S3 and Cassandra (started when not running), schema, then the real
 * train.asl.json with every Task bound to its Lambda handler, run in worker threads so the Maps
 * really run blocks in parallel.
 */
export async function runLocalTrain(options: LocalTrainOptions): Promise<LocalTrainResult> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => void process.stderr.write(line + '\n'));
  const [s3Server, cassandra] = await Promise.all([ensureS3({ log }), ensureCassandra({ log })]);
  const env: Record<string, string> = {
    S3_ENDPOINT: s3Server.endpoint,
    RECSYS_BUCKET: options.bucket ?? process.env.RECSYS_BUCKET ?? 'recsys-local',
    RECSYS_DB: 'local',
    RECSYS_KEYSPACE: options.keyspace ?? process.env.RECSYS_KEYSPACE ?? 'recsys',
    CASSANDRA_CONTACT_POINTS: cassandra.contactPoint,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  };
  const merged = { ...process.env, ...env };
  const db = new CassandraStore(cassandraConfigFromEnv(merged));
  try {
    await db.migrate(); // idempotent: the models and output tables may be newer than the keyspace
  } finally {
    await db.shutdown();
  }
  const s3 = new S3Store(s3ConfigFromEnv(merged));
  try {
    await s3.ensureBucket();
  } finally {
    s3.destroy();
  }

  const progress = options.progress ? new TrainProgress() : undefined;
  const stageSeconds: Record<string, number> = {};
  const entered = new Map<string, number>();
  const onEvent = (event: LocalSfnEvent): void => {
    options.onEvent?.(event);
    progress?.onEvent(event);
    if (event.index !== undefined || !event.stateName) return;
    if (event.type === 'StateEntered') entered.set(event.stateName, event.timestamp);
    if (event.type === 'StateExited') {
      const since = entered.get(event.stateName) ?? event.timestamp;
      stageSeconds[event.stateName] =
        (stageSeconds[event.stateName] ?? 0) + (event.timestamp - since) / 1000;
    }
  };
  const workers =
    options.workers ?? options.request.concurrency ?? Math.min(availableParallelism(), 16);
  let summary: TrainSummary;
  try {
    const result = await runStateMachine({
      definitionPath: TRAIN_DEFINITION,
      input: options.request,
      handlers: TRAIN_HANDLERS,
      env: { ...env, ...options.handlerEnv },
      workers,
      onEvent,
      onHandlerOutput: (text) => {
        for (const line of text.split('\n')) if (line.trim() !== '') options.onHandlerLog?.(line);
      },
    });
    summary = result.output as TrainSummary;
  } finally {
    progress?.stop();
  }
  for (const key of Object.keys(stageSeconds)) {
    stageSeconds[key] = Math.round(stageSeconds[key]! * 1000) / 1000;
  }
  return { ...summary, stageSeconds, wallSeconds: (performance.now() - started) / 1000 };
}
