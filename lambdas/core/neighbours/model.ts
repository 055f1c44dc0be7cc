import { BinaryReader, BinaryWriter } from '../matrix/binary.ts';
import { IdMap } from '../matrix/id-map.ts';
import { ratingWeight, type NeighbourSettings } from './options.ts';
import { weightedRowsFor } from './weighted-rows.ts';

/** A fitted neighbour model: EASE weights among M movies (see options.ts for the math). */
export interface NeighbourModel {
  readonly settings: NeighbourSettings;
  /** External ids of the M movies, ascending; position = neighbour index. */
  readonly movieIds: Int32Array;
  /** M × M row-major, row = the movie a user rated, column = the movie scored; zero diagonal. */
  readonly weights: Float32Array;
}

const picked = { rows: new Int32Array(0), xs: new Float64Array(0) };

/**
 * s_j = Σ_i x_i·B[i][j] over the user's rated movies i that take part (x from their stars,
 * `ratingWeight` unless `weigh` says otherwise, times the rating's `weight` where it has one; x = 0
 * leaves a movie out), into `out` (length M, overwritten). One contiguous row of B per rated movie:
 * |ratings| × M work, in the SIMD kernel of weighted-rows.ts (the same sums, in the ratings' order,
 * as a scalar loop).
 */
export function neighbourScores(
  model: NeighbourModel,
  ids: IdMap,
  ratings: readonly { movieId: number; rating: number; weight?: number }[],
  out: Float64Array,
  weigh?: (rating: number) => number,
): number {
  const M = model.movieIds.length;
  if (picked.rows.length < ratings.length) {
    picked.rows = new Int32Array(ratings.length);
    picked.xs = new Float64Array(ratings.length);
  }
  let used = 0;
  for (const { movieId, rating, weight } of ratings) {
    const i = ids.indexOf(movieId);
    if (i < 0) continue;
    const x = (weigh ? weigh(rating) : ratingWeight(model.settings, rating)) * (weight ?? 1);
    if (x === 0) continue;
    picked.rows[used] = i;
    picked.xs[used] = x;
    used++;
  }
  if (used === 0) {
    out.fill(0, 0, M);
    return 0;
  }
  weightedRowsFor(model.weights, M).sum(picked.rows, picked.xs, used, out);
  return used;
}

const MAGIC = 'RSNBRMD1';
const VERSION = 1;

export function encodeNeighbourModel(model: NeighbourModel): Uint8Array {
  return new BinaryWriter(MAGIC, VERSION)
    .string(JSON.stringify(model.settings))
    .array(model.movieIds)
    .array(model.weights)
    .finish();
}

export function decodeNeighbourModel(bytes: Uint8Array): NeighbourModel {
  const reader = new BinaryReader(bytes, MAGIC, [VERSION]);
  const settings = JSON.parse(reader.string()) as NeighbourSettings;
  const movieIds = reader.i32Array();
  const weights = reader.f32Array();
  if (weights.length !== movieIds.length * movieIds.length) {
    throw new Error('corrupt neighbour model: weights do not match the movie count');
  }
  return { settings, movieIds, weights };
}
