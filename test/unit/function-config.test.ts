/**
 * Each function's environment, read in one place (lambdas/services/config/): defaults when a
 * variable is absent or empty, the value when it is valid, and an error naming the variable when
 * it is not (a mistyped stack setting must not run quietly on a default).
 */
import { describe, expect, it } from 'vitest';
import { apiConfigFromEnv, API_ENVIRONMENT } from '../../lambdas/services/config/api-config.ts';
import { ConfigError } from '../../lambdas/services/config/env-values.ts';
import {
  DEFAULT_INGEST_WRITES_IN_FLIGHT,
  ingestConfigFromEnv,
  INGEST_ENVIRONMENT,
} from '../../lambdas/services/config/ingest-config.ts';
import {
  DEFAULT_TRAIN_CACHE_BYTES,
  trainConfigFromEnv,
  TRAIN_ENVIRONMENT,
} from '../../lambdas/services/config/train-config.ts';

describe('trainConfigFromEnv', () => {
  it('is the defaults when nothing (or an empty value) is set', () => {
    expect(trainConfigFromEnv({})).toEqual({ cacheBytes: DEFAULT_TRAIN_CACHE_BYTES });
    expect(trainConfigFromEnv({ RECSYS_MAX_CONCURRENCY: ' ' })).toEqual({
      cacheBytes: 256 * 1024 * 1024,
    });
  });

  it('reads what the stack sets', () => {
    expect(
      trainConfigFromEnv({
        RECSYS_MAX_CONCURRENCY: '5',
        RECSYS_OUTPUT_TABLE_WRITE_UNITS: '4000',
        RECSYS_MAX_MEMORY_MB: '3008',
        RECSYS_TRAIN_CACHE_BYTES: '0',
      }),
    ).toEqual({
      maxConcurrency: 5,
      outputTableWriteUnits: 4000,
      maxMemoryMb: 3008,
      cacheBytes: 0,
    });
  });

  it('refuses a bad value with the variable and the value in one line', () => {
    expect(() => trainConfigFromEnv({ RECSYS_MAX_CONCURRENCY: '0' })).toThrow(
      new ConfigError('RECSYS_MAX_CONCURRENCY must be an integer ≥ 1, got "0"'),
    );
    expect(() => trainConfigFromEnv({ RECSYS_MAX_MEMORY_MB: '64' })).toThrow(
      'RECSYS_MAX_MEMORY_MB must be an integer in [128, 10240], got "64"',
    );
    expect(() => trainConfigFromEnv({ RECSYS_TRAIN_CACHE_BYTES: '1e9x' })).toThrow(
      /RECSYS_TRAIN_CACHE_BYTES/,
    );
  });
});

describe('ingestConfigFromEnv', () => {
  it('is the defaults when nothing is set, and reads what the stack sets', () => {
    expect(ingestConfigFromEnv({})).toEqual({
      capacity: 'on-demand',
      writesInFlight: DEFAULT_INGEST_WRITES_IN_FLIGHT,
    });
    expect(
      ingestConfigFromEnv({
        RECSYS_CHUNK_CONCURRENCY: '7',
        RECSYS_TABLE_WRITE_UNITS: '4000',
        RECSYS_INGEST_WRITES_IN_FLIGHT: '8',
      }),
    ).toEqual({
      capacity: 'on-demand',
      chunkConcurrency: 7,
      tableWriteUnits: 4000,
      writesInFlight: 8,
    });
    expect(
      ingestConfigFromEnv({
        RECSYS_TABLE_WRITE_UNITS: '12000',
        RECSYS_INGEST_CAPACITY: 'provisioned',
      }),
    ).toMatchObject({ capacity: 'provisioned', tableWriteUnits: 12000 });
  });

  it('refuses an unknown capacity, or provisioned without its WCU, in one line', () => {
    expect(() => ingestConfigFromEnv({ RECSYS_INGEST_CAPACITY: 'reserved' })).toThrow(
      'RECSYS_INGEST_CAPACITY must be on-demand or provisioned, got "reserved"',
    );
    expect(() => ingestConfigFromEnv({ RECSYS_INGEST_CAPACITY: 'provisioned' })).toThrow(
      /needs RECSYS_TABLE_WRITE_UNITS/,
    );
  });

  it('refuses a chunk concurrency past 1000 or a fractional rate', () => {
    expect(() => ingestConfigFromEnv({ RECSYS_CHUNK_CONCURRENCY: '1001' })).toThrow(
      'RECSYS_CHUNK_CONCURRENCY must be an integer in [1, 1000], got "1001"',
    );
    expect(() => ingestConfigFromEnv({ RECSYS_TABLE_WRITE_UNITS: '2.5' })).toThrow(
      /RECSYS_TABLE_WRITE_UNITS/,
    );
  });
});

describe('apiConfigFromEnv', () => {
  it('gathers the API key check, CORS, serving settings and the served-list sample', () => {
    const config = apiConfigFromEnv({
      RECSYS_API_KEY_SOURCE: 'gateway',
      RECSYS_WRITE_AUTH: 'iam',
      RECSYS_ENV: 'prod',
      RECSYS_CORS_ORIGINS: 'https://console.example.com',
      RECSYS_COLD_START_SHARE: '0.1',
      RECSYS_SERVED_LIST_SAMPLE: '0.5',
      RECSYS_MODEL_CHECK_SECONDS: '5',
    });
    expect(config.apiKey).toEqual({ mode: 'gateway', signedWrites: true });
    expect(config.cors.origins).toEqual(['https://console.example.com']);
    expect(config.serving.coldStartShare).toBe(0.1);
    expect(config.serving.modelCheckMs).toBe(5000);
    expect(config.servedListSample).toBe(0.5);
  });

  it('refuses a share outside [0, 1] by name', () => {
    expect(() => apiConfigFromEnv({ RECSYS_COLD_START_SHARE: '2' })).toThrow(
      /RECSYS_COLD_START_SHARE/,
    );
  });
});

describe('the lists of variables', () => {
  it('name every RECSYS_ variable once, across the three functions', () => {
    const names = [API_ENVIRONMENT, TRAIN_ENVIRONMENT, INGEST_ENVIRONMENT].flatMap(Object.keys);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^RECSYS_[A-Z_]+$/);
  });
});
