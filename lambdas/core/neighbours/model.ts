import { BinaryReader, BinaryWriter } from '../matrix/binary.ts';
import { IdMap } from '../matrix/id-map.ts';
import { ratingWeight, type NeighbourSettings } from './options.ts';

/** A fitted neighbour model: EASE weights among M movies (see options.ts for the math). */
export interface NeighbourModel {
  readonly settings: NeighbourSettings;
  /** External ids of the M movies, ascending; position = neighbour index. */
  readonly movieIds: Int32Array;
  /** M × M row-major, row = the movie a user rated, column = the movie scored; zero diagonal. */
  readonly weights: Float32Array;
}

/**
 * s_j = Σ_i x_i·B[i][j] over the user's rated movies i that take part (x from their stars), into
 * `out` (length M, overwritten). One contiguous row of B per rated movie: |ratings| × M work.
 */
export function neighbourScores(
  model: NeighbourModel,
  ids: IdMap,
  ratings: readonly { movieId: number; rating: number }[],
  out: Float64Array,
): number {
  const M = model.movieIds.length;
  out.fill(0, 0, M);
  let used = 0;
  for (const { movieId, rating } of ratings) {
    const i = ids.indexOf(movieId);
    if (i < 0) continue;
    used++;
    const x = ratingWeight(model.settings, rating);
    const base = i * M;
    for (let j = 0; j < M; j++) out[j]! += x * model.weights[base + j]!;
  }
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
