import { INGEST_CAPACITIES, type IngestCapacity } from '../../core/ingest/write-budget.ts';
import { optionalInteger } from './env-values.ts';

/**
 * Every environment variable the ingestion functions read, set by the stack (infra/constructs/
 * ingestion.ts) or by a local run's handler environment. On AWS the EventBridge rule's input names
 * only the manifest, so the stack's settings arrive here. Read when a step runs, never at module
 * load.
 */
export const INGEST_ENVIRONMENT = {
  RECSYS_CHUNK_CONCURRENCY: 'chunks written at once, unless the request names it (Validate)',
  RECSYS_TABLE_WRITE_UNITS:
    'write units per second each ratings table sustains on Keyspaces; unset (a local Cassandra): unpaced (Validate)',
  RECSYS_INGEST_CAPACITY:
    'provisioned: the ingest switches the ratings tables to RECSYS_TABLE_WRITE_UNITS WCU for its chunk Map, and back (Validate); unset or on-demand: no switch',
  RECSYS_INGEST_WRITES_IN_FLIGHT: 'batches in flight per chunk (default 16; IngestChunk)',
} as const;

export interface IngestConfig {
  readonly chunkConcurrency?: number;
  readonly tableWriteUnits?: number;
  /** `provisioned`: switch the ratings tables to `tableWriteUnits` WCU for the load (Keyspaces). */
  readonly capacity: IngestCapacity;
  readonly writesInFlight: number;
}

/**
 * Batches in flight per chunk by default: enough to hide the round trip, few enough that parallel
 * chunks don't bury the database in queued requests.
 */
export const DEFAULT_INGEST_WRITES_IN_FLIGHT = 16;

export function ingestConfigFromEnv(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const chunkConcurrency = optionalInteger(env, 'RECSYS_CHUNK_CONCURRENCY', 1, 1000);
  const tableWriteUnits = optionalInteger(env, 'RECSYS_TABLE_WRITE_UNITS', 1);
  const capacity = (env.RECSYS_INGEST_CAPACITY?.trim() || 'on-demand') as IngestCapacity;
  if (!INGEST_CAPACITIES.includes(capacity)) {
    throw new Error(
      `RECSYS_INGEST_CAPACITY must be ${INGEST_CAPACITIES.join(' or ')}, got "${capacity}"`,
    );
  }
  if (capacity === 'provisioned' && tableWriteUnits === undefined) {
    throw new Error('RECSYS_INGEST_CAPACITY=provisioned needs RECSYS_TABLE_WRITE_UNITS (the WCU)');
  }
  return {
    capacity,
    ...(chunkConcurrency !== undefined ? { chunkConcurrency } : {}),
    ...(tableWriteUnits !== undefined ? { tableWriteUnits } : {}),
    writesInFlight: ingestWritesInFlight(env),
  };
}

/** IngestChunk's one setting alone: a chunk must not fail on a setting only Validate uses. */
export function ingestWritesInFlight(env: NodeJS.ProcessEnv = process.env): number {
  return (
    optionalInteger(env, 'RECSYS_INGEST_WRITES_IN_FLIGHT', 1, 1024) ??
    DEFAULT_INGEST_WRITES_IN_FLIGHT
  );
}
