import { DEFAULT_ALS_OPTIONS } from '../lambdas/core/als/index.ts';
import { assertIdentifier } from '../lambdas/core/schema/render-cql.ts';
import { MAX_BLOCKS, TRAIN_DEFAULTS } from '../lambdas/core/train/train-request.ts';

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
  /** Defaults of the training run that ingestion chains to (the execution input, not code). */
  readonly rank: number;
  readonly blocks: number;
  /** MaxConcurrency of every Map: ingest chunks and every train block Map. */
  readonly concurrency: number;
  /** Start training when an ingestion succeeds. */
  readonly trainAfterIngest: boolean;
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
    keyspaceName = assertIdentifier(text(read, 'keyspace', 'recsys'));
  } catch (error) {
    throw new ConfigError(`context keyspace: ${(error as Error).message}`);
  }
  const cors = read('corsOrigins');
  return {
    profile,
    envName,
    keyspaceName,
    retainData: bool(read, 'retainData', false),
    rank: integer(read, 'rank', DEFAULT_ALS_OPTIONS.rank, 1, 500),
    blocks: integer(read, 'blocks', TRAIN_DEFAULTS.blocks, 1, MAX_BLOCKS),
    concurrency: integer(read, 'concurrency', 40, 1, 1000),
    trainAfterIngest: bool(read, 'trainAfterIngest', true),
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
