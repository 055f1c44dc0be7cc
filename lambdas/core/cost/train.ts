/**
 * A training run's dollars: the Lambda-seconds task sizing reports (lambdas/core/train/
 * task-sizing.ts) at the deployed memory sizes, and the requests, transitions, scans and writes
 * the run makes.
 */
import { sizeTrainRun, type TrainRunSizing } from '../train/task-sizing.ts';
import type { Assumptions } from './assumptions.ts';
import type { CostModelInput } from './input.ts';
import { gbSeconds, line, phase, type PhaseEstimate } from './lines.ts';
import type { Prices } from './prices.ts';

/** A training run's time as task sizing gives it, with what it costs and what it bills. */
export interface TrainEstimate
  extends
    PhaseEstimate,
    Pick<
      TrainRunSizing,
      | 'secondsPerIteration'
      | 'secondsPerRefitIteration'
      | 'loopIterations'
      | 'blockSeconds'
      | 'gflopPerIteration'
      | 'neighbourSeconds'
      | 'tasks'
      | 'longestTaskSeconds'
    > {
  stateTransitions: number;
  lambdaInvocations: number;
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

/** Write request units of one list row: one per started KB. */
function listWru(entries: number): number {
  return Math.ceil((entries * 8 + 100) / 1024);
}

export function estimateTrain(input: CostModelInput, a: Assumptions, p: Prices): TrainEstimate {
  const sizing = sizeTrainRun(input, a);
  const { ratings, users, movies, blocks } = input;
  const { loopIterations, scanRanges, neighbours } = sizing;
  const v = a.validationShare;
  const gbs =
    gbSeconds(sizing.lambdaSeconds.solve, a.solveMemoryMb) +
    gbSeconds(sizing.lambdaSeconds.scan, a.scanMemoryMb) +
    gbSeconds(sizing.lambdaSeconds.small, a.smallTaskMemoryMb);
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
  return {
    ...phase(sizing.wallSeconds, lines),
    secondsPerIteration: sizing.secondsPerIteration,
    secondsPerRefitIteration: sizing.secondsPerRefitIteration,
    loopIterations,
    blockSeconds: sizing.blockSeconds,
    gflopPerIteration: sizing.gflopPerIteration,
    neighbourSeconds: sizing.neighbourSeconds,
    tasks: sizing.tasks,
    longestTaskSeconds: sizing.longestTaskSeconds,
    stateTransitions,
    lambdaInvocations,
  };
}
