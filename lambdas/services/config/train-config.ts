import { optionalInteger } from './env-values.ts';

/**
 * Every environment variable the training functions read, set by the stack (infra/constructs/
 * training.ts) or by a local run's handler environment. Read when a step runs, never at module
 * load: the local runner sets a function's environment per invocation.
 */
export const TRAIN_ENVIRONMENT = {
  RECSYS_MAX_CONCURRENCY: "the stack's `concurrency`: the most Lambdas one run may use (Plan)",
  RECSYS_OUTPUT_TABLE_WRITE_UNITS:
    "the stored-lists tables' write rate on Keyspaces, shared by the top-N and similar-movie writers; unset (a local Cassandra): unpaced (Plan)",
  RECSYS_MAX_MEMORY_MB: "the account's Lambda memory quota: no task gets more (Plan)",
  RECSYS_TRAIN_CACHE_BYTES:
    'bytes of decoded run files a warm container keeps between tasks (default 256 MiB)',
} as const;

export interface TrainConfig {
  readonly maxConcurrency?: number;
  readonly outputTableWriteUnits?: number;
  readonly maxMemoryMb?: number;
  readonly cacheBytes: number;
}

export const DEFAULT_TRAIN_CACHE_BYTES = 256 * 1024 * 1024;

export function trainConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TrainConfig {
  const maxConcurrency = optionalInteger(env, 'RECSYS_MAX_CONCURRENCY', 1);
  const outputTableWriteUnits = optionalInteger(env, 'RECSYS_OUTPUT_TABLE_WRITE_UNITS', 1);
  const maxMemoryMb = optionalInteger(env, 'RECSYS_MAX_MEMORY_MB', 128, 10_240);
  return {
    ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
    ...(outputTableWriteUnits !== undefined ? { outputTableWriteUnits } : {}),
    ...(maxMemoryMb !== undefined ? { maxMemoryMb } : {}),
    cacheBytes: trainCacheBytes(env),
  };
}

/**
 * The run-file cache's limit alone: read by every step that reads run files, which must not fail
 * on a setting only Plan uses.
 */
export function trainCacheBytes(env: NodeJS.ProcessEnv = process.env): number {
  return optionalInteger(env, 'RECSYS_TRAIN_CACHE_BYTES', 0) ?? DEFAULT_TRAIN_CACHE_BYTES;
}
