import {
  buildRatingMatrices,
  splitIntoBlocks,
  type CsrBlock,
  type RatingMatrices,
} from '../matrix/csr.ts';
import { hash4 } from '../matrix/hash.ts';
import type { RatingsTable } from '../ratings.ts';
import {
  SolverScratch,
  currentRows,
  solveBlock,
  solverStartsFromCurrent,
  type BlockSolveInput,
} from './block-solver.ts';
import { meanFromRatingSum, ratingSumUnits } from './global-mean.ts';
import { computeGram } from './gram.ts';
import { ITEM_SALT, USER_SALT, initialFactors } from './initial-factors.ts';
import { clampRating, rawScoreByIndex, type AlsModel, type IterationRecord } from './model.ts';
import { resolveAlsOptions, type AlsOptions, type ResolvedAlsOptions } from './options.ts';

/**
 * What a caller may hang on one training call. Not options: they never reach the model or its
 * file, and they cannot change the factors.
 */
export interface TrainingHooks {
  /**
   * Called after every iteration with its record and the model so far (its arrays are live and
   * change in later iterations; copy what you keep). Use it for validation curves or progress.
   */
  onIteration?: (record: IterationRecord, model: AlsModel) => void;
  /**
   * Processes blocks in an order shuffled by this seed instead of 0..blocks-1. Results must not
   * change; this exists so tests can prove it.
   */
  blockOrderSeed?: number;
}

/** Trains ALS in this process on a ratings table (ids are mapped and CSR blocks built here). */
export function trainAls(
  table: RatingsTable,
  options: AlsOptions = {},
  hooks: TrainingHooks = {},
): AlsModel {
  if (table.length === 0) throw new Error('cannot train ALS on an empty ratings table');
  return trainAlsOnMatrices(buildRatingMatrices(table), options, undefined, hooks);
}

/** One side of the model while training: factors (and biases) indexed by dense row. */
interface SideState {
  factors: Float32Array;
  bias: Float32Array | undefined;
}

/** Factors to start from instead of the hash-seeded ones (same id maps): a warm start. */
export type WarmStart = Pick<AlsModel, 'userFactors' | 'itemFactors' | 'userBias' | 'itemBias'>;

/**
 * The in-process driver: the same block solves a distributed run performs, executed in a loop.
 * Each half-step reads only the other side's factors from the previous half-step, so block order
 * and block count cannot change the result. `start` continues from an earlier model (the refit
 * on every rating after a validated fit), `globalMean` keeps that model's mean.
 */
export function trainAlsOnMatrices(
  matrices: RatingMatrices,
  options: AlsOptions = {},
  start?: WarmStart & { globalMean?: number },
  hooks: TrainingHooks = {},
): AlsModel {
  const { userIds, itemIds, byUser, byItem } = matrices;
  const resolved = resolveAlsOptions(options, observedRange(byUser.values));
  const { rank, seed, biases, implicit } = resolved;
  const globalMean =
    start?.globalMean ?? meanFromRatingSum(ratingSumUnits(byUser.values), byUser.values.length);
  const userBlocks = splitIntoBlocks(byUser, resolved.blocks, resolved.partition, userIds);
  const itemBlocks = splitIntoBlocks(byItem, resolved.blocks, resolved.partition, itemIds);
  const users: SideState = {
    factors: start ? start.userFactors.slice() : initialFactors(userIds, rank, seed, USER_SALT),
    bias: biases ? (start?.userBias?.slice() ?? new Float32Array(userIds.size)) : undefined,
  };
  const items: SideState = {
    factors: start ? start.itemFactors.slice() : initialFactors(itemIds, rank, seed, ITEM_SALT),
    bias: biases ? (start?.itemBias?.slice() ?? new Float32Array(itemIds.size)) : undefined,
  };
  if (
    users.factors.length !== userIds.size * rank ||
    items.factors.length !== itemIds.size * rank
  ) {
    throw new Error('warm-start factors do not match the id maps and rank');
  }
  const model: AlsModel = {
    rank,
    userIds,
    itemIds,
    userFactors: users.factors,
    itemFactors: items.factors,
    // The starting biases, so that a model of 0 iterations is its start (a warm refit reads them).
    ...(biases ? { userBias: users.bias, itemBias: items.bias } : {}),
    globalMean,
    options: resolved,
    history: [],
  };
  const scratch = new SolverScratch();
  for (let iteration = 1; iteration <= resolved.iterations; iteration++) {
    const started = performance.now();
    const order = (count: number, side: number): number[] =>
      blockOrder(count, hooks.blockOrderSeed, iteration, side);
    halfStep(userBlocks, order(userBlocks.length, 0), users, items, model, scratch);
    halfStep(itemBlocks, order(itemBlocks.length, 1), items, users, model, scratch);
    model.userFactors = users.factors;
    model.itemFactors = items.factors;
    if (biases) {
      model.userBias = users.bias;
      model.itemBias = items.bias;
    }
    const record: IterationRecord = { iteration, seconds: (performance.now() - started) / 1000 };
    if (resolved.trackTrainRmse && !implicit) record.trainRmse = csrRmse(model, byUser);
    model.history.push(record);
    hooks.onIteration?.(record, model);
  }
  return model;
}

/**
 * Solves every block of one side against the other side's current factors, then replaces the
 * side's factors (and biases) with the new ones: no block reads a row solved in the same half-step.
 */
function halfStep(
  blocks: readonly CsrBlock[],
  order: readonly number[],
  solving: SideState,
  fixed: SideState,
  model: AlsModel,
  scratch: SolverScratch,
): void {
  const { rank } = model;
  const settings: ResolvedAlsOptions = model.options;
  const rowsTotal = solving.factors.length / rank;
  const next: SideState = {
    factors: new Float32Array(rowsTotal * rank),
    bias: solving.bias ? new Float32Array(rowsTotal) : undefined,
  };
  const gram = settings.implicit ? computeGram(fixed.factors, rank) : undefined;
  const warmStarted = solverStartsFromCurrent(settings);
  for (const b of order) {
    const block = blocks[b]!;
    const input: BlockSolveInput = {
      block,
      fixedFactors: fixed.factors,
      fixedBias: fixed.bias,
      globalMean: model.globalMean,
      gram,
      ...(warmStarted ? currentRows(solving, block.rows, rank) : {}),
    };
    const out = solveBlock(input, settings, scratch);
    scatterRows(out.factors, out.rows, rank, next.factors);
    if (out.bias && next.bias) scatterRows(out.bias, out.rows, 1, next.bias);
  }
  solving.factors = next.factors;
  solving.bias = next.bias;
}

function scatterRows(
  values: Float32Array,
  rows: Int32Array,
  width: number,
  into: Float32Array,
): void {
  for (let r = 0; r < rows.length; r++) {
    into.set(values.subarray(r * width, r * width + width), rows[r]! * width);
  }
}

/** 0..count-1, or a permutation of it when a shuffle seed is given (tests use it). */
function blockOrder(
  count: number,
  shuffleSeed: number | undefined,
  iteration: number,
  side: number,
): number[] {
  const order = Array.from({ length: count }, (_, b) => b);
  if (shuffleSeed === undefined) return order;
  const key = (b: number): number => hash4(b, shuffleSeed, iteration, side);
  return order.sort((a, b) => key(a) - key(b));
}

function observedRange(values: Float32Array): { ratingMin: number; ratingMax: number } {
  let ratingMin = Infinity;
  let ratingMax = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (v < ratingMin) ratingMin = v;
    if (v > ratingMax) ratingMax = v;
  }
  return values.length > 0 ? { ratingMin, ratingMax } : { ratingMin: 0, ratingMax: 0 };
}

/**
 * RMSE of the model's clamped predictions over a user-row CSR (rows = dense user indices, columns =
 * dense item indices of the same model), e.g. the training matrix.
 */
export function csrRmse(model: AlsModel, byUser: CsrBlock): number {
  let sum = 0;
  let count = 0;
  for (let r = 0; r < byUser.rows.length; r++) {
    const u = byUser.rows[r]!;
    for (let k = byUser.rowPtr[r]!; k < byUser.rowPtr[r + 1]!; k++) {
      const err =
        clampRating(model, rawScoreByIndex(model, u, byUser.colIdx[k]!)) - byUser.values[k]!;
      sum += err * err;
      count++;
    }
  }
  return count > 0 ? Math.sqrt(sum / count) : 0;
}
