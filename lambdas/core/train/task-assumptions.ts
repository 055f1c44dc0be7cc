/**
 * Every number task sizing (task-sizing.ts, task-memory.ts) assumes that is not an input: the
 * Lambdas' memory, transfer and overhead times, the neighbour and list kernels' rates. No prices:
 * the production block count is chosen from these alone. The cost model prints them among its
 * assumptions (lambdas/core/cost/assumptions.ts), with why, so they can be argued with.
 */
export interface Assumption {
  value: number;
  unit: string;
  why: string;
}

export const TASK_ASSUMPTIONS = {
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
    why: "similar movies on one thread (score-kernel.wat: every movie's x·y against every candidate, cosine and heap), in the flops the model counts (2·rank·movies a list): 11.9 (9.3 over the 48,946 candidates it scores) on a 25M-shaped model, CPU time, best of 3, load average ~10 (2026-12-07; npx tsx scripts/bench/lists.ts), rounded down; 2026-12-08 at load 1.4, with the heap's floor tested before the offer: 0.63 ms a list, 12.6 (bench/results/lists.json); kept at 8, since a similar-movies task also writes its rows and reads the bundle",
  },
  topNScoringGflops: {
    value: 3,
    unit: 'GFLOP/s',
    why: "a user's top-N on one thread (ranked-lists.ts: the M neighbour movies' x·y through score-kernel.wat, the neighbour rows of their ratings, the moments' spread, blend and heap; the walk past the head, which stops there for every user sampled at 25M, is not counted), in the flops the model counts (2·rank·M + 2·M·ratings on the M movies a list): 0.209–0.232 ms for 2·64·2,000 + 2·2,000·115.5 = 718,000 flops = 3.1–3.4 on a 25M-shaped model, CPU time, best of 3, load average 1.3–2.5 (bench/results/lists.json; npx tsx scripts/bench/lists.ts --old-sample 32 --new-sample 512), rounded down; the scoring is now bound by the neighbour rows (weightedRowSum), not the factor kernel",
  },
} satisfies Record<string, Assumption>;

export type TaskAssumptions = { [K in keyof typeof TASK_ASSUMPTIONS]: number };

export function taskAssumptionValues(overrides: Partial<TaskAssumptions> = {}): TaskAssumptions {
  const values = Object.fromEntries(
    Object.entries(TASK_ASSUMPTIONS).map(([k, a]) => [k, a.value]),
  ) as TaskAssumptions;
  return { ...values, ...overrides };
}
