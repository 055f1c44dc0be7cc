import {
  BULK_TABLE_WRITE_UNITS_PER_SECOND,
  CHUNK_WRITE_BUDGET_SECONDS,
  CHUNK_WRITER_ROWS_PER_SECOND,
  INGEST_TIMEOUT_SECONDS,
  MIN_BYTES_PER_RATING,
  NEW_TABLE_WRITE_UNITS_PER_SECOND,
  PROVISIONED_LOAD_READ_UNITS,
  TABLE_WRITE_UNITS_QUOTA,
  TYPICAL_BYTES_PER_RATING,
} from '../ingest/write-budget.ts';
import { MAX_CHUNKS } from '../ingest/chunk-boundaries.ts';
import { TASK_ASSUMPTIONS, type Assumption } from '../train/task-assumptions.ts';

export type { Assumption } from '../train/task-assumptions.ts';

/**
 * Every number the cost model assumes that is not a price or an input. `recsys plan` prints them
 * all, with why, so an estimate can be checked and argued with line by line. Those that size the
 * training tasks are task sizing's own (lambdas/core/train/task-assumptions.ts), listed here in
 * the order the plan has always printed them.
 */

export const ASSUMPTIONS = {
  solveMemoryMb: TASK_ASSUMPTIONS.solveMemoryMb,
  scanMemoryMb: TASK_ASSUMPTIONS.scanMemoryMb,
  smallTaskMemoryMb: TASK_ASSUMPTIONS.smallTaskMemoryMb,
  ingestMemoryMb: {
    value: 2048,
    unit: 'MB',
    why: 'ingest chunk, Catalogue and Aggregate Lambdas (statemachines/ingest.functions.ts; Validate has 512, Plan and Finish 256)',
  },
  apiMemoryMb: { value: 1024, unit: 'MB', why: 'API Lambda (infra/constructs/api.ts)' },
  catalogueRowsPerSecond: {
    value: BULK_TABLE_WRITE_UNITS_PER_SECOND,
    unit: 'rows/s',
    why: "Catalogue's movies and tags, Aggregate's per-user and per-movie rows: each a new on-demand table (4,000 WRU/s), one writer at a time paced to it (write-budget.ts writerPace)",
  },
  capacitySwitchSeconds: {
    value: 300,
    unit: 's',
    why: 'one switch of a ratings table\'s capacity mode (Keyspaces: "several minutes"; not measured): the ingest waits for the raise to provisioned before its chunk Map, and the tables stay provisioned, and billed, through the switch back after it; billed in whole hours',
  },
  lambdaBaselineMb: TASK_ASSUMPTIONS.lambdaBaselineMb,
  runFileCacheMb: TASK_ASSUMPTIONS.runFileCacheMb,
  storageBytesPerRatingRow: {
    value: 130,
    unit: 'bytes',
    why: '~30 bytes of columns plus Keyspaces per-row metadata (~100 bytes); one row per rating in each ratings table',
  },
  scanBytesPerRating: {
    value: 40,
    unit: 'bytes',
    why: "bytes returned per rating by a token-range scan of ratings_by_user (training's scans, ingestion's Aggregate); 1 RRU per 4 KB (LOCAL_QUORUM)",
  },
  scanRatingsPerSecondPerLambda: TASK_ASSUMPTIONS.scanRatingsPerSecondPerLambda,
  s3BytesPerSecond: TASK_ASSUMPTIONS.s3BytesPerSecond,
  invokeOverheadSeconds: TASK_ASSUMPTIONS.invokeOverheadSeconds,
  mapOverheadSeconds: TASK_ASSUMPTIONS.mapOverheadSeconds,
  transitionsPerMapItem: {
    value: 2,
    unit: 'transitions',
    why: 'a Distributed Map child execution: its start plus its one Task state',
  },
  validationShare: TASK_ASSUMPTIONS.validationShare,
  neighbourRatingShare: TASK_ASSUMPTIONS.neighbourRatingShare,
  neighbourUserSpread: TASK_ASSUMPTIONS.neighbourUserSpread,
  neighbourGramUpdatesPerSecond: TASK_ASSUMPTIONS.neighbourGramUpdatesPerSecond,
  neighbourCholeskyGflops: TASK_ASSUMPTIONS.neighbourCholeskyGflops,
  neighbourInverseGflops: TASK_ASSUMPTIONS.neighbourInverseGflops,
  listScoringGflops: TASK_ASSUMPTIONS.listScoringGflops,
  topNScoringGflops: TASK_ASSUMPTIONS.topNScoringGflops,
  topN: {
    value: 50,
    unit: 'movies per user',
    why: 'stored recommendations (training default topN), one `recommendation_lists` row per user',
  },
  similarN: {
    value: 20,
    unit: 'movies per movie',
    why: 'stored neighbours (training default similarN), one `similar_movie_lists` row per movie; rarely rated movies are skipped, so this is an upper bound',
  },
  servingLambdaMs: {
    value: 30,
    unit: 'ms',
    why: 'billed duration of a stored top-N request (local p50 was 10–40 ms on 2 shared cores)',
  },
  rruPerRequest: {
    value: 2,
    unit: 'RRU',
    why: 'a recommendations row and one ≤ 4 KB read of movie titles (the active model id is cached)',
  },
} satisfies Record<string, Assumption>;

export type Assumptions = { [K in keyof typeof ASSUMPTIONS]: number };

export function assumptionValues(overrides: Partial<Assumptions> = {}): Assumptions {
  const values = Object.fromEntries(
    Object.entries(ASSUMPTIONS).map(([k, a]) => [k, a.value]),
  ) as Assumptions;
  return { ...values, ...overrides };
}

/**
 * The ingest schedule's own numbers (lambdas/core/ingest/write-budget.ts, what the Validate step
 * runs): the cost model plans the chunk Map with the very function ingestion uses, so these are
 * printed beside the assumptions but changed only there.
 */
export const INGEST_SCHEDULE: Record<string, Assumption> = {
  newTableWriteUnits: {
    value: NEW_TABLE_WRITE_UNITS_PER_SECOND,
    unit: 'WRU/s per table',
    why: 'what a new on-demand Keyspaces table sustains until it grows or is pre-warmed ("Pre-warm a new table", Keyspaces guide)',
  },
  tableWriteUnitsQuota: {
    value: TABLE_WRITE_UNITS_QUOTA,
    unit: 'units/s per table',
    why: 'default per-table throughput quota (on-demand and provisioned); pre-warming or provisioning above it needs a raise',
  },
  chunkWriterRowsPerSecond: {
    value: CHUNK_WRITER_ROWS_PER_SECOND,
    unit: 'rows/s',
    why: 'one chunk Lambda writing ratings_by_user, ~16 batches in flight at ~8 ms (not measured on AWS)',
  },
  chunkWriteBudgetSeconds: {
    value: CHUNK_WRITE_BUDGET_SECONDS,
    unit: 's',
    why: "a chunk's writes fit half its Lambda's 900 s: the chunk size follows from it and the writer's pace",
  },
  minBytesPerRating: {
    value: MIN_BYTES_PER_RATING,
    unit: 'bytes',
    why: 'shortest ratings line: chunk sizes assume it, so no chunk holds more ratings than budgeted',
  },
  typicalBytesPerRating: {
    value: TYPICAL_BYTES_PER_RATING,
    unit: 'bytes',
    why: "ml-25m's ratings.csv averages 27 bytes a line: the file size and the time estimates",
  },
  maxChunks: {
    value: MAX_CHUNKS,
    unit: 'chunks',
    why: 'the chunk Map results must stay under the 256 KB payload quota',
  },
  ingestTimeoutSeconds: {
    value: INGEST_TIMEOUT_SECONDS,
    unit: 's',
    why: 'the ingest state machine times out after 6 h; a schedule over 80 % of it is refused',
  },
  provisionedReadUnits: {
    value: PROVISIONED_LOAD_READ_UNITS.ratings_by_user,
    unit: 'RCU',
    why: 'read capacity ratings_by_user (the one ratings table) holds while provisioned, for the Aggregate scan that may start while the table switches back',
  },
};
