/**
 * FAULT INJECTION FOR TESTS (test/faults, and the integration tests' retry cases): what the
 * RECSYS_FAULT_* variables ask for. `faultSettingsFromEnv` is the only reader of those variables;
 * with none of them set (always, outside tests) it returns undefined and no fault code is composed
 * into a handler or a store (lambda-handler.ts, runtime.ts).
 * - RECSYS_FAULT_ONCE=target[,target…]: the first attempt at each step target fails with a
 *   TransientError; later attempts succeed.
 * - RECSYS_FAULT_RATE=p (0…1) with RECSYS_FAULT_SEED=s: the first attempt at any step target fails
 *   with probability p, decided by a hash of (seed, target), so a run's faults are random yet the
 *   same on every run with that seed (transient faults across a whole workflow).
 * - RECSYS_FAULT_ALWAYS=target[,target…]: every attempt fails with a plain (non-retryable) error,
 *   the way a bug or a corrupt input fails for good.
 * - RECSYS_FAULT_CASSANDRA_RATE=p with RECSYS_FAULT_CASSANDRA_SEED=s: that share of Cassandra
 *   statements fails with the driver's real timeout and overload errors (cassandra-faults.ts).
 * - RECSYS_FAULT_S3_READ_ONCE=fragment[,fragment…]: the first GET of each object (or byte range)
 *   whose key contains a fragment fails with S3's 503 SlowDown (s3-faults.ts).
 * - RECSYS_FAULT_DIR: where "first" is remembered (a marker file per target, because the retry may
 *   run in another worker thread or container) and where Cassandra faults are logged.
 */
export interface FaultSettings {
  readonly stepOnce: readonly string[];
  readonly stepAlways: readonly string[];
  readonly stepRate: number;
  readonly stepSeed: string;
  readonly cassandraRate: number;
  readonly cassandraSeed: number;
  readonly s3ReadOnce: readonly string[];
  readonly dir: string | undefined;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export function faultSettingsFromEnv(env: NodeJS.ProcessEnv): FaultSettings | undefined {
  if (!Object.keys(env).some((name) => name.startsWith('RECSYS_FAULT_'))) return undefined;
  const cassandraRate = Number(env.RECSYS_FAULT_CASSANDRA_RATE ?? 0);
  return {
    stepOnce: list(env.RECSYS_FAULT_ONCE),
    stepAlways: list(env.RECSYS_FAULT_ALWAYS),
    stepRate: Number(env.RECSYS_FAULT_RATE ?? 0),
    stepSeed: env.RECSYS_FAULT_SEED ?? '0',
    // At most 90 %: a statement must be able to get through within the adapter's retries.
    cassandraRate:
      Number.isFinite(cassandraRate) && cassandraRate > 0 ? Math.min(cassandraRate, 0.9) : 0,
    cassandraSeed: Number(env.RECSYS_FAULT_CASSANDRA_SEED ?? 1),
    s3ReadOnce: list(env.RECSYS_FAULT_S3_READ_ONCE),
    dir: env.RECSYS_FAULT_DIR || undefined,
  };
}
