/**
 * Task sizing: how long each task of a training run computes and how long the run takes, from the
 * data set's size, the two models, the block layout and the per-core rates the benchmarks
 * measured. No prices: the train Plan step picks its block count from this (block-count.ts), and
 * the cost model (lambdas/core/cost/train.ts) prices the Lambda-seconds it reports.
 *
 * A training run (statemachines/train.asl.json, without tuning) is: prepare (scan, index, assemble,
 * init), `iterations` fit iterations on the training split then `refitIterations` on every rating,
 * each solving both models in every block task — the rating model (explicit ALS, Cholesky, rank
 * `ratingRank` + bias) and the ranking model (implicit ALS, conjugate gradient, `rankingRank`) — then the
 * neighbour stage (a Map of per-user-block partial XᵀX over the M most-rated movies and one solve),
 * the outputs (top-N ranked by the factor/neighbour blend, similar movies) and Publish (the bundle).
 */
import {
  cgHalfIterationFlops,
  cgIterationFlops,
  gramFlops,
  halfIterationFlops,
  neighbourGramUpdates,
} from './flops.ts';
import type { TaskAssumptions } from './task-assumptions.ts';

/** What a training run is sized from: the data set, the two models, the layout and the rates. */
export interface TrainWorkload {
  ratings: number;
  users: number;
  movies: number;
  /** Rating model (explicit ALS, Cholesky, with biases): latent factors. */
  ratingRank: number;
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
  /** Map MaxConcurrency for training and ingest. */
  concurrency: number;
  /** Measured GFLOP per CPU-second of one Cholesky ALS solve thread (bench/results/als.json). */
  gflopsPerCore: number;
  /** Measured GFLOP per second of one implicit-ALS CG thread, Gram included (bench/results/als-vs-implicit.json). */
  cgGflopsPerCore: number;
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

/** A training run's time: the wall clock, its stages and every kind of task. */
export interface TrainRunSizing {
  wallSeconds: number;
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
  /** Scan ranges of the prepare stage (one per block). */
  scanRanges: number;
  /** Whether the run has a neighbour stage (M > 0). */
  neighbours: boolean;
  /** Lambda-seconds of the whole run at each deployed memory size: what Lambda bills. */
  lambdaSeconds: { solve: number; scan: number; small: number };
}

/** Lambda memory that buys one full vCPU: tasks with less compute at that fraction of a core. */
const FULL_VCPU_MB = 1769;

/** Bytes of the model bundle Publish writes (and the outputs read): both models' factors and the neighbour weights. */
export function bundleBytes(
  input: Pick<TrainWorkload, 'users' | 'movies' | 'ratingRank' | 'rankingRank' | 'neighbourMovies'>,
): number {
  const { users, movies, ratingRank, rankingRank } = input;
  const M = Math.min(input.neighbourMovies, movies);
  return (users + movies) * (ratingRank + 1 + rankingRank) * 4 + 4 * M * M;
}

export function sizeTrainRun(input: TrainWorkload, a: TaskAssumptions): TrainRunSizing {
  const { ratings, users, movies, ratingRank: rank, iterations, blocks, concurrency } = input;
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
  const topNRate = a.topNScoringGflops * 1e9 * share(a.solveMemoryMb);
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
  // against the M neighbour movies (2·rank flops a movie; the walk stops there once the bound of
  // every other movie is below the list's floor, ranked-lists.ts: on a 25M model for every user
  // sampled; without a neighbour model, every movie) plus the neighbour row of each of their
  // ratings on the M movies (2·M flops a rating), then the blend, at `topNScoringGflops`. Similar
  // movies: every movie against every movie by the ranking factors, at `listScoringGflops`.
  const modelBytes =
    ratingSide(users + movies) + rankingSide(users) + rankingSide(movies) + neighbourBytes;
  const foldInGram = gramFlops(movies, k);
  const scoredMovies = neighbours ? M : movies;
  const topNBlock =
    a.invokeOverheadSeconds +
    s3(modelBytes + csr(ratings / blocks)) +
    foldInGram / cgRate +
    ((2 * k * users * scoredMovies) / blocks + (neighbours ? (2 * M * onMembers) / blocks : 0)) /
      topNRate;
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
    wallSeconds,
    secondsPerIteration: fit.seconds,
    secondsPerRefitIteration: refit.seconds,
    loopIterations,
    blockSeconds: Math.max(fit.userBlock, fit.itemBlock),
    gflopPerIteration,
    neighbourSeconds,
    tasks,
    longestTaskSeconds: Math.max(...Object.values(tasks)),
    scanRanges,
    neighbours,
    lambdaSeconds: { solve: solveSeconds, scan: scanLambdaSeconds, small: smallSeconds },
  };
}
