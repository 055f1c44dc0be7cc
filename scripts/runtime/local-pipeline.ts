import { CassandraStore, cassandraConfigFromEnv } from '../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import { functionRoles, type FunctionRole } from '../../statemachines/function-roles.ts';
import type { PipelineFunctions } from '../../statemachines/pipeline-function.ts';
import { migrateWithRoles, withFunctionRoles } from './cassandra/roles.ts';
import { ensureCassandra, type EnsureCassandraResult } from './cassandra/local-cassandra.ts';
import {
  runStateMachine,
  type HandlerBinding,
  type LocalSdkCall,
  type LocalSfnEvent,
} from './local-sfn/index.ts';
import { ensureS3, type EnsureS3Result } from './s3/local-s3.ts';

/**
 * What `recsys ingest`, `recsys train` and `npm run demo` share: the local S3 endpoint and Cassandra
 * (started when nothing answers), the environment the handlers get, the schema, and a run of a real
 * statemachines/*.asl.json with progress and per-state wall time.
 */

export interface LocalServices {
  readonly s3: EnsureS3Result;
  readonly cassandra: EnsureCassandraResult;
  /** Wall-clock seconds it took to find or start both. */
  readonly seconds: number;
}

/** Both servers, probed or started in parallel; `startedByUs` on each says who must stop it. */
export async function ensureLocalServices(log: (line: string) => void): Promise<LocalServices> {
  const started = performance.now();
  const [s3, cassandra] = await Promise.all([ensureS3({ log }), ensureCassandra({ log })]);
  return { s3, cassandra, seconds: (performance.now() - started) / 1000 };
}

/** Options every local pipeline run (`recsys ingest`, `recsys train`) takes. */
export interface LocalRunOptions {
  /** Defaults to $RECSYS_KEYSPACE or recsys. */
  readonly keyspace?: string;
  readonly bucket?: string;
  /** Handler worker threads (Lambda containers). */
  readonly workers?: number;
  /** Extra environment for the handlers (fault injection in tests). */
  readonly handlerEnv?: Readonly<Record<string, string>>;
  /** Progress on stderr. */
  readonly progress?: boolean;
  /** Status lines (services starting, upload done); stderr by default. */
  readonly log?: (line: string) => void;
  /** Handler log lines other than progress. */
  readonly onHandlerLog?: (line: string) => void;
  /** Every state machine event (tests count retries with it). */
  readonly onEvent?: (event: LocalSfnEvent) => void;
  /** Servers the caller already found or started (the demo); probed or started here otherwise. */
  readonly services?: LocalServices;
  /**
   * The role each function logs in as and the grants it gets on the keyspace; the stack's by
   * default (tests take one grant away to see the step fail as it would on Keyspaces).
   */
  readonly roles?: readonly FunctionRole[];
  /**
   * Answers for the definition's AWS SDK Tasks (`keyspaces:getTable`, …), which local runs never
   * reach unless a test stands in for the service; see runStateMachine.
   */
  readonly sdkCalls?: Readonly<Record<string, LocalSdkCall>>;
}

export interface LocalTarget {
  /** Defaults to $RECSYS_KEYSPACE or recsys. */
  readonly keyspace?: string | undefined;
  /** Defaults to $RECSYS_BUCKET or recsys-local. */
  readonly bucket?: string | undefined;
  /** The handlers' POWERTOOLS_LOG_LEVEL unless the environment sets one. */
  readonly logLevel: string;
}

/** The environment a deployed Lambda would get from the stack, pointed at the local servers. */
export function handlerEnvironment(
  services: LocalServices,
  target: LocalTarget,
): Record<string, string> {
  return {
    S3_ENDPOINT: services.s3.endpoint,
    RECSYS_BUCKET: target.bucket ?? process.env.RECSYS_BUCKET ?? 'recsys-local',
    RECSYS_DB: 'local',
    RECSYS_KEYSPACE: target.keyspace ?? process.env.RECSYS_KEYSPACE ?? 'recsys',
    CASSANDRA_CONTACT_POINTS: services.cassandra.contactPoint,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? target.logLevel,
  };
}

/**
 * What a run needs before its state machine: the status log, the servers (the caller's, or found or
 * started here) and the environment its handlers get, at `logLevel` unless the environment sets one.
 */
export async function startLocalRun(
  options: LocalRunOptions,
  logLevel: string,
): Promise<{
  log: (line: string) => void;
  services: LocalServices;
  env: Record<string, string>;
}> {
  const log = options.log ?? ((line: string) => void process.stderr.write(line + '\n'));
  const services = options.services ?? (await ensureLocalServices(log));
  const env = handlerEnvironment(services, {
    keyspace: options.keyspace,
    bucket: options.bucket,
    logLevel,
  });
  return { log, services, env };
}

/** Schema (idempotent: tables newer than the keyspace get created or altered) and bucket. */
export async function prepareStorage(
  env: Record<string, string>,
  roles: readonly FunctionRole[] = functionRoles(),
): Promise<void> {
  const merged = { ...process.env, ...env };
  const db = new CassandraStore(cassandraConfigFromEnv(merged));
  try {
    await migrateWithRoles(db, roles);
  } finally {
    await db.shutdown();
  }
  const s3 = new S3Store(s3ConfigFromEnv(merged));
  try {
    await s3.ensureBucket();
  } finally {
    s3.destroy();
  }
}

/** A progress display fed by the run: the ingest chunk bars and the train iteration bar. */
export interface RunProgress {
  onEvent(event: LocalSfnEvent): void;
  /** Handler output, possibly cut mid-line; returns the lines that were not progress. */
  onHandlerOutput?(text: string): string[];
  stop(): void;
}

export interface TrackedRunOptions {
  readonly definitionPath: string;
  readonly handlers: Readonly<Record<string, HandlerBinding>>;
  /** The definition's `${…}` substitutions that are not Lambda functions. */
  readonly substitutions?: Readonly<Record<string, string>>;
  readonly input: unknown;
  readonly env: Readonly<Record<string, string>>;
  readonly workers: number;
  readonly progress?: RunProgress | undefined;
  readonly onEvent?: ((event: LocalSfnEvent) => void) | undefined;
  readonly onHandlerLog?: ((line: string) => void) | undefined;
  readonly sdkCalls?: Readonly<Record<string, LocalSdkCall>> | undefined;
}

export interface TrackedRunResult<T> {
  readonly output: T;
  /** Wall seconds per top-level state, summed over repeats (the training loop), unrounded. */
  readonly stateSeconds: Record<string, number>;
}

/** Runs a state machine with every Task bound to its handler, timing each top-level state. */
export async function runTrackedStateMachine<T>(
  options: TrackedRunOptions,
): Promise<TrackedRunResult<T>> {
  const { progress } = options;
  const stateSeconds: Record<string, number> = {};
  const entered = new Map<string, number>();
  const onEvent = (event: LocalSfnEvent): void => {
    options.onEvent?.(event);
    progress?.onEvent(event);
    // Events inside a Map iteration carry an index; only the top-level states make up the stages.
    if (event.index !== undefined || !event.stateName) return;
    if (event.type === 'StateEntered') entered.set(event.stateName, event.timestamp);
    if (event.type === 'StateExited') {
      const since = entered.get(event.stateName) ?? event.timestamp;
      stateSeconds[event.stateName] =
        (stateSeconds[event.stateName] ?? 0) + (event.timestamp - since) / 1000;
    }
  };
  try {
    const result = await runStateMachine({
      definitionPath: options.definitionPath,
      input: options.input,
      handlers: options.handlers,
      ...(options.substitutions ? { substitutions: options.substitutions } : {}),
      env: options.env,
      workers: options.workers,
      ...(options.sdkCalls ? { sdkCalls: options.sdkCalls } : {}),
      onEvent,
      onHandlerOutput: (text) => {
        const others = progress?.onHandlerOutput
          ? progress.onHandlerOutput(text)
          : text.split('\n');
        for (const line of others) if (line.trim() !== '') options.onHandlerLog?.(line);
      },
    });
    return { output: result.output as T, stateSeconds };
  } finally {
    progress?.stop();
  }
}

/** What a pipeline adds to the caller's {@link LocalRunOptions} for its run. */
export interface PipelineRun {
  readonly definitionPath: string;
  /** The pipeline's functions; each logs in as its role from the options' `roles`. */
  readonly functions: PipelineFunctions;
  readonly substitutions?: Readonly<Record<string, string>>;
  readonly input: unknown;
  readonly workers: number;
  /** Built only when the options ask for progress. */
  readonly progress: () => RunProgress;
}

/**
 * Runs a pipeline's state machine for `recsys ingest` or `recsys train`: the handlers in their
 * roles, the run's environment with the options' extra handler environment over it, the options'
 * progress and listeners.
 */
export function runLocalPipeline<T>(
  options: LocalRunOptions,
  env: Readonly<Record<string, string>>,
  run: PipelineRun,
): Promise<TrackedRunResult<T>> {
  return runTrackedStateMachine<T>({
    definitionPath: run.definitionPath,
    input: run.input,
    handlers: withFunctionRoles(run.functions, options.roles),
    ...(run.substitutions ? { substitutions: run.substitutions } : {}),
    env: { ...env, ...options.handlerEnv },
    workers: run.workers,
    progress: options.progress ? run.progress() : undefined,
    onEvent: options.onEvent,
    onHandlerLog: options.onHandlerLog,
    sdkCalls: options.sdkCalls,
  });
}

export const roundTo = (value: number, digits: number): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};
