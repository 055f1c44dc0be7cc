/**
 * The scale and cost model behind `recsys plan`: wall time and dollars on AWS for ingest, one
 * training run and a month of serving, from the sizes, the block layout and the per-core rates
 * the benchmarks measured. Pure arithmetic; every constant is in prices.ts or assumptions.ts.
 *
 * A training run (statemachines/train.asl.json, without tuning) is: prepare (scan, index, assemble,
 * init), `iterations` fit iterations on the training split then `refitIterations` on every rating,
 * each solving both models in every block task — the rating model (explicit ALS, Cholesky, rank
 * `rank` + bias) and the ranking model (implicit ALS, conjugate gradient, `rankingRank`) — then the
 * neighbour stage (a Map of per-user-block partial XᵀX over the M most-rated movies and one solve),
 * the outputs (top-N ranked by the factor/neighbour blend, similar movies) and Publish (the bundle).
 */
import {
  CHUNK_TIMEOUT_SECONDS,
  NEW_TABLE_WRITE_UNITS_PER_SECOND,
  PROVISIONED_LOAD_READ_UNITS,
  RATINGS_TABLES,
  TABLE_WRITE_UNITS_QUOTA,
  TYPICAL_BYTES_PER_RATING,
  WRITE_UNITS_PER_RATING_PER_TABLE,
  chunkWriteSeconds,
  ingestSchedule,
  type IngestCapacity,
} from '../ingest/write-budget.ts';
import { assumptionValues, type Assumptions } from './assumptions.ts';
import { US_EAST_1, type Prices } from './prices.ts';

/** How the ratings tables take an ingest: the stack's `ingestCapacity` and `ingestWriteUnits`. */
export interface IngestSetting {
  readonly capacity: IngestCapacity;
  /**
   * On-demand: write units/s each ratings table sustains (a new table's 4,000; above, the tables
   * are pre-warmed to it). Provisioned: the WCU each table holds for the load.
   */
  readonly writeUnits: number;
}

/** What a plain `cdk deploy` runs: new on-demand tables at 4,000 WRU/s each. */
export const DEFAULT_INGEST: IngestSetting = {
  capacity: 'on-demand',
  writeUnits: NEW_TABLE_WRITE_UNITS_PER_SECOND,
};

/** The context parameters that deploy an ingest setting. */
export function ingestSettingFlags(setting: IngestSetting): string {
  const units = `-c ingestWriteUnits=${setting.writeUnits}`;
  return setting.capacity === 'provisioned'
    ? `-c ingestCapacity=provisioned ${units}`
    : setting.writeUnits === NEW_TABLE_WRITE_UNITS_PER_SECOND
      ? 'the default'
      : units;
}

export function describeIngestSetting(setting: IngestSetting): string {
  const units = setting.writeUnits.toLocaleString('en-US');
  if (setting.capacity === 'provisioned') {
    return `provisioned ${units} WCU per ratings table for the load, then on-demand`;
  }
  return setting.writeUnits === NEW_TABLE_WRITE_UNITS_PER_SECOND
    ? `on-demand, new tables (${units} WRU/s each)`
    : `on-demand, pre-warmed to ${units} WRU/s each`;
}

export interface CostModelInput {
  ratings: number;
  users: number;
  movies: number;
  /** Rating model (explicit ALS, Cholesky, with biases): latent factors. */
  rank: number;
  /** Loop iterations of the validated fit (plan.iterations). */
  iterations: number;
  /** Loop iterations on every rating after the fit (plan.refitIterations; none without a validation split). */
  refitIterations: number;
  /** Ranking model (implicit ALS, conjugate gradient, no biases): latent factors. */
  rankingRank: number;
  /** Conjugate-gradient steps per row of the ranking model. */
  cgSteps: number;
  /** M: movies in the neighbour model, the most rated (0: no neighbour stage). */
  neighbourMovies: number;
  /** Blocks per side (the training Map's item count); also the scan ranges (the train default). */
  blocks: number;
  /** Tag applications (tags.csv lines) the Catalogue step writes; 0 when not given. */
  tags?: number;
  /** How the ratings tables take the ingest; {@link DEFAULT_INGEST} when not given. */
  ingest?: IngestSetting;
  /** Map MaxConcurrency for training and ingest. */
  concurrency: number;
  requestsPerMonth: number;
  /** Measured GFLOP per CPU-second of one Cholesky ALS solve thread (bench/results/als.json). */
  gflopsPerCore: number;
  /** Measured GFLOP per second of one implicit-ALS CG thread, Gram included (bench/results/als-vs-implicit.json). */
  cgGflopsPerCore: number;
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

/** Seconds of one task (one Lambda invocation) of each kind, overheads and S3 transfers included. */
export interface TrainTaskSeconds {
  scanRange: number;
  assembleBlock: number;
  /** The slower of a user-block and an item-block solve (both models), refit phase (every rating). */
  solveBlock: number;
  evaluateBlock: number;
  /** The larger side's combine (both models' whole side, the ranking side's Gram). */
  combine: number;
  neighbourGram: number;
  neighbourSolve: number;
  topN: number;
  similarMovies: number;
  publish: number;
}

export interface IngestEstimate extends PhaseEstimate {
  setting: IngestSetting;
  chunks: number;
  chunkConcurrency: number;
  /** Seconds of the chunk Map (the ratings writes). */
  writeSeconds: number;
  /** Billed hours of provisioned capacity (0 on-demand). */
  provisionedHours: number;
  /** Why the stack would refuse or fail this setting for this data set; empty when it runs. */
  refusals: string[];
}

export interface CostEstimate {
  ingest: IngestEstimate;
  train: PhaseEstimate & {
    /** A fit iteration (training split). */
    secondsPerIteration: number;
    /** A refit iteration (every rating). */
    secondsPerRefitIteration: number;
    /** Fit + refit iterations. */
    loopIterations: number;
    /** The slower block solve of a fit iteration (both models). */
    blockSeconds: number;
    /** Both models over every rating (one refit iteration), Grams included. */
    gflopPerIteration: number;
    /** Wall seconds of the neighbour stage (Map + solve); 0 without one. */
    neighbourSeconds: number;
    tasks: TrainTaskSeconds;
    /** The longest single task: against the 900 s Lambda timeout. */
    longestTaskSeconds: number;
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
  /** MoreIterations (done), NeighboursRequested, Outputs (Parallel), TopNBlocks, SimilarMovieBlocks, Publish. */
  after: 6,
  /** NeighbourGramBlocks (Map), NeighbourSolve: after NeighboursRequested when the run has neighbours. */
  neighbours: 2,
  /** Map items per loop iteration, in blocks: user solves, item solves, evaluations. */
  mapItemsPerIteration: 3,
  /** Map items outside the loop, in blocks: assemble, top-N, similar movies (+ scan ranges, + neighbour grams). */
  mapItemsOnce: 3,
};

/** Lambda memory that buys one full vCPU: tasks with less compute at that fraction of a core. */
const FULL_VCPU_MB = 1769;

export function countTrainTransitions(
  loopIterations: number,
  blocks: number,
  scanRanges: number,
  perMapItem: number,
  neighbours = true,
): number {
  const states =
    TRAIN_STATES.before +
    TRAIN_STATES.perIteration * loopIterations +
    TRAIN_STATES.after +
    (neighbours ? TRAIN_STATES.neighbours : 0);
  const items =
    scanRanges +
    blocks *
      (TRAIN_STATES.mapItemsOnce +
        (neighbours ? 1 : 0) +
        TRAIN_STATES.mapItemsPerIteration * loopIterations);
  return states + perMapItem * items;
}

/** FLOPs of one half-iteration (Cholesky, biases: d = rank + 1), as scripts/bench/als.ts counts them. */
export function halfIterationFlops(ratings: number, rows: number, rank: number): number {
  const d = rank + 1;
  return ratings * (d * d + 3 * d) + rows * ((d * d * d) / 3 + 2 * d * d);
}

/**
 * FLOPs of one implicit-ALS half-iteration by conjugate gradient (no biases, d = rank): every row
 * applies its system steps + 1 times (the first residual, then one product per step); a product
 * costs 4·rank per rating (y·v, then y·(y·v) added) and 2·rank² for the packed α₀·YᵀY term.
 */
export function cgHalfIterationFlops(
  ratings: number,
  rows: number,
  rank: number,
  steps: number,
): number {
  return (steps + 1) * (4 * rank * ratings + 2 * rank * rank * rows);
}

/** FLOPs of YᵀY for `rows` factor rows (packed: rank(rank + 1)/2 multiply-adds a row ≈ rank²). */
export function gramFlops(rows: number, rank: number): number {
  return rows * rank * rank;
}

/** One whole implicit iteration (both halves and both sides' Grams): how the CG rate is measured. */
export function cgIterationFlops(
  ratings: number,
  users: number,
  movies: number,
  rank: number,
  steps: number,
): number {
  return (
    cgHalfIterationFlops(ratings, users, rank, steps) +
    cgHalfIterationFlops(ratings, movies, rank, steps) +
    gramFlops(users + movies, rank)
  );
}

/**
 * Multiply-adds of the neighbour partials over all user blocks: Σ_u n_u(n_u + 1)/2 ≈ Σ n_u²/2 with
 * n_u the user's ratings among the M movies; Σ n_u² = spread · (ratings on M)² / users, and no user
 * has more than M of them, so at most M/2 per rating.
 */
export function neighbourGramUpdates(
  ratingsOnMembers: number,
  users: number,
  M: number,
  spread: number,
): number {
  return Math.min(
    (spread * ratingsOnMembers * ratingsOnMembers) / (2 * users),
    (M * ratingsOnMembers) / 2,
  );
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
/**
 * Ingest of the ratings, movies and tags: the chunk Map as ingestion schedules it
 * (lambdas/core/ingest/write-budget.ts: chunk size, writers at once, their pace, both tables filled
 * side by side), then Catalogue (movies, tags) and Aggregate (a scan of every rating, the per-user
 * and per-movie statistics). Paced writers wait for their share of the tables' rate, and Lambda
 * bills the wait. Provisioned capacity is billed per WCU-hour for every started hour the tables
 * hold it, used or not.
 */
export function estimateIngest(input: CostModelInput, a: Assumptions, p: Prices): IngestEstimate {
  const setting = input.ingest ?? DEFAULT_INGEST;
  const provisioned = setting.capacity === 'provisioned';
  const ratingsBytes = input.ratings * TYPICAL_BYTES_PER_RATING;
  const schedule = ingestSchedule({
    ratingsBytes,
    tableWriteUnits: setting.writeUnits,
    concurrency: input.concurrency,
  });
  const { chunks, chunkConcurrency } = schedule;
  const refusals = schedule.refusal ? [schedule.refusal] : [];
  const s3 = (bytes: number) => bytes / a.s3BytesPerSecond;
  // Every chunk of a wave starts together and writes at the same pace, so the Map takes whole
  // waves of the average chunk.
  const chunkSeconds =
    a.invokeOverheadSeconds +
    s3(ratingsBytes / chunks) +
    chunkWriteSeconds(input.ratings / chunks, setting.writeUnits, chunkConcurrency);
  const writeSeconds = Math.ceil(chunks / chunkConcurrency) * chunkSeconds;
  const tags = input.tags ?? 0;
  // Catalogue and Aggregate write rows into new on-demand tables; Aggregate scans every rating.
  const catalogueSeconds =
    a.invokeOverheadSeconds + (input.movies + tags) / a.catalogueRowsPerSecond;
  const aggregateSeconds =
    a.invokeOverheadSeconds +
    input.ratings / a.scanRatingsPerSecondPerLambda +
    (input.users + input.movies) / a.catalogueRowsPerSecond;
  for (const [step, seconds] of [
    ['Catalogue', catalogueSeconds],
    ['Aggregate', aggregateSeconds],
  ] as const) {
    if (seconds > CHUNK_TIMEOUT_SECONDS) {
      refusals.push(
        `${step} runs in one Lambda and would need ${Math.round(seconds)} s, over its ${CHUNK_TIMEOUT_SECONDS} s timeout`,
      );
    }
  }
  if (setting.writeUnits > TABLE_WRITE_UNITS_QUOTA) {
    refusals.push(
      `${setting.writeUnits} write units/s per table is above the default per-table quota of ` +
        `${TABLE_WRITE_UNITS_QUOTA}: raise it in Service Quotas first`,
    );
  }
  // Validate, Plan, Finish: one invocation each.
  const wallSeconds =
    a.mapOverheadSeconds +
    writeSeconds +
    catalogueSeconds +
    aggregateSeconds +
    3 * a.invokeOverheadSeconds;
  const provisionedHours = provisioned
    ? Math.ceil((wallSeconds + a.provisionedSwitchSeconds) / 3600)
    : 0;
  const ratingRows = RATINGS_TABLES.length * WRITE_UNITS_PER_RATING_PER_TABLE * input.ratings;
  const readUnits =
    PROVISIONED_LOAD_READ_UNITS.ratings_by_user + PROVISIONED_LOAD_READ_UNITS.ratings_by_movie;
  const tables = RATINGS_TABLES.length;
  const ratingsLines = provisioned
    ? [
        line(
          `Keyspaces provisioned writes (${tables} ratings tables × ${setting.writeUnits} WCU × ${provisionedHours} h)`,
          tables * setting.writeUnits * provisionedHours,
          'WCU-hours',
          p.keyspacesPerWcuHour,
        ),
        line(
          `Keyspaces provisioned reads (${readUnits} RCU × ${provisionedHours} h, the Aggregate scan)`,
          readUnits * provisionedHours,
          'RCU-hours',
          p.keyspacesPerRcuHour,
        ),
      ]
    : [
        line(`Keyspaces writes (${tables} rows per rating)`, ratingRows, 'WRU', p.keyspacesPerWru),
        ...(setting.writeUnits > NEW_TABLE_WRITE_UNITS_PER_SECOND
          ? [
              line(
                `Keyspaces pre-warming (${tables} tables, ${NEW_TABLE_WRITE_UNITS_PER_SECOND} → ${setting.writeUnits} WRU/s; ASSUMED price)`,
                tables * (setting.writeUnits - NEW_TABLE_WRITE_UNITS_PER_SECOND),
                'WRU/s added',
                p.keyspacesPerPrewarmWriteUnit,
              ),
            ]
          : []),
        line(
          "Keyspaces reads (Aggregate's scan of every rating)",
          Math.ceil((input.ratings * a.scanBytesPerRating) / 4096),
          'RRU',
          p.keyspacesPerRru,
        ),
      ];
  const chunkLambdaSeconds = chunks * chunkSeconds;
  const gbs =
    gbSeconds(chunkLambdaSeconds + catalogueSeconds + aggregateSeconds, a.ingestMemoryMb) +
    gbSeconds(a.invokeOverheadSeconds, 512) +
    gbSeconds(2 * a.invokeOverheadSeconds, 256);
  return {
    ...phase(wallSeconds, [
      ...ratingsLines,
      line(
        'Keyspaces writes (catalogue: movies + tags)',
        input.movies + tags,
        'WRU',
        p.keyspacesPerWru,
      ),
      line(
        'Keyspaces writes (Aggregate: per-user and per-movie statistics)',
        input.users + input.movies,
        'WRU',
        p.keyspacesPerWru,
      ),
      line(
        'Lambda compute (paced chunk writers, Catalogue, Aggregate)',
        gbs,
        'GB-s',
        p.lambdaPerGbSecond,
      ),
      // Validate, Plan, Catalogue, Aggregate, Finish + one per chunk.
      line('Lambda requests', chunks + 5, 'requests', p.lambdaPerRequest),
      // Validate, Plan, IngestChunks, Catalogue, Aggregate, MarkReady + the Map's children.
      line(
        'Step Functions transitions',
        6 + a.transitionsPerMapItem * chunks,
        'transitions',
        p.sfnPerTransition,
      ),
      // A byte range per chunk, a boundary window per cut (Plan), movies, links and tags.
      line(
        'S3 GET (chunk ranges, boundaries, catalogue)',
        2 * chunks - 1 + 3,
        'requests',
        p.s3PerGet,
      ),
    ]),
    setting,
    chunks,
    chunkConcurrency,
    writeSeconds,
    provisionedHours,
    refusals,
  };
}

export interface IngestOption {
  readonly label: string;
  readonly estimate: IngestEstimate;
}

/**
 * The ingest settings worth comparing for a data set: the default (new on-demand tables), the
 * fastest without a quota raise (pre-warmed to the per-table quota), and the cheapest provisioned
 * bulk load (every WCU count from 100 to the quota in steps of 100; the cheapest that runs, the
 * faster of equals). `cheapest` is the cheapest setting that runs (or the cheapest of all, when
 * none does).
 */
export function ingestOptions(
  input: CostModelInput,
  overrides: { assumptions?: Partial<Assumptions>; prices?: Prices } = {},
): { options: IngestOption[]; cheapest: IngestOption } {
  const a = assumptionValues(overrides.assumptions);
  const p = overrides.prices ?? US_EAST_1;
  const at = (setting: IngestSetting) => estimateIngest({ ...input, ingest: setting }, a, p);
  const better = (x: IngestEstimate, y: IngestEstimate) =>
    (x.refusals.length === 0) !== (y.refusals.length === 0)
      ? x.refusals.length === 0
      : x.dollars < y.dollars - 1e-9 ||
        (Math.abs(x.dollars - y.dollars) <= 1e-9 && x.wallSeconds < y.wallSeconds);
  let provisioned: IngestEstimate | undefined;
  for (let units = 100; units <= TABLE_WRITE_UNITS_QUOTA; units += 100) {
    const e = at({ capacity: 'provisioned', writeUnits: units });
    if (!provisioned || better(e, provisioned)) provisioned = e;
  }
  const options: IngestOption[] = [
    { label: 'default', estimate: at(DEFAULT_INGEST) },
    {
      label: 'fastest without a quota raise',
      estimate: at({ capacity: 'on-demand', writeUnits: TABLE_WRITE_UNITS_QUOTA }),
    },
    { label: 'cheapest provisioned', estimate: provisioned! },
  ];
  const cheapest = options.reduce((best, o) => (better(o.estimate, best.estimate) ? o : best));
  return { options, cheapest };
}

/** A stored list is one row: its ids and scores (4 + 4 bytes an entry) plus the per-row overhead. */
function listBytes(entries: number, a: Assumptions): number {
  return entries * 8 + a.storageBytesPerRatingRow;
}

/** Write request units of one list row: one per started KB. */
function listWru(entries: number): number {
  return Math.ceil((entries * 8 + 100) / 1024);
}

/** Bytes of the model bundle Publish writes (and the outputs read): both models' factors and the neighbour weights. */
export function bundleBytes(input: CostModelInput): number {
  const { users, movies, rank, rankingRank } = input;
  const M = Math.min(input.neighbourMovies, movies);
  return (users + movies) * (rank + 1 + rankingRank) * 4 + 4 * M * M;
}

export function estimateTrain(
  input: CostModelInput,
  a: Assumptions,
  p: Prices,
): CostEstimate['train'] {
  const { ratings, users, movies, rank, iterations, blocks, concurrency } = input;
  const k = input.rankingRank;
  const steps = input.cgSteps;
  const M = Math.min(input.neighbourMovies, movies);
  const neighbours = M > 0;
  const v = a.validationShare;
  const refitIterations = v > 0 ? input.refitIterations : 0;
  const loopIterations = iterations + refitIterations;
  const d = rank + 1;
  const s3 = (bytes: number) => bytes / a.s3BytesPerSecond;
  // Single-threaded tasks: more memory than one vCPU's worth buys no speed, less buys less.
  const share = (memoryMb: number) => Math.min(1, memoryMb / FULL_VCPU_MB);
  const rate = input.gflopsPerCore * 1e9 * share(a.solveMemoryMb);
  const cgRate = input.cgGflopsPerCore * 1e9 * share(a.solveMemoryMb);
  const smallCgRate = input.cgGflopsPerCore * 1e9 * share(a.smallTaskMemoryMb);
  const listRate = a.listScoringGflops * 1e9 * share(a.solveMemoryMb);
  const waves = Math.ceil(blocks / concurrency);

  // S3 objects: a rating-model side (factors + bias), a ranking-model side (factors + packed
  // float64 Gram), a CSR slice (column + value, 8 bytes a rating), the neighbour matrix (float32).
  const gramBytes = ((k * (k + 1)) / 2) * 8;
  const ratingSide = (rows: number) => rows * d * 4;
  const rankingSide = (rows: number) => rows * k * 4 + gramBytes;
  const csr = (n: number) => n * 8;
  const neighbourBytes = 4 * M * M;

  // Loop. One block task of one side solves both models: the rating model against the other
  // side's rating factors (Cholesky), the ranking model against the other side's ranking factors
  // and Gram, warm-started from its own side's previous factors (CG); it writes both block results.
  const block = (phaseRatings: number, rows: number, otherRows: number) =>
    a.invokeOverheadSeconds +
    halfIterationFlops(phaseRatings, rows, rank) / blocks / rate +
    cgHalfIterationFlops(phaseRatings, rows, k, steps) / blocks / cgRate +
    s3(
      csr(phaseRatings / blocks) +
        ratingSide(otherRows) +
        rankingSide(otherRows) +
        rankingSide(rows) +
        (rows / blocks) * (d + k) * 4,
    );
  // A combine reads both models' blocks of one side, writes the whole sides and YᵀY of the ranking side.
  const combine = (rows: number) =>
    a.invokeOverheadSeconds +
    s3(2 * rows * (d + k) * 4 + gramBytes) +
    gramFlops(rows, k) / smallCgRate;
  // Evaluation: the rating model's errors on the block's validation and training ratings.
  const evalBlock = (phaseRatings: number) =>
    a.invokeOverheadSeconds +
    s3(ratingSide(users + movies) + csr(phaseRatings / blocks) + (v * ratings * 12) / blocks) +
    (2 * d * (phaseRatings + v * ratings)) / blocks / rate;
  const iteration = (phaseRatings: number) => {
    const userBlock = block(phaseRatings, users, movies);
    const itemBlock = block(phaseRatings, movies, users);
    const evaluate = evalBlock(phaseRatings);
    return {
      userBlock,
      itemBlock,
      evaluate,
      seconds:
        3 * a.mapOverheadSeconds +
        waves * (userBlock + itemBlock + evaluate) +
        combine(users) +
        combine(movies) +
        a.invokeOverheadSeconds,
      lambdaSeconds: blocks * (userBlock + itemBlock + evaluate),
      smallSeconds: combine(users) + combine(movies) + a.invokeOverheadSeconds,
    };
  };
  const fit = iteration((1 - v) * ratings);
  const refit = iteration(ratings);

  // Prepare: scans shuffle to S3; each assemble reads its parts (12 bytes a rating, both
  // orientations) and writes its CSR slices (training split, and every rating when there is a
  // validation split) and its validation triples; Init writes iteration 0 of both models.
  const scanRanges = blocks;
  const scanSeconds =
    a.invokeOverheadSeconds + ratings / scanRanges / a.scanRatingsPerSecondPerLambda;
  const assembleSeconds =
    a.invokeOverheadSeconds +
    s3(
      (ratings * 12 * 2) / blocks +
        2 * csr(((1 - v) * ratings) / blocks) +
        (v > 0 ? 2 * csr(ratings / blocks) + (v * ratings * 12) / blocks : 0),
    );
  const initSeconds =
    a.invokeOverheadSeconds +
    s3(ratingSide(users + movies) + rankingSide(users) + rankingSide(movies)) +
    gramFlops(users + movies, k) / smallCgRate;
  const prepare =
    2 * a.mapOverheadSeconds +
    Math.ceil(scanRanges / concurrency) * scanSeconds +
    waves * assembleSeconds +
    2 * a.invokeOverheadSeconds +
    initSeconds;

  // Neighbours: each user block's partial XᵀX over the M movies (every rating, validation
  // included), written as float32 M × M; one Lambda sums them, factors and inverts.
  const onMembers = a.neighbourRatingShare * ratings;
  const gramUpdates = neighbours
    ? neighbourGramUpdates(onMembers, users, M, a.neighbourUserSpread)
    : 0;
  const neighbourGram = neighbours
    ? a.invokeOverheadSeconds +
      gramUpdates / blocks / (a.neighbourGramUpdatesPerSecond * share(a.solveMemoryMb)) +
      s3(csr(ratings / blocks) + neighbourBytes)
    : 0;
  const neighbourSolve = neighbours
    ? a.invokeOverheadSeconds +
      s3((blocks + 1) * neighbourBytes) +
      (blocks * M * M) / rate +
      M ** 3 / 3 / (a.neighbourCholeskyGflops * 1e9 * share(a.solveMemoryMb)) +
      (4 * M ** 3) / 3 / (a.neighbourInverseGflops * 1e9 * share(a.solveMemoryMb))
    : 0;
  const neighbourSeconds = neighbours
    ? a.mapOverheadSeconds + waves * neighbourGram + neighbourSolve
    : 0;

  // Outputs and Publish read the final models (both sides of both, the neighbour weights) and
  // compute α₀·YᵀY of the ranking items (prepareRecommender). A user's list: the ranking factors
  // against every movie (2·rank flops a movie) plus the neighbour row of each of their ratings on
  // the M movies (2·M flops a rating), then the blend; similar movies: every movie against every
  // movie by the ranking factors. Both at the list kernel's measured rate (listScoringGflops).
  const modelBytes =
    ratingSide(users + movies) + rankingSide(users) + rankingSide(movies) + neighbourBytes;
  const foldInGram = gramFlops(movies, k);
  const topNBlock =
    a.invokeOverheadSeconds +
    s3(modelBytes + csr(ratings / blocks)) +
    foldInGram / cgRate +
    ((2 * k * users * movies) / blocks + (neighbours ? (2 * M * onMembers) / blocks : 0)) /
      listRate;
  const similarBlock =
    a.invokeOverheadSeconds +
    s3(modelBytes) +
    foldInGram / cgRate +
    (2 * k * movies * movies) / blocks / listRate;
  const outputs = a.mapOverheadSeconds + waves * Math.max(topNBlock, similarBlock);
  const publishSeconds =
    a.invokeOverheadSeconds + s3(modelBytes + bundleBytes(input)) + foldInGram / smallCgRate;

  const wallSeconds =
    prepare +
    iterations * fit.seconds +
    refitIterations * refit.seconds +
    neighbourSeconds +
    outputs +
    publishSeconds;

  const solveSeconds =
    iterations * fit.lambdaSeconds +
    refitIterations * refit.lambdaSeconds +
    blocks * (topNBlock + similarBlock) +
    (neighbours ? blocks * neighbourGram + neighbourSolve : 0);
  const scanLambdaSeconds = scanRanges * scanSeconds + blocks * assembleSeconds;
  // Plan, BuildIndex, Init, per iteration two combines and the checkpoint, Publish.
  const smallSeconds =
    2 * a.invokeOverheadSeconds +
    initSeconds +
    iterations * fit.smallSeconds +
    refitIterations * refit.smallSeconds +
    publishSeconds;
  const gbs =
    gbSeconds(solveSeconds, a.solveMemoryMb) +
    gbSeconds(scanLambdaSeconds, a.scanMemoryMb) +
    gbSeconds(smallSeconds, a.smallTaskMemoryMb);
  const mapItems = scanRanges + blocks * (3 + (neighbours ? 1 : 0) + 3 * loopIterations);
  // + Plan, BuildIndex, Init, Publish, NeighbourSolve; 2 combines and a checkpoint per iteration.
  const lambdaInvocations = mapItems + 4 + (neighbours ? 1 : 0) + 3 * loopIterations;
  const stateTransitions = countTrainTransitions(
    loopIterations,
    blocks,
    scanRanges,
    a.transitionsPerMapItem,
    neighbours,
  );
  const rru = Math.ceil((ratings * a.scanBytesPerRating) / 4096);
  // S3 requests, from the handlers (small JSON reads — plan, settings, index, checkpoint — are
  // cached by warm containers and not counted).
  // PUT: plan.json; each scan a shuffle part per (orientation, block) and its ids; BuildIndex 3;
  // each assemble 2 CSR slices, validation, support (+ 2 all-rating slices with a validation
  // split); Init 4 sides, support, settings; per iteration every block task 2 block files (two
  // models), 4 whole sides, the checkpoint; neighbours a partial per block and the model;
  // Publish the bundle (model.bin, rating.bin, neighbours.bin, recommender.json).
  const puts =
    1 +
    scanRanges * (2 * blocks + 1) +
    3 +
    blocks * (v > 0 ? 6 : 4) +
    6 +
    loopIterations * (2 * 2 * blocks + 4 + 1) +
    (neighbours ? blocks + 1 : 0) +
    3 +
    (neighbours ? 1 : 0);
  // GET: BuildIndex the scans' ids; each assemble its parts; Init the blocks' supports; per
  // iteration every block task its CSR slice, the other side of both models and its own previous
  // ranking side (4), each combine 2 models × blocks, each evaluation the rating model's two sides,
  // its validation and CSR slice (4); neighbours a CSR slice per block and every partial; every
  // top-N task the 4 sides, the neighbours, the support and its CSR slice, every similar-movies
  // task and Publish the same but the CSR slice.
  const modelObjects = 4 + (neighbours ? 1 : 0) + 1;
  const gets =
    scanRanges +
    blocks * 2 * scanRanges +
    blocks +
    loopIterations * (2 * blocks * 4 + 2 * 2 * blocks + 4 * blocks) +
    (neighbours ? 2 * blocks : 0) +
    blocks * (modelObjects + 1) +
    blocks * modelObjects +
    modelObjects;
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
    line('S3 PUT (shuffle, factors, neighbours, bundle)', puts, 'requests', p.s3PerPut),
    line('S3 GET (shuffle, factors, neighbours, models)', gets, 'requests', p.s3PerGet),
  ];
  const gflopPerIteration =
    (halfIterationFlops(ratings, users, rank) +
      halfIterationFlops(ratings, movies, rank) +
      cgIterationFlops(ratings, users, movies, k, steps)) /
    1e9;
  const tasks: TrainTaskSeconds = {
    scanRange: scanSeconds,
    assembleBlock: assembleSeconds,
    solveBlock: Math.max(refit.userBlock, refit.itemBlock),
    evaluateBlock: refit.evaluate,
    combine: Math.max(combine(users), combine(movies)),
    neighbourGram,
    neighbourSolve,
    topN: topNBlock,
    similarMovies: similarBlock,
    publish: publishSeconds,
  };
  return {
    ...phase(wallSeconds, lines),
    secondsPerIteration: fit.seconds,
    secondsPerRefitIteration: refit.seconds,
    loopIterations,
    blockSeconds: Math.max(fit.userBlock, fit.itemBlock),
    gflopPerIteration,
    neighbourSeconds,
    tasks,
    longestTaskSeconds: Math.max(...Object.values(tasks)),
    stateTransitions,
    lambdaInvocations,
  };
}

/** Train task kinds, as {@link TrainTaskSeconds} names them. */
export type TrainTask = keyof TrainTaskSeconds;

/** The tasks that shrink as the block count grows (one per block or scan range). */
export const PER_BLOCK_TASKS: readonly TrainTask[] = [
  'scanRange',
  'assembleBlock',
  'solveBlock',
  'evaluateBlock',
  'neighbourGram',
  'topN',
  'similarMovies',
];

/** Memory (MB) each kind of train task gets as deployed (infra/constructs/training.ts), at most `maxMemoryMb`. */
export function trainTaskMemoryLimitsMb(
  a: Assumptions,
  maxMemoryMb = Infinity,
): Record<TrainTask, number> {
  const cap = (mb: number) => Math.min(mb, maxMemoryMb);
  return {
    scanRange: cap(a.scanMemoryMb),
    assembleBlock: cap(a.scanMemoryMb),
    solveBlock: cap(a.solveMemoryMb),
    evaluateBlock: cap(a.solveMemoryMb),
    combine: cap(a.smallTaskMemoryMb),
    neighbourGram: cap(a.solveMemoryMb),
    neighbourSolve: cap(a.solveMemoryMb),
    topN: cap(a.solveMemoryMb),
    similarMovies: cap(a.solveMemoryMb),
    publish: cap(a.smallTaskMemoryMb),
  };
}

/**
 * Peak bytes of one task of each kind: the files it holds (each whole, as the handlers read them)
 * plus its largest file a second time while it downloads, the Lambda's own baseline and the warm
 * container's cache of earlier tasks' files ({@link Assumptions.runFileCacheMb}). The blocks'
 * shares (CSR slices, parts) shrink with the block count; a whole side of factors does not: a
 * block solve holds the other side of both models and its own side's ranking factors (the CG warm
 * start), the outputs and Publish hold the whole bundle.
 */
export function trainTaskMemoryBytes(
  input: CostModelInput,
  a: Assumptions,
): Record<TrainTask, number> {
  const { ratings: R, users: U, movies: I, blocks: B } = input;
  const d = input.rank + 1;
  const k = input.rankingRank;
  const M = Math.min(input.neighbourMovies, I);
  const v = a.validationShare;
  const gram = ((k * (k + 1)) / 2) * 8;
  const ratingSide = (rows: number) => rows * d * 4;
  const rankingSide = (rows: number) => rows * k * 4 + gram;
  // Column index and value per rating; row id and row pointer per row.
  const csr = (n: number, rows: number) => n * 8 + rows * 8;
  const fixed = (a.lambdaBaselineMb + a.runFileCacheMb) * 2 ** 20;
  const held = (...files: number[]) =>
    fixed + files.reduce((sum, f) => sum + f, 0) + Math.max(0, ...files);
  const out = (rows: number) => (rows / B) * (d + k) * 4;
  const sides = [ratingSide(U), ratingSide(I), rankingSide(U), rankingSide(I)];
  const neighbours = M > 0 ? 4 * M * M : 0;
  return {
    // Its ratings as shuffle parts (12 bytes a rating, both orientations) until they are written.
    scanRange: held((R / B) * 12 * 2),
    // Its parts in, its CSR slices (fit and every rating, both sides) and validation out.
    assembleBlock: held(
      (R / B) * 24,
      2 * csr(((1 - v) * R) / B, (U + I) / B),
      v > 0 ? 2 * csr(R / B, (U + I) / B) : 0,
      (v * R * 12) / B,
    ),
    solveBlock: Math.max(
      held(csr(R / B, U / B), ratingSide(I), rankingSide(I), rankingSide(U), out(U)),
      held(csr(R / B, I / B), ratingSide(U), rankingSide(U), rankingSide(I), out(I)),
    ),
    evaluateBlock: held(ratingSide(U), ratingSide(I), csr(R / B, U / B), (v * R * 12) / B),
    // Both models' blocks of one side in, the whole side of both out (users: the larger side).
    combine: held(Math.max(U, I) * (d + k) * 4, Math.max(U, I) * (d + k) * 4 + gram),
    // The float64 partial, its float32 copy and the encoded file (docs/cost-model.md).
    neighbourGram: M > 0 ? held(csr(R / B, U / B), 8 * M * M, 2 * neighbours) : 0,
    // float64 sum 8M², 4 partials in flight 32M², the inverse rows 4M², the model 4M².
    neighbourSolve: M > 0 ? fixed + 48 * M * M : 0,
    topN: held(...sides, neighbours, csr(R / B, U / B)),
    similarMovies: held(...sides, neighbours),
    publish: held(...sides, neighbours, bundleBytes(input)),
  };
}

export function estimateServingMonth(
  input: CostModelInput,
  a: Assumptions,
  p: Prices,
): PhaseEstimate {
  const q = input.requestsPerMonth;
  const keyspacesGb =
    (input.ratings * RATINGS_TABLES.length * a.storageBytesPerRatingRow +
      input.users * listBytes(a.topN, a) +
      input.movies * listBytes(a.similarN, a)) /
    1e9;
  const s3Gb = (input.ratings * TYPICAL_BYTES_PER_RATING + bundleBytes(input)) / 1e9;
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
    line('S3 storage (CSV + model bundle)', s3Gb, 'GB-month', p.s3PerGbMonth),
  ]);
}

export function estimateCosts(
  input: CostModelInput,
  overrides: { assumptions?: Partial<Assumptions>; prices?: Prices } = {},
): CostEstimate {
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
