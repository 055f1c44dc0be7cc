import { BinaryReader, BinaryWriter } from '../matrix/binary.ts';
import { IdMap } from '../matrix/id-map.ts';
import type { ResolvedAlsOptions } from './options.ts';

export interface IterationRecord {
  /** 1-based. */
  iteration: number;
  /** Wall time of this iteration (both half-steps). */
  seconds: number;
  /** RMSE on the training ratings after this iteration (explicit, when tracked). */
  trainRmse?: number;
}

/** A trained ALS model: dense factor matrices plus the id maps that index them. */
export interface AlsModel {
  rank: number;
  userIds: IdMap;
  itemIds: IdMap;
  /** users × rank, row-major, in `userIds` index order. */
  userFactors: Float32Array;
  /** items × rank, row-major, in `itemIds` index order. */
  itemFactors: Float32Array;
  userBias?: Float32Array;
  itemBias?: Float32Array;
  /** Mean training rating (the prediction for an unknown user and movie in explicit models). */
  globalMean: number;
  options: ResolvedAlsOptions;
  history: IterationRecord[];
}

/** Dot product of user row u and item row i. */
export function factorDot(model: AlsModel, u: number, i: number): number {
  const { rank, userFactors, itemFactors } = model;
  const uo = u * rank;
  const io = i * rank;
  let s = 0;
  for (let k = 0; k < rank; k++) s += userFactors[uo + k]! * itemFactors[io + k]!;
  return s;
}

/**
 * Unclamped score by dense indices; -1 marks an unknown side. Explicit models fall back to the
 * biases and the global mean for unknown users or movies; implicit models score unknowns 0.
 */
export function rawScoreByIndex(model: AlsModel, u: number, i: number): number {
  if (model.options.implicit) return u >= 0 && i >= 0 ? factorDot(model, u, i) : 0;
  const biased = model.options.biases;
  let s = biased ? model.globalMean : 0;
  if (biased && u >= 0) s += model.userBias![u]!;
  if (biased && i >= 0) s += model.itemBias![i]!;
  if (u >= 0 && i >= 0) s += factorDot(model, u, i);
  else if (!biased) s = model.globalMean;
  return s;
}

export function clampRating(model: AlsModel, value: number): number {
  const { ratingMin, ratingMax } = model.options;
  return value < ratingMin ? ratingMin : value > ratingMax ? ratingMax : value;
}

/**
 * Predicted rating for external ids, clamped to the rating scale (explicit models), or the
 * preference score (implicit models). Unknown ids never throw; see `rawScoreByIndex`.
 */
export function predict(model: AlsModel, userId: number, movieId: number): number {
  const raw = rawScoreByIndex(model, model.userIds.indexOf(userId), model.itemIds.indexOf(movieId));
  return model.options.implicit ? raw : clampRating(model, raw);
}

/** Predictions for many (userId, movieId) pairs at once, e.g. a test set. */
export function predictMany(
  model: AlsModel,
  userIds: ArrayLike<number>,
  movieIds: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(userIds.length);
  for (let k = 0; k < out.length; k++) out[k] = predict(model, userIds[k]!, movieIds[k]!);
  return out;
}

const MODEL_MAGIC = 'RSALSMD1';
const MODEL_VERSION = 1;

/** Binary model file: JSON metadata (options, history, mean) followed by the typed arrays. */
export function encodeModel(model: AlsModel): Uint8Array {
  const meta = {
    rank: model.rank,
    globalMean: model.globalMean,
    options: model.options,
    history: model.history,
    hasBias: model.userBias !== undefined,
  };
  const writer = new BinaryWriter(MODEL_MAGIC, MODEL_VERSION)
    .string(JSON.stringify(meta))
    .f64(model.globalMean) // JSON would round-trip it too; binary keeps it exact by construction
    .array(model.userIds.ids)
    .array(model.itemIds.ids)
    .array(model.userFactors)
    .array(model.itemFactors);
  if (model.userBias && model.itemBias) writer.array(model.userBias).array(model.itemBias);
  return writer.finish();
}

export function decodeModel(bytes: Uint8Array): AlsModel {
  const reader = new BinaryReader(bytes, MODEL_MAGIC, [MODEL_VERSION]);
  const meta = JSON.parse(reader.string()) as {
    rank: number;
    options: ResolvedAlsOptions;
    history: IterationRecord[];
    hasBias: boolean;
  };
  const globalMean = reader.f64();
  const userIds = IdMap.fromSortedUnique(reader.i32Array());
  const itemIds = IdMap.fromSortedUnique(reader.i32Array());
  const userFactors = reader.f32Array();
  const itemFactors = reader.f32Array();
  if (
    userFactors.length !== userIds.size * meta.rank ||
    itemFactors.length !== itemIds.size * meta.rank
  ) {
    throw new Error('corrupt model file: factor sizes do not match the id maps');
  }
  const model: AlsModel = {
    rank: meta.rank,
    userIds,
    itemIds,
    userFactors,
    itemFactors,
    globalMean,
    options: meta.options,
    history: meta.history,
  };
  if (meta.hasBias) {
    model.userBias = reader.f32Array();
    model.itemBias = reader.f32Array();
  }
  return model;
}
