import type { RatingsFormat } from '../formats/ratings-format.ts';
import type { CapacityRecord, CapacitySwitch, RunPace } from './capacity-switch.ts';
import type { ChunkSpec } from './chunk-boundaries.ts';
import type { RejectCounts } from './quarantine.ts';

/**
 * The payloads the ingest state machine passes between its Tasks. They carry S3 keys, byte ranges
 * and counts only, never data, so they stay far below the 256 KB Step Functions quota.
 */

/** Execution input: what the EventBridge rule (or `recsys ingest`) starts the machine with. */
export interface IngestRequest {
  readonly dataset: string;
  /** Where the files are; defaults to `datasets/<dataset>/`. */
  readonly prefix?: string;
  readonly chunkBytes?: number;
  /** Chunk Lambdas at once (the Map's MaxConcurrencyPath); locally, the number of worker threads. */
  readonly chunkConcurrency?: number;
  /**
   * Write units per second each ratings table sustains (Keyspaces; RECSYS_TABLE_WRITE_UNITS on
   * AWS). When set, chunk size, chunks in flight and each writer's pace follow from it
   * (write-budget.ts); unset (a local Cassandra), writers go as fast as they can.
   */
  readonly tableWriteUnits?: number;
  readonly minRatingsPerMovie?: number;
}

export interface DatasetLayout {
  readonly dataset: string;
  readonly prefix: string;
  readonly ratingsKey: string;
  readonly ratingsFormat: RatingsFormat;
  readonly ratingsBytes: number;
  readonly moviesKey: string | null;
  readonly linksKey: string | null;
  readonly tagsKey: string | null;
  readonly chunkBytes: number;
  readonly chunkConcurrency: number;
  /** The pace of each chunk writer, ratings per second into one table; 0: unpaced. */
  readonly writeRatingsPerSecond: number;
  /**
   * Write units per second of each table the Catalogue and Aggregate steps write in bulk (movies,
   * tags, users): a new on-demand table's rate on Keyspaces, where each of those tables has one
   * writer at a time (write-budget.ts `writerPace`); 0 or absent (a local Cassandra): unpaced.
   */
  readonly bulkWriteUnitsPerSecond?: number;
  /**
   * Whether the state machine switches the ratings tables to provisioned capacity for the chunk Map
   * (capacity-switch.ts); `{ switch: false }` locally and on-demand.
   */
  readonly capacity: CapacitySwitch;
  readonly minRatingsPerMovie: number;
  /** Epoch µs; see write-time.ts. Fixed for the execution so retried chunks write identical cells. */
  readonly writeTimeBase: number;
  /** Epoch ms when validation started. */
  readonly startedAt: number;
}

/** Chunk Lambdas at once on AWS: plenty for Keyspaces on-demand, well below Lambda's quota. */
export const DEFAULT_CHUNK_CONCURRENCY = 32;

export interface ChunkPlan {
  readonly chunks: readonly ChunkSpec[];
  readonly seconds: number;
}

/** One Map item: only what the chunk Lambda needs. */
export interface ChunkTask {
  readonly dataset: string;
  readonly ratingsKey: string;
  readonly ratingsFormat: RatingsFormat;
  readonly writeTimeBase: number;
  /** Ratings per second into one table (the layout's pace); 0 or absent: unpaced. */
  readonly writeRatingsPerSecond?: number;
  readonly chunk: ChunkSpec;
}

export interface ChunkResult {
  readonly index: number;
  /** Lines in the chunk, blank ones included (for file-wide line numbers of rejected rows). */
  readonly lines: number;
  /** Valid rows written (before cross-chunk duplicates collapse). */
  readonly rows: number;
  /** Blank lines and the header line: neither data nor errors. */
  readonly skippedLines: number;
  readonly rejected: RejectCounts;
  readonly stagedQuarantineKey: string | null;
  readonly seconds: number;
}

export interface CatalogueResult {
  readonly movies: number;
  readonly links: number;
  readonly tags: number;
  readonly seconds: number;
}

export interface AggregateRequest {
  readonly layout: DatasetLayout;
  readonly chunks: readonly ChunkResult[];
}

export interface AggregateResult {
  readonly counts: Readonly<Record<string, number>>;
  readonly rejected: RejectCounts;
  readonly quarantineKeys: readonly string[];
  readonly charts: readonly string[];
  readonly seconds: number;
}

export interface FinishRequest {
  readonly layout: DatasetLayout;
  readonly outcome: 'ready' | 'failed';
  readonly plan?: ChunkPlan;
  readonly chunks?: readonly ChunkResult[];
  readonly catalogue?: CatalogueResult;
  readonly aggregate?: AggregateResult;
  /** The pace the chunk Map ran at (MarkReady passes it; a failure may come before it is set). */
  readonly pace?: RunPace;
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

export interface IngestSummary {
  readonly dataset: string;
  readonly status: 'ready' | 'failed';
  readonly counts: Readonly<Record<string, number>>;
  readonly rejected: RejectCounts;
  readonly timings: Readonly<Record<string, number>>;
  readonly quarantineKeys: readonly string[];
  /** The capacity the ratings were written at (capacity-switch.ts); absent on a failure. */
  readonly capacity?: CapacityRecord;
  readonly error?: string;
}

/** Data set names become S3 prefixes and Cassandra keys: keep them plain. */
const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function assertDatasetName(name: string): string {
  if (!DATASET_NAME.test(name)) {
    throw new Error(
      `invalid data set name "${name}": use letters, digits, ".", "_" and "-" (at most 100)`,
    );
  }
  return name;
}

export function datasetPrefix(dataset: string): string {
  return `datasets/${assertDatasetName(dataset)}/`;
}
