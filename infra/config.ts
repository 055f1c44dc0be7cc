import { DEFAULT_ALS_OPTIONS } from '../lambdas/core/als/index.ts';
import {
  INGEST_CAPACITIES,
  NEW_TABLE_WRITE_UNITS_PER_SECOND,
  type IngestCapacity,
} from '../lambdas/core/ingest/write-budget.ts';
import { assertIdentifier } from '../lambdas/core/schema/render-cql.ts';
import { MAX_BLOCKS, TRAIN_DEFAULTS, TRAIN_LIMITS } from '../lambdas/core/train/train-request.ts';

/**
 * New AWS accounts get reduced Lambda quotas ("New AWS accounts have reduced concurrency and memory
 * quotas", Lambda developer guide); AWS does not publish the reduced values. The defaults assume
 * the lowest seen: functions of at most 3,008 MB and 10 concurrent executions. An account that has
 * outgrown them says so with -c maxMemoryMb=… -c accountConcurrency=… (docs/deploy.md).
 */
export const NEW_ACCOUNT_MAX_MEMORY_MB = 3008;
export const NEW_ACCOUNT_CONCURRENCY = 10;
/** Lambda keeps this much of the account's concurrency unreserved: reservations must leave it. */
export const MIN_UNRESERVED_CONCURRENCY = 100;
/** Concurrency reserved for the API when the account has room (50 requests/s at up to 1 s each). */
export const API_RESERVED_CONCURRENCY = 50;
/** The most Lambdas a pipeline runs at once when the account has room for more. */
export const MAX_DEFAULT_CONCURRENCY = 40;

/**
 * Everything `cdk synth/deploy -c key=value` can set, checked once so a typo fails synth with one
 * line instead of deploying something half-configured.
 */
export interface RecsysConfig {
  /** `aws`: Keyspaces + CloudFront. `local`: LocalStack with a Cassandra container (no Keyspaces). */
  readonly profile: 'aws' | 'local';
  readonly envName: string;
  readonly keyspaceName: string;
  readonly retainData: boolean;
  /**
   * The rating model's rank in the training run that ingestion chains to and the schedule starts
   * (the execution input, not code; `-c rank=`).
   */
  readonly rank: number;
  /** Undefined: each run chooses its block count from the data set's size (block-count.ts). */
  readonly blocks?: number;
  /**
   * The most Lambdas a pipeline runs at once: MaxConcurrency of the ingest chunk Map (lowered
   * further to the tables' write rate) and of every train block Map (the two output Maps that run
   * side by side get half each).
   */
  readonly concurrency: number;
  /** The account's Lambda concurrent-executions quota in the Region (get-account-settings). */
  readonly accountConcurrency: number;
  /** Reserved concurrency of the API Lambda; 0: none (an account below 100 + it can't reserve). */
  readonly apiReservedConcurrency: number;
  /** No Lambda gets more memory than this (the account's memory quota). */
  readonly maxMemoryMb: number;
  /**
   * Write units per second of each ratings table during ingestion: above a new table's 4,000 the
   * stack pre-warms both tables to it (Keyspaces warm throughput), and ingestion paces itself to it.
   */
  readonly ingestWriteUnits: number;
  /**
   * `provisioned`: each ingestion switches the ratings tables to `ingestWriteUnits` WCU for its
   * chunk Map and back to on-demand after it, also when it fails (a bulk load, billed per
   * WCU-hour); where Keyspaces' 24-hour rule would not allow the switch back, the load stays
   * on-demand. The tables are on-demand between loads.
   */
  readonly ingestCapacity: IngestCapacity;
  /** Each ingestion the manifest starts ends by starting training (ingest's StartTraining). */
  readonly trainAfterIngest: boolean;
  /**
   * Create API Gateway's CloudWatch role and account setting (one per account and Region, shared
   * by every REST API there; retained on delete). `false` where another stack already set it.
   */
  readonly apiCloudWatchRole: boolean;
  /**
   * How often the retraining schedule checks for new ratings and, if some arrived since the active
   * model, trains a warm-started model: an EventBridge schedule expression (`rate(1 day)`,
   * `cron(0 3 * * ? *)`), or null for no schedule (`-c retrainSchedule=off`).
   */
  readonly retrainSchedule: string | null;
  /** Browser origins the API answers; undefined means the stack's own web console only. */
  readonly corsOrigins: readonly string[] | undefined;
  /** Local profile only: where Lambdas inside LocalStack find Cassandra and S3. */
  readonly cassandraContactPoints: string;
  readonly s3Endpoint: string;
}

export type ContextReader = (key: string) => unknown;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function text(read: ContextReader, key: string, fallback: string): string {
  const value = read(key);
  return value === undefined || value === null ? fallback : String(value).trim();
}

function integer(read: ContextReader, key: string, fallback: number, min: number, max: number) {
  const raw = text(read, key, String(fallback));
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`context ${key} must be an integer in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

function bool(read: ContextReader, key: string, fallback: boolean): boolean {
  const raw = text(read, key, String(fallback));
  if (raw !== 'true' && raw !== 'false') {
    throw new ConfigError(`context ${key} must be true or false, got "${raw}"`);
  }
  return raw === 'true';
}

/** Comma-separated origins (scheme://host[:port]); `*` only where the profile is local. */
export function parseOrigins(raw: string, profile: RecsysConfig['profile']): string[] {
  const origins = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (origins.length === 0) throw new ConfigError('context corsOrigins names no origin');
  for (const origin of origins) {
    if (origin === '*') {
      if (profile !== 'local') {
        throw new ConfigError('context corsOrigins may not be * outside the local profile');
      }
      continue;
    }
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin)) {
      throw new ConfigError(`context corsOrigins: "${origin}" is not an origin (scheme://host)`);
    }
  }
  return origins;
}

export const DEFAULT_RETRAIN_SCHEDULE = 'rate(1 day)';

/** An EventBridge schedule expression (rate or cron), or off / none / false for no schedule. */
export function parseRetrainSchedule(raw: string): string | null {
  const value = raw.trim();
  if (/^(off|none|false)$/i.test(value)) return null;
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(value);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!;
    if (n < 1 || (n === 1) !== !unit.endsWith('s')) {
      throw new ConfigError(
        `context retrainSchedule: "${value}" (EventBridge wants rate(1 day), rate(2 days), …)`,
      );
    }
    if (unit.startsWith('minute') && n < 60) {
      throw new ConfigError(
        `context retrainSchedule: "${value}" checks more often than hourly; a run takes minutes`,
      );
    }
    return value;
  }
  // Six fields: minutes hours day-of-month month day-of-week year.
  if (/^cron\(\S+( \S+){5}\)$/.test(value)) return value;
  throw new ConfigError(
    `context retrainSchedule must be rate(N unit), cron(6 fields) or off, got "${value}"`,
  );
}

/**
 * One keyspace per environment (keyspaces are per account and Region, like the stacks that own
 * them): `recsys_<envName>`, lower case, '-' as '_'.
 */
export function defaultKeyspace(envName: string): string {
  return `recsys_${envName.toLowerCase().replace(/-/g, '_')}`;
}

export function readConfig(read: ContextReader): RecsysConfig {
  const profile = text(read, 'profile', 'aws');
  if (profile !== 'aws' && profile !== 'local') {
    throw new ConfigError(`context profile must be "aws" or "local", got "${profile}"`);
  }
  const envName = text(read, 'envName', profile === 'local' ? 'local' : 'dev');
  if (!/^[A-Za-z][A-Za-z0-9-]{0,20}$/.test(envName)) {
    throw new ConfigError(`context envName must be letters, digits and -, got "${envName}"`);
  }
  let keyspaceName: string;
  try {
    keyspaceName = assertIdentifier(text(read, 'keyspace', defaultKeyspace(envName)));
  } catch (error) {
    throw new ConfigError(`context keyspace: ${(error as Error).message}`);
  }
  const accountConcurrency = integer(
    read,
    'accountConcurrency',
    NEW_ACCOUNT_CONCURRENCY,
    1,
    1_000_000,
  );
  const apiReservedConcurrency = integer(
    read,
    'apiReservedConcurrency',
    accountConcurrency - API_RESERVED_CONCURRENCY >= MIN_UNRESERVED_CONCURRENCY
      ? API_RESERVED_CONCURRENCY
      : 0,
    0,
    1000,
  );
  if (
    apiReservedConcurrency > 0 &&
    accountConcurrency - apiReservedConcurrency < MIN_UNRESERVED_CONCURRENCY
  ) {
    throw new ConfigError(
      `context apiReservedConcurrency ${apiReservedConcurrency} would leave less than ` +
        `${MIN_UNRESERVED_CONCURRENCY} of accountConcurrency ${accountConcurrency} unreserved, ` +
        'which Lambda refuses: set it to 0 or raise the account quota',
    );
  }
  const unreserved = accountConcurrency - apiReservedConcurrency;
  const concurrency = integer(
    read,
    'concurrency',
    Math.max(1, Math.min(MAX_DEFAULT_CONCURRENCY, Math.floor(unreserved / 2))),
    1,
    1000,
  );
  if (concurrency > unreserved) {
    throw new ConfigError(
      `context concurrency ${concurrency} is more than the ${unreserved} Lambdas ` +
        `accountConcurrency ${accountConcurrency} leaves the pipelines: pass ` +
        '-c accountConcurrency=<ConcurrentExecutions of aws lambda get-account-settings>',
    );
  }
  const ingestCapacity = text(read, 'ingestCapacity', 'on-demand') as IngestCapacity;
  if (!INGEST_CAPACITIES.includes(ingestCapacity)) {
    throw new ConfigError(
      `context ingestCapacity must be ${INGEST_CAPACITIES.join(' or ')}, got "${ingestCapacity}"`,
    );
  }
  const provisioned = ingestCapacity === 'provisioned';
  if (provisioned && profile === 'local') {
    throw new ConfigError('context ingestCapacity=provisioned needs Keyspaces (the aws profile)');
  }
  if (
    provisioned &&
    (read('ingestWriteUnits') === undefined || read('ingestWriteUnits') === null)
  ) {
    throw new ConfigError(
      'context ingestCapacity=provisioned needs -c ingestWriteUnits (the WCU each ratings table ' +
        'holds for the load; `npx recsys plan` prints the cheapest)',
    );
  }
  // The tables are back on-demand (or switching, at the load's read capacity) before MarkReady.
  const trainAfterIngest = bool(read, 'trainAfterIngest', true);
  const cors = read('corsOrigins');
  return {
    profile,
    envName,
    keyspaceName,
    retainData: bool(read, 'retainData', false),
    rank: integer(
      read,
      'rank',
      DEFAULT_ALS_OPTIONS.rank,
      TRAIN_LIMITS.rank.min,
      TRAIN_LIMITS.rank.max,
    ),
    ...(read('blocks') === undefined || read('blocks') === null
      ? {}
      : { blocks: integer(read, 'blocks', TRAIN_DEFAULTS.blocks, 1, MAX_BLOCKS) }),
    concurrency,
    accountConcurrency,
    apiReservedConcurrency,
    maxMemoryMb: integer(read, 'maxMemoryMb', NEW_ACCOUNT_MAX_MEMORY_MB, 128, 10_240),
    ingestWriteUnits: integer(
      read,
      'ingestWriteUnits',
      NEW_TABLE_WRITE_UNITS_PER_SECOND,
      1,
      1_000_000,
    ),
    ingestCapacity,
    trainAfterIngest,
    apiCloudWatchRole: bool(read, 'apiCloudWatchRole', true),
    retrainSchedule: parseRetrainSchedule(text(read, 'retrainSchedule', DEFAULT_RETRAIN_SCHEDULE)),
    corsOrigins:
      cors === undefined || cors === null
        ? profile === 'local'
          ? ['http://localhost:3000']
          : undefined
        : parseOrigins(String(cors), profile),
    cassandraContactPoints: text(read, 'cassandraContactPoints', 'cassandra:9042'),
    s3Endpoint: text(read, 's3Endpoint', 'http://localstack:4566'),
  };
}
