import { describe, expect, it } from 'vitest';
import { csrFromCoordinates } from '../../lambdas/core/matrix/csr.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import { CHANGE_MARGIN_MS, currentRaters } from '../../lambdas/core/serving/raters.ts';
import {
  decodeRaters,
  decodeRatersDirectory,
  encodeRatersPart,
  ratersByteRange,
  ratersDirectoryBytes,
  ratersPartFromCsr,
  ratersPartsFromRatings,
} from '../../lambdas/core/train/raters-index.ts';
import { hashBlockOf } from '../../lambdas/core/train/block-assignment.ts';

/**
 * csr.ts's worked example, (userId, movieId, rating):
 *   (10, 1, 4)  (10, 7, 3.5)  (20, 7, 5)  (30, 1, 2)  (30, 3, 1)  (30, 7, 4)
 * so movie 1 was rated by users 10 and 30, movie 3 by 30, movie 7 by 10, 20 and 30.
 */
const RATINGS = [
  [10, 1],
  [10, 7],
  [20, 7],
  [30, 1],
  [30, 3],
  [30, 7],
] as const;

function itemBlock() {
  const users = IdMap.fromIds(RATINGS.map(([u]) => u));
  const items = IdMap.fromIds(RATINGS.map(([, m]) => m));
  // Rows = movies, columns = users, given in an order other than the sorted one.
  const shuffled = [...RATINGS].reverse();
  const block = csrFromCoordinates(
    Int32Array.from(shuffled.map(([, m]) => items.indexOf(m))),
    Int32Array.from(shuffled.map(([u]) => users.indexOf(u))),
    new Float32Array(shuffled.length).fill(1),
    items.size,
    users.size,
  );
  return { block, users, items };
}

/** A movie's raters as the API reads them: the directory, then only the movie's byte range. */
function readRaters(bytes: Uint8Array, movieId: number): number[] | null {
  const directory = decodeRatersDirectory(bytes.subarray(0, ratersDirectoryBytes(3)));
  const range = ratersByteRange(directory, movieId);
  if (!range) return null;
  return Array.from(decodeRaters(bytes.subarray(range.start, range.endInclusive + 1)));
}

describe('raters index part', () => {
  it('turns an item block into movie → ascending user ids, and reads each back by byte range', () => {
    const { block, users, items } = itemBlock();
    const part = ratersPartFromCsr(block, items, users);
    expect(Array.from(part.movieIds)).toEqual([1, 3, 7]);
    expect(Array.from(part.offsets)).toEqual([0, 2, 3, 6]);
    expect(Array.from(part.userIds)).toEqual([10, 30, 30, 10, 20, 30]);

    const bytes = encodeRatersPart(part);
    // 8 bytes of header, 3 movie ids, 4 offsets, 6 user ids, 4 bytes each.
    expect(bytes.byteLength).toBe(8 + 4 * 3 + 4 * 4 + 4 * 6);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RTR1');
    expect(readRaters(bytes, 1)).toEqual([10, 30]);
    expect(readRaters(bytes, 3)).toEqual([30]);
    expect(readRaters(bytes, 7)).toEqual([10, 20, 30]);
    // Movie 2 is not in the part: nothing to fetch.
    expect(readRaters(bytes, 2)).toBeNull();
    expect(readRaters(bytes, 0)).toBeNull();
    expect(readRaters(bytes, 8)).toBeNull();
  });

  it('round-trips a part of many movies, ids up to the int32 range, a movie with no raters', () => {
    const movieIds = Int32Array.from([-5, 0, 3, 2_000_000_000]);
    const offsets = Uint32Array.from([0, 1, 1, 4, 5]);
    const userIds = Int32Array.from([7, 1, 2, 2_147_483_647, -1]);
    const bytes = encodeRatersPart({ movieIds, offsets, userIds });
    const directory = decodeRatersDirectory(bytes);
    expect(Array.from(directory.movieIds)).toEqual(Array.from(movieIds));
    expect(Array.from(directory.offsets)).toEqual(Array.from(offsets));
    const read = (movieId: number) => {
      const range = ratersByteRange(directory, movieId);
      return range && Array.from(decodeRaters(bytes.subarray(range.start, range.endInclusive + 1)));
    };
    expect(read(-5)).toEqual([7]);
    expect(read(0)).toBeNull();
    expect(read(3)).toEqual([1, 2, 2_147_483_647]);
    expect(read(2_000_000_000)).toEqual([-1]);
  });

  it('builds the same part from (user, movie) pairs, duplicates once, each movie in its block', () => {
    const { block, users, items } = itemBlock();
    const withDuplicate = [...RATINGS, [30, 7] as const];
    const [single] = ratersPartsFromRatings(
      withDuplicate.map(([u]) => u),
      withDuplicate.map(([, m]) => m),
      1,
    );
    expect(single).toEqual(ratersPartFromCsr(block, items, users));

    const parts = ratersPartsFromRatings(
      RATINGS.map(([u]) => u),
      RATINGS.map(([, m]) => m),
      3,
    );
    expect(parts).toHaveLength(3);
    const placed = parts.flatMap((part, b) => Array.from(part.movieIds, (movieId) => [movieId, b]));
    expect(placed.sort((x, y) => x[0]! - y[0]!)).toEqual(
      [1, 3, 7].map((movieId) => [movieId, hashBlockOf(movieId, 3)]),
    );
    for (const part of parts) expect(encodeRatersPart(part).byteLength).toBeGreaterThanOrEqual(12);
  });

  it('refuses malformed parts with the reason', () => {
    const ok = { movieIds: Int32Array.from([1, 2]), offsets: Uint32Array.from([0, 1, 2]) };
    expect(() => encodeRatersPart({ ...ok, userIds: Int32Array.from([1]) })).toThrow(
      /offsets end at 2 but the part holds 1 raters/,
    );
    expect(() =>
      encodeRatersPart({
        ...ok,
        movieIds: Int32Array.from([2, 1]),
        userIds: Int32Array.from([1, 2]),
      }),
    ).toThrow(/strictly ascending/);
    expect(() => decodeRatersDirectory(new Uint8Array(16))).toThrow(/bad magic/);
    const bytes = encodeRatersPart({ ...ok, userIds: Int32Array.from([1, 2]) });
    expect(() => decodeRatersDirectory(bytes.subarray(0, 12))).toThrow(/truncated/);
    expect(() => decodeRaters(new Uint8Array(6))).toThrow(/whole number/);
  });
});

describe('current raters: the index with the API changes since training', () => {
  const trainedAt = Date.UTC(2026, 0, 10);
  const after = trainedAt + 60_000;
  const longBefore = trainedAt - CHANGE_MARGIN_MS - 1;

  it('adds users who rated since, drops those who deleted since, ignores older changes', () => {
    const raters = currentRaters(
      [1, 2, 3],
      [
        { userId: 4, rated: true, changedAtMs: after },
        { userId: 2, rated: false, changedAtMs: after },
        // Before the training's scan: the index already reflects these (a later rating of user 3
        // was ingested after the API deleted it, so the index knows better).
        { userId: 5, rated: true, changedAtMs: longBefore },
        { userId: 3, rated: false, changedAtMs: longBefore },
        // A re-rating of an indexed user changes nothing.
        { userId: 1, rated: true, changedAtMs: after },
      ],
      trainedAt,
    );
    expect([...raters].sort((a, b) => a - b)).toEqual([1, 3, 4]);
  });

  it('counts a change just before training began (a write in flight during the scan)', () => {
    const justBefore = trainedAt - CHANGE_MARGIN_MS;
    const raters = currentRaters(
      [1],
      [
        { userId: 1, rated: false, changedAtMs: justBefore },
        { userId: 9, rated: true, changedAtMs: justBefore },
      ],
      trainedAt,
    );
    expect([...raters]).toEqual([9]);
  });

  it('a deleted rating of a user the index does not hold, and an empty index, are fine', () => {
    expect([
      ...currentRaters([], [{ userId: 7, rated: false, changedAtMs: after }], trainedAt),
    ]).toEqual([]);
    expect([...currentRaters(Int32Array.from([5, 6]), [], trainedAt)]).toEqual([5, 6]);
  });
});
