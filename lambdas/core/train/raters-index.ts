import type { CsrBlock } from '../matrix/csr.ts';
import type { IdMap } from '../matrix/id-map.ts';
import { hashBlockOf } from './block-assignment.ts';

/**
 * The raters index: who rated each movie, as training saw the ratings. Training builds a by-movie
 * view of every rating anyway (each item block's CSR, rows = movies, columns = users), so it
 * writes that view out once per item block and Publish puts the parts under the model's prefix:
 * the API's audience route reads a movie's raters from it instead of ingestion writing every rating
 * a second time into a by-movie table (docs/cost-model.md, "Ingestion").
 *
 * One part per item block (the block of a movie is `hashBlockOf(movieId, blockCount)`), laid out
 * so that a reader fetches a movie's raters with two byte ranges and no decoding of the rest:
 *
 *   magic      4 bytes  "RTR1"
 *   n          u32      movies in the part
 *   movieIds   i32 × n  ascending
 *   offsets    u32 × (n + 1)  movie i's raters are entries offsets[i] .. offsets[i+1] − 1
 *   userIds    i32 × offsets[n]  each movie's raters ascending
 *
 * All little-endian. The directory (magic to offsets) is `ratersDirectoryBytes(n)` long; the
 * manifest records each part's n, so the directory is one read, cached per model by the API.
 */
export const RATERS_MAGIC = 0x31525452; // "RTR1" read as a little-endian u32
export const RATERS_FORMAT = 1;

/** One part's content: movie ids ascending, entry offsets, the raters of each movie ascending. */
export interface RatersPart {
  readonly movieIds: Int32Array;
  readonly offsets: Uint32Array;
  readonly userIds: Int32Array;
}

/** What Publish writes next to the parts: enough to find and size any part's directory. */
export interface RatersManifest {
  readonly format: number;
  readonly blockCount: number;
  /** Movies in part b (its directory's n), by block. */
  readonly movies: readonly number[];
  /** Ratings in all parts together. */
  readonly ratings: number;
}

/** Where a part's directory ends and its user ids begin. */
export function ratersDirectoryBytes(movies: number): number {
  return 8 + 4 * movies + 4 * (movies + 1);
}

/**
 * A block's raters from its item-row CSR: dense rows and columns back to ids (the id maps number
 * ids ascending, so ascending indices give ascending ids).
 */
export function ratersPartFromCsr(block: CsrBlock, itemIds: IdMap, userIds: IdMap): RatersPart {
  const n = block.rows.length;
  const movieIds = new Int32Array(n);
  const offsets = new Uint32Array(n + 1);
  for (let r = 0; r < n; r++) {
    movieIds[r] = itemIds.ids[block.rows[r]!]!;
    offsets[r + 1] = block.rowPtr[r + 1]!;
  }
  const total = offsets[n]!;
  const users = new Int32Array(total);
  for (let k = 0; k < total; k++) users[k] = userIds.ids[block.colIdx[k]!]!;
  return { movieIds, offsets, userIds: users };
}

export function encodeRatersPart(part: RatersPart): Uint8Array {
  const n = part.movieIds.length;
  if (part.offsets.length !== n + 1 || part.offsets[0] !== 0) {
    throw new RangeError(`a raters part of ${n} movies needs ${n + 1} offsets starting at 0`);
  }
  const total = part.offsets[n]!;
  if (part.userIds.length !== total) {
    throw new RangeError(
      `offsets end at ${total} but the part holds ${part.userIds.length} raters`,
    );
  }
  const start = ratersDirectoryBytes(n);
  const bytes = new Uint8Array(start + 4 * total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, RATERS_MAGIC, true);
  view.setUint32(4, n, true);
  for (let i = 0; i < n; i++) {
    if (i > 0 && part.movieIds[i]! <= part.movieIds[i - 1]!) {
      throw new RangeError('movie ids of a raters part must be strictly ascending');
    }
    view.setInt32(8 + 4 * i, part.movieIds[i]!, true);
  }
  for (let i = 0; i <= n; i++) view.setUint32(8 + 4 * n + 4 * i, part.offsets[i]!, true);
  for (let k = 0; k < total; k++) view.setInt32(start + 4 * k, part.userIds[k]!, true);
  return bytes;
}

/** A part's directory: which movies it holds and where each one's raters lie. */
export interface RatersDirectory {
  readonly movieIds: Int32Array;
  readonly offsets: Uint32Array;
}

/** Decodes the first `ratersDirectoryBytes(n)` bytes of a part (or the whole part). */
export function decodeRatersDirectory(bytes: Uint8Array): RatersDirectory {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || view.getUint32(0, true) !== RATERS_MAGIC) {
    throw new Error('not a raters index part (bad magic)');
  }
  const n = view.getUint32(4, true);
  if (bytes.byteLength < ratersDirectoryBytes(n)) {
    throw new Error(
      `raters part directory truncated: ${n} movies need ${ratersDirectoryBytes(n)} bytes`,
    );
  }
  const movieIds = new Int32Array(n);
  const offsets = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) movieIds[i] = view.getInt32(8 + 4 * i, true);
  for (let i = 0; i <= n; i++) offsets[i] = view.getUint32(8 + 4 * n + 4 * i, true);
  return { movieIds, offsets };
}

/**
 * The byte range (inclusive end, as S3's Range header takes it) of `movieId`'s raters in its part,
 * or null when the part has no rating of it (or an empty range: no byte to fetch).
 */
export function ratersByteRange(
  directory: RatersDirectory,
  movieId: number,
): { start: number; endInclusive: number } | null {
  const { movieIds, offsets } = directory;
  let lo = 0;
  let hi = movieIds.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const id = movieIds[mid]!;
    if (id === movieId) {
      const from = offsets[mid]!;
      const to = offsets[mid + 1]!;
      if (to === from) return null;
      const base = ratersDirectoryBytes(movieIds.length);
      return { start: base + 4 * from, endInclusive: base + 4 * to - 1 };
    }
    if (id < movieId) lo = mid + 1;
    else hi = mid - 1;
  }
  return null;
}

/** User ids from the bytes of one range `ratersByteRange` gave. */
export function decodeRaters(bytes: Uint8Array): Int32Array {
  if (bytes.byteLength % 4 !== 0) {
    throw new Error(`raters range of ${bytes.byteLength} bytes is not a whole number of ids`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.byteLength / 4);
  for (let k = 0; k < out.length; k++) out[k] = view.getInt32(4 * k, true);
  return out;
}

/**
 * The parts of `blockCount` item blocks straight from (user, movie) pairs, duplicates counted
 * once: what a model fitted outside the train state machine (the serving fixture, a bundle
 * fitted in process) publishes, equal to what Assemble writes for the same ratings.
 */
export function ratersPartsFromRatings(
  userIds: ArrayLike<number>,
  movieIds: ArrayLike<number>,
  blockCount: number,
): RatersPart[] {
  const byMovie = new Map<number, Set<number>>();
  for (let k = 0; k < movieIds.length; k++) {
    let raters = byMovie.get(movieIds[k]!);
    if (!raters) byMovie.set(movieIds[k]!, (raters = new Set()));
    raters.add(userIds[k]!);
  }
  const movies = [...byMovie.keys()].sort((a, b) => a - b);
  return Array.from({ length: blockCount }, (_, block) => {
    const own = movies.filter((movieId) => hashBlockOf(movieId, blockCount) === block);
    const offsets = new Uint32Array(own.length + 1);
    const users: number[] = [];
    own.forEach((movieId, i) => {
      users.push(...[...byMovie.get(movieId)!].sort((a, b) => a - b));
      offsets[i + 1] = users.length;
    });
    return { movieIds: Int32Array.from(own), offsets, userIds: Int32Array.from(users) };
  });
}
