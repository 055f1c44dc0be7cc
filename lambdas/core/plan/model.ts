/**
 * The scale and cost model behind `recsys plan`: wall time and dollars on AWS for ingest, one
 * training run and a month of serving, from the sizes, the block layout and the per-core ALS rate
 * the benchmark measured. Pure arithmetic; every constant is in prices.ts or assumptions.ts.
 */
import { assumptionValues, type Assumptions } from './assumptions.ts';
import { US_EAST_1, type Prices } from './prices.ts';

export interface PlanInput {
  ratings: number;
  users: number;
  movies: number;
  rank: number;
  iterations: number;
  /** Blocks per side (the training Map's item count); also the scan ranges (the train default). */
  blocks: number;
  /** Map MaxConcurrency for training and ingest. */
  concurrency: number;
  requestsPerMonth: number;
  /** Measured GFLOP per CPU-second of one ALS solve thread (bench/results/als.json). */
  gflopsPerCore: number;
}

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  unitPrice: number;
  dollars: number;
}

export interface PhaseEstimate {
  wallSeconds: number;
  lines: CostLine[];
  dollars: number;
}

export interface PlanEstimate {
  ingest: PhaseEstimate;
  train: PhaseEstimate & {
    secondsPerIteration: number;
    blockSeconds: number;
    gflopPerIteration: number;
    stateTransitions: number;
    lambdaInvocations: number;
  };
  servingMonth: PhaseEstimate;
  totalDollars: number;
}

/** State transitions of train.asl.json outside the Maps (without tuning): see countTrainTransitions. */
export const TRAIN_STATES = {
  /** Plan, PreparedAlready, ScanTokenRanges, BuildIndex, AssembleBlocks, TuneRequested, NoTuning, Init. */
  before: 8,
  /** MoreIterations, SolveUserBlocks, CombineUserFactors, SolveItemBlocks, CombineItemFactors, EvaluateBlocks, Checkpoint. */
  perIteration: 7,
  /** MoreIterations (done), Outputs (Parallel), TopNBlocks, SimilarMovieBlocks, Publish. */
  after: 5,
  /** Map items per iteration, in blocks: user solves, item solves, evaluations. */
  mapItemsPerIteration: 3,
  /** Map items outside the loop, in blocks: assemble, top-N, similar movies (+ scan ranges). */
  mapItemsOnce: 3,
};

export function countTrainTransitions(
  iterations: number,
  blocks: number,
  scanRanges: number,
  perMapItem: number,
): number {
  const states = TRAIN_STATES.before + TRAIN_STATES.perIteration * iterations + TRAIN_STATES.after;
  const items =
    scanRanges +
    blocks * (TRAIN_STATES.mapItemsOnce + TRAIN_STATES.mapItemsPerIteration * iterations);
  return states + perMapItem * items;
}

/** FLOPs of one half-iteration (Cholesky, biases: d = rank + 1), as scripts/bench/als.ts counts them. */
export function halfIterationFlops(ratings: number, rows: number, rank: number): number {
  const d = rank + 1;
  return ratings * (d * d + 3 * d) + rows * ((d * d * d) / 3 + 2 * d * d);
}

const line = (item: string, quantity: number, unit: string, unitPrice: number): CostLine => ({
  item,
  quantity,
  unit,
  unitPrice,
  dollars: quantity * unitPrice,
});

const phase = (wallSeconds: number, lines: CostLine[]): PhaseEstimate => ({
  wallSeconds,
  lines,
  dollars: lines.reduce((sum, l) => sum + l.dollars, 0),
});

const gbSeconds = (seconds: number, memoryMb: number) => (seconds * memoryMb) / 1024;

export function estimateIngest(input: PlanInput, a: Assumptions, p: Prices): PhaseEstimate {
  const bytes = input.ratings * a.csvBytesPerRating;
  const chunks = Math.min(a.maxChunks, Math.max(1, Math.ceil(bytes / a.chunkBytes)));
  const rows = input.ratings * a.wruPerRating;
  const inFlight = Math.min(chunks, input.concurrency);
  // Two tables, each with its own per-table write quota.
  const rowsPerSecond = Math.min(
    inFlight * a.ingestRowsPerSecondPerLambda,
    a.wruPerRating * a.tableWriteLimit,
  );
  const lambdaSeconds = rows / a.ingestRowsPerSecondPerLambda + chunks * a.invokeOverheadSeconds;
  const wallSeconds = a.mapOverheadSeconds + rows / rowsPerSecond + 5 * a.invokeOverheadSeconds;
  return phase(wallSeconds, [
    line(
      'Keyspaces writes (2 rows per rating + movies)',
      rows + input.movies,
      'WRU',
      p.keyspacesPerWru,
    ),
    line(
      'Lambda compute (chunk writers)',
      gbSeconds(lambdaSeconds, a.ingestMemoryMb),
      'GB-s',
      p.lambdaPerGbSecond,
    ),
    line('Lambda requests', chunks + 5, 'requests', p.lambdaPerRequest),
    // Validate, Plan, IngestChunks, Catalogue, Aggregate, MarkReady + the Map's children.
    line(
      'Step Functions transitions',
      6 + a.transitionsPerMapItem * chunks,
      'transitions',
      p.sfnPerTransition,
    ),
    line('S3 GET (chunk byte ranges)', chunks, 'requests', p.s3PerGet),
  ]);
}

/** A stored list is one row: its ids and scores (4 + 4 bytes an entry) plus the per-row overhead. */
function listBytes(entries: number, a: Assumptions): number {
  return entries * 8 + a.storageBytesPerRatingRow;
}

/** Write request units of one list row: one per started KB. */
function listWru(entries: number): number {
  return Math.ceil((entries * 8 + 100) / 1024);
}

export function estimateTrain(input: PlanInput, a: Assumptions, p: Prices): PlanEstimate['train'] {
  const { ratings, users, movies, rank, iterations, blocks, concurrency } = input;
  const d = rank + 1;
  const factorBytes = (rows: number) => rows * d * 4;
  const s3 = (bytes: number) => bytes / a.s3BytesPerSecond;
  // Single-threaded solves: more memory than one vCPU's worth buys no speed.
  const rate = input.gflopsPerCore * 1e9 * Math.min(1, a.solveMemoryMb / 1769);
  const waves = Math.ceil(blocks / concurrency);
  // One block of one side: fetch the other side's factors and this block's CSR (8 bytes a rating),
  // solve, write this block's factors.
  const block = (rows: number, otherRows: number) =>
    a.invokeOverheadSeconds +
    halfIterationFlops(ratings, rows, rank) / blocks / rate +
    s3(factorBytes(otherRows) + (ratings / blocks) * 8 + factorBytes(rows / blocks));
  const userBlock = block(users, movies);
  const itemBlock = block(movies, users);
  const combine = (rows: number) => a.invokeOverheadSeconds + s3(2 * factorBytes(rows));
  const evalBlock =
    a.invokeOverheadSeconds +
    s3(factorBytes(users + movies) + (ratings / blocks) * 8) +
    (2 * d * ratings) / blocks / rate;
  const secondsPerIteration =
    3 * a.mapOverheadSeconds +
    waves * (userBlock + itemBlock + evalBlock) +
    combine(users) +
    combine(movies) +
    a.invokeOverheadSeconds;

  const scanRanges = blocks;
  const scanSeconds =
    a.invokeOverheadSeconds + ratings / scanRanges / a.scanRatingsPerSecondPerLambda;
  const assembleSeconds = a.invokeOverheadSeconds + s3((ratings / blocks) * 12 * 2);
  const prepare =
    2 * a.mapOverheadSeconds +
    Math.ceil(scanRanges / concurrency) * scanSeconds +
    waves * assembleSeconds +
    3 * a.invokeOverheadSeconds;
  // Brute-force scoring: every user against every movie, every movie against every movie.
  const topNBlock = a.invokeOverheadSeconds + (2 * rank * users * movies) / blocks / rate;
  const similarBlock = a.invokeOverheadSeconds + (2 * rank * movies * movies) / blocks / rate;
  const outputs =
    a.mapOverheadSeconds + waves * Math.max(topNBlock, similarBlock) + a.invokeOverheadSeconds;
  const wallSeconds = prepare + iterations * secondsPerIteration + outputs;

  const solveSeconds =
    iterations * blocks * (userBlock + itemBlock + evalBlock) + blocks * (topNBlock + similarBlock);
  const scanLambdaSeconds = scanRanges * scanSeconds + blocks * assembleSeconds;
  const smallSeconds =
    iterations * (combine(users) + combine(movies) + a.invokeOverheadSeconds) +
    4 * a.invokeOverheadSeconds;
  const gbs =
    gbSeconds(solveSeconds, a.solveMemoryMb) +
    gbSeconds(scanLambdaSeconds, a.scanMemoryMb) +
    gbSeconds(smallSeconds, a.smallTaskMemoryMb);
  const mapItems = scanRanges + blocks * (3 + 3 * iterations);
  const lambdaInvocations = mapItems + 4 + 3 * iterations;
  const stateTransitions = countTrainTransitions(
    iterations,
    blocks,
    scanRanges,
    a.transitionsPerMapItem,
  );
  const rru = Math.ceil((ratings * a.scanBytesPerRating) / 4096);
  // Shuffle: each scan range writes a shard per block, each assemble reads its shards; each
  // iteration: every block reads the other side's factors and writes its own, combines read them
  // back; evaluation reads both sides.
  const puts =
    scanRanges * blocks + blocks + iterations * (2 * blocks + 2 + blocks) + 2 * blocks + 2;
  const gets =
    scanRanges * blocks + iterations * (2 * blocks + 2 * blocks + 2 * blocks) + 2 * blocks;
  const lines = [
    line('Lambda compute (all train steps)', gbs, 'GB-s', p.lambdaPerGbSecond),
    line('Lambda requests', lambdaInvocations, 'requests', p.lambdaPerRequest),
    line('Step Functions transitions', stateTransitions, 'transitions', p.sfnPerTransition),
    line('Keyspaces reads (token-range scans)', rru, 'RRU', p.keyspacesPerRru),
    line(
      'Keyspaces writes (top-N and similar-movie rows)',
      users * listWru(a.topN) + movies * listWru(a.similarN),
      'WRU',
      p.keyspacesPerWru,
    ),
    line('S3 PUT (shuffle, blocks, factors)', puts, 'requests', p.s3PerPut),
    line('S3 GET (shuffle, blocks, factors)', gets, 'requests', p.s3PerGet),
  ];
  const gflopPerIteration =
    (halfIterationFlops(ratings, users, rank) + halfIterationFlops(ratings, movies, rank)) / 1e9;
  return {
    ...phase(wallSeconds, lines),
    secondsPerIteration,
    blockSeconds: Math.max(userBlock, itemBlock),
    gflopPerIteration,
    stateTransitions,
    lambdaInvocations,
  };
}

export function estimateServingMonth(input: PlanInput, a: Assumptions, p: Prices): PhaseEstimate {
  const q = input.requestsPerMonth;
  const keyspacesGb =
    (input.ratings * a.wruPerRating * a.storageBytesPerRatingRow +
      input.users * listBytes(a.topN, a) +
      input.movies * listBytes(a.similarN, a)) /
    1e9;
  const s3Gb =
    (input.ratings * a.csvBytesPerRating + (input.users + input.movies) * (input.rank + 1) * 4) /
    1e9;
  return phase(0, [
    line('API Gateway requests', q, 'requests', p.apiGatewayPerRequest),
    line('Lambda requests (API)', q, 'requests', p.lambdaPerRequest),
    line(
      'Lambda compute (API)',
      gbSeconds((q * a.servingLambdaMs) / 1000, a.apiMemoryMb),
      'GB-s',
      p.lambdaPerGbSecond,
    ),
    line('Keyspaces reads', q * a.rruPerRequest, 'RRU', p.keyspacesPerRru),
    line('Keyspaces storage (ratings + outputs)', keyspacesGb, 'GB-month', p.keyspacesPerGbMonth),
    line('S3 storage (CSV + model factors)', s3Gb, 'GB-month', p.s3PerGbMonth),
  ]);
}

export function estimatePlan(
  input: PlanInput,
  overrides: { assumptions?: Partial<Assumptions>; prices?: Prices } = {},
): PlanEstimate {
  const a = assumptionValues(overrides.assumptions);
  const p = overrides.prices ?? US_EAST_1;
  const ingest = estimateIngest(input, a, p);
  const train = estimateTrain(input, a, p);
  const servingMonth = estimateServingMonth(input, a, p);
  return {
    ingest,
    train,
    servingMonth,
    totalDollars: ingest.dollars + train.dollars + servingMonth.dollars,
  };
}
