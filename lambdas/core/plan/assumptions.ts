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
    why: 'solve/evaluate/top-N/similar-movies and both neighbour Lambdas (infra/constructs/training.ts); Lambda gives 1 vCPU per 1,769 MB, and every task computes on one thread',
  },
  scanMemoryMb: { value: 2048, unit: 'MB', why: 'scan-range and assemble-block Lambdas (infra)' },
  smallTaskMemoryMb: {
    value: 1024,
    unit: 'MB',
    why: 'plan, build-index, init, combine-factors, publish Lambdas (infra; checkpoint is 256); 1,024 MB is 0.58 of a vCPU, so the Gram matrices computed there (init, combine, publish) run at 0.58 of the per-core rate',
  },
  ingestMemoryMb: {
    value: 2048,
    unit: 'MB',
    why: 'ingest chunk Lambda (infra/constructs/ingestion.ts)',
  },
  apiMemoryMb: { value: 1024, unit: 'MB', why: 'API Lambda (infra/constructs/api.ts)' },
  csvBytesPerRating: {
    value: 25,
    unit: 'bytes',
    why: 'a ratings.csv line of ml-25m averages ~25 bytes',
  },
  chunkBytes: {
    value: 32 * 2 ** 20,
    unit: 'bytes',
    why: 'ingest chunk size cap (lambdas/core/ingest/chunk-plan.ts: 32 MiB, at most 400 chunks)',
  },
  maxChunks: { value: 400, unit: 'chunks', why: 'ingest chunk plan cap' },
  wruPerRating: {
    value: 2,
    unit: 'WRU',
    why: 'each rating is written to ratings_by_user and ratings_by_movie; each row < 1 KB = 1 WRU',
  },
  ingestRowsPerSecondPerLambda: {
    value: 2000,
    unit: 'rows/s',
    why: 'one chunk Lambda with ~16 writes in flight at ~8 ms Keyspaces write latency (not measured on AWS: local Cassandra shares the CPU with the loader)',
  },
  tableWriteLimit: {
    value: 40000,
    unit: 'WRU/s per table',
    why: 'default Keyspaces per-table on-demand throughput quota; raise it by a service-quota request',
  },
  storageBytesPerRatingRow: {
    value: 130,
    unit: 'bytes',
    why: '~30 bytes of columns plus Keyspaces per-row metadata (~100 bytes); two rows per rating',
  },
  scanBytesPerRating: {
    value: 40,
    unit: 'bytes',
    why: 'bytes returned per rating by a token-range scan of ratings_by_user; 1 RRU per 4 KB (LOCAL_QUORUM)',
  },
  scanRatingsPerSecondPerLambda: {
    value: 50000,
    unit: 'ratings/s',
    why: 'paged range scan (5,000-row pages, ~100 ms a page) by one scan Lambda',
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
