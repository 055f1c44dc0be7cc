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

/**
 * Every number the cost model assumes that is not a price or an input. `recsys plan` prints them
 * all, with why, so an estimate can be checked and argued with line by line.
 */
export interface Assumption {
  value: number;
  unit: string;
  why: string;
}

export const ASSUMPTIONS = {
  solveMemoryMb: {
    value: 1769,
    unit: 'MB',
    why: 'solve/evaluate/top-N/similar-movies and both neighbour Lambdas (statemachines/train.functions.ts); Lambda gives 1 vCPU per 1,769 MB, and every task computes on one thread',
  },
  scanMemoryMb: {
    value: 2048,
    unit: 'MB',
    why: 'scan-range and assemble-block Lambdas (statemachines/train.functions.ts)',
  },
  smallTaskMemoryMb: {
    value: 1024,
    unit: 'MB',
    why: 'build-index, init, combine-factors and publish Lambdas (statemachines/train.functions.ts). Plan (512 MB) and the per-iteration checkpoint (256 MB) are priced at this size too: each is one invocation overhead, so the over-statement is about 4 GB-s ($0.00005) a run at the defaults. 1,024 MB is 0.58 of a vCPU, so the Gram matrices computed there (init, combine, publish) run at 0.58 of the per-core rate',
  },
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
  provisionedSwitchSeconds: {
    value: 1800,
    unit: 's',
    why: 'a provisioned bulk load holds its capacity beyond the ingest itself: the deploy that switches the ratings tables to provisioned before the upload, the upload, and the deploy that switches them back to on-demand after MarkReady (docs/deploy.md); billed in whole hours',
  },
  lambdaBaselineMb: {
    value: 100,
    unit: 'MB',
    why: 'a train Lambda before it reads anything: Node, the AWS SDK and Cassandra clients, the code',
  },
  runFileCacheMb: {
    value: 256,
    unit: 'MB',
    why: "a warm train container's cache of decoded run files from earlier tasks (lambdas/services/train/run-files.ts, RECSYS_TRAIN_CACHE_BYTES): counted on top of the task's own files, and each task holds its largest file twice while it downloads (the SDK's bytes, then Buffer.from's copy)",
  },
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
  scanRatingsPerSecondPerLambda: {
    value: 50000,
    unit: 'ratings/s',
    why: "paged range scan (5,000-row pages, ~100 ms a page) by one Lambda (a training scan range; ingestion's Aggregate)",
  },
  s3BytesPerSecond: {
    value: 80e6,
    unit: 'bytes/s',
    why: 'one Lambda reading or writing one S3 object (single stream)',
  },
  invokeOverheadSeconds: {
    value: 0.25,
    unit: 's',
    why: 'per Lambda invocation: warm start, S3 and Keyspaces client round trips',
  },
  mapOverheadSeconds: {
    value: 2,
    unit: 's',
    why: 'per Distributed Map state: starting child executions and collecting results',
  },
  transitionsPerMapItem: {
    value: 2,
    unit: 'transitions',
    why: 'a Distributed Map child execution: its start plus its one Task state',
  },
  validationShare: {
    value: 0.2,
    unit: 'fraction',
    why: 'the validation split (TRAIN_DEFAULTS.validation): the fit iterations solve on the other 80 % of the ratings, the refit iterations on all of them; the refit runs only when this is > 0',
  },
  neighbourRatingShare: {
    value: 0.78,
    unit: 'fraction',
    why: 'share of the ratings that fall on the M neighbour movies (the most rated): 78,305 of 100,836 on ml-latest-small with M = 2,000 of 9,724 rated movies (bench/results/neighbour-rates.json); not measured on ml-25m (none here), where M is a smaller part of a more concentrated catalogue',
  },
  neighbourUserSpread: {
    value: 2.8,
    unit: 'ratio',
    why: "users·Σn_u² / (Σn_u)², n_u = user u's ratings among the M movies (1 if every user had as many): 2.77 on ml-latest-small (bench/results/neighbour-rates.json); the gram work Σn_u²/2 is this × (ratings on M)² / (2·users), capped at M/2 per rating",
  },
  neighbourGramUpdatesPerSecond: {
    value: 2.5e8,
    unit: 'updates/s',
    why: "gramOfUsers (one multiply-add into the M×M partial per pair of a user's neighbour movies), one thread, ml-latest-small, M = 2,000: 2.58e8/s, best of 5 (bench/results/neighbour-rates.json), rounded down",
  },
  neighbourCholeskyGflops: {
    value: 4.1,
    unit: 'GFLOP/s',
    why: 'factorGram (dense Cholesky, M³/3 flops), one thread, XᵀX + λI of ml-latest-small, M = 2,000: 4.13, best of 5 (bench/results/neighbour-rates.json)',
  },
  neighbourInverseGflops: {
    value: 3.5,
    unit: 'GFLOP/s',
    why: 'inverseRows (four columns per pass, ≈ 4M³/3 flops: per column a forward solve from row j and a backward solve), one thread, M = 2,000: 3.56, best of 5 (bench/results/neighbour-rates.json; one column per pass it was ≈ 1.9)',
  },
  listScoringGflops: {
    value: 8,
    unit: 'GFLOP/s',
    why: "the Outputs' lists on one thread (score-kernel.wat: every movie's x·y, the neighbour rows of a user's ratings, blend and heap), in the flops the model counts (2·rank·movies + 2·M·ratings on the M movies a top-N list; 2·rank·movies a similar list): top-N 8.6, similar movies 11.9 (9.3 over the 48,946 candidates it scores) on a 25M-shaped model, CPU time, best of 3, load average ~10 (bench/results/lists.json; npx tsx scripts/bench/lists.ts), rounded down",
  },
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
    why: 'one chunk Lambda, both ratings tables at once (half to each), ~16 batches in flight at ~8 ms (not measured on AWS)',
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
    value:
      PROVISIONED_LOAD_READ_UNITS.ratings_by_user + PROVISIONED_LOAD_READ_UNITS.ratings_by_movie,
    unit: 'RCU',
    why: `read capacity the ratings tables hold while provisioned (ratings_by_user ${PROVISIONED_LOAD_READ_UNITS.ratings_by_user} for the Aggregate scan, ratings_by_movie ${PROVISIONED_LOAD_READ_UNITS.ratings_by_movie})`,
  },
};
