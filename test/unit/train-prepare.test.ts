/**
 * The prepare phase of distributed training, in pure code: token ranges, hash blocks, the shuffle
 * and the block files must rebuild exactly the blocks and the split the in-process path uses.
 */
import { describe, expect, it } from 'vitest';
import { currentRows, meanFromRatingSum, ratingSumUnits } from '../../lambdas/core/als/index.ts';
import { hashSplit } from '../../lambdas/core/eval/split.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import {
  buildRatingMatrices,
  csrBlockFromCoordinates,
  partitionRows,
  splitIntoBlocks,
} from '../../lambdas/core/matrix/csr.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { hashBlockOf, rowsOfBlock } from '../../lambdas/core/train/block-assignment.ts';
import {
  decodeBlockFactors,
  decodeSideFactors,
  encodeBlockFactors,
  encodeSideFactors,
  scatterBlock,
} from '../../lambdas/core/train/factor-files.ts';
import {
  ShufflePartitioner,
  combineScanTotals,
  concatRatings,
  decodeScanIds,
  decodeShufflePart,
  encodeScanIds,
  encodeShufflePart,
} from '../../lambdas/core/train/shuffle.ts';
import { planTokenRanges } from '../../lambdas/core/train/token-ranges.ts';

const { table } = generateRatingsTable({ ratings: 4_000, users: 80, movies: 200, seed: 5 });

/** Rows as sorted "user:movie:rating" strings: equal multisets compare equal. */
function rowSet(t: RatingsTable): string[] {
  return Array.from(
    { length: t.length },
    (_, i) => `${t.userIds[i]}:${t.movieIds[i]}:${t.ratings[i]}`,
  ).sort();
}

/** The table cut into `parts` slices, as the token-range scans would see it. */
function scans(t: RatingsTable, parts: number, blockCount: number) {
  return Array.from({ length: parts }, (_, p) => {
    const shuffle = new ShufflePartitioner({ blockCount, validation: 0.2, splitSeed: 0 });
    for (let i = p; i < t.length; i += parts)
      shuffle.add(t.userIds[i]!, t.movieIds[i]!, t.ratings[i]!);
    return shuffle.finish();
  });
}

describe('token ranges', () => {
  it('cover the whole Murmur3 ring once, in order', () => {
    for (const count of [1, 3, 16]) {
      const ranges = planTokenRanges(count);
      expect(ranges).toHaveLength(count);
      expect(ranges[0]!.lower).toBe(String(-(2n ** 63n)));
      expect(ranges.at(-1)!.upper).toBe(String(2n ** 63n - 1n));
      for (let i = 1; i < count; i++) expect(ranges[i]!.lower).toBe(ranges[i - 1]!.upper);
      for (const r of ranges) expect(BigInt(r.lower) < BigInt(r.upper)).toBe(true);
    }
  });

  it('rejects a count that is not a positive integer', () => {
    expect(() => planTokenRanges(0)).toThrow(RangeError);
    expect(() => planTokenRanges(2.5)).toThrow(RangeError);
  });
});

describe('hash blocks', () => {
  it('assign every id the block partitionRows(…, "hash") gives its row', () => {
    const ids = IdMap.fromIds(table.userIds);
    for (const blocks of [1, 4, 7]) {
      const expected = partitionRows(ids.size, blocks, 'hash', { ids });
      for (let b = 0; b < blocks; b++) {
        expect(rowsOfBlock(ids.ids, b, blocks)).toEqual(expected[b]);
        for (const row of expected[b]!) expect(hashBlockOf(ids.ids[row]!, blocks)).toBe(b);
      }
    }
  });
});

describe('the shuffle', () => {
  const blockCount = 4;
  const shuffled = scans(table, 3, blockCount);
  const split = hashSplit(table, { test: 0.2, seed: 0 });

  it('splits train and validation exactly as hashSplit does', () => {
    const train = concatRatings(shuffled.flatMap((s) => s.byUser.map((p) => p.train)));
    const validation = concatRatings(shuffled.flatMap((s) => s.byUser.map((p) => p.validation)));
    expect(rowSet(train)).toEqual(rowSet(split.train));
    expect(rowSet(validation)).toEqual(rowSet(split.test));
    const byItem = concatRatings(shuffled.flatMap((s) => s.byItem.map((p) => p.train)));
    expect(rowSet(byItem)).toEqual(rowSet(split.train));
  });

  it('routes each rating to the block of its user and of its movie', () => {
    for (const s of shuffled) {
      s.byUser.forEach((part, b) => {
        for (const user of part.train.userIds) expect(hashBlockOf(user, blockCount)).toBe(b);
      });
      s.byItem.forEach((part, b) => {
        for (const movie of part.validation.movieIds)
          expect(hashBlockOf(movie, blockCount)).toBe(b);
      });
    }
  });

  it('sums the global mean exactly, whatever the order of the scans', () => {
    const totals = combineScanTotals(shuffled.map((s) => s.totals));
    const reversed = combineScanTotals(shuffled.map((s) => s.totals).reverse());
    const exact = meanFromRatingSum(ratingSumUnits(split.train.ratings), split.train.length);
    expect(totals.globalMean).toBe(exact);
    expect(reversed.globalMean).toBe(exact);
    expect(totals.trainRatings + totals.validationRatings).toBe(table.length);
  });

  it('rebuilds, block by block, exactly the CSR blocks of the whole training matrix', () => {
    const users = IdMap.fromIds(
      concatRatings(shuffled.flatMap((s) => s.byUser.map((p) => p.train))).userIds,
    );
    const ids = shuffled.map((s) =>
      decodeScanIds(encodeScanIds({ userIds: s.userIds, movieIds: s.movieIds })),
    );
    const items = IdMap.fromIds(Int32Array.from(ids.flatMap((i) => [...i.movieIds])));
    expect(users.ids).toEqual(IdMap.fromIds(ids.flatMap((i) => [...i.userIds])).ids);
    const whole = buildRatingMatrices(split.train);
    const expected = splitIntoBlocks(whole.byUser, blockCount, 'hash', whole.userIds);
    for (let b = 0; b < blockCount; b++) {
      // Through the file format, in reverse scan order: neither may change the block.
      const parts = shuffled
        .map((s) => decodeShufflePart(encodeShufflePart(s.byUser[b]!)))
        .reverse();
      const train = concatRatings(parts.map((p) => p.train));
      const block = csrBlockFromCoordinates(
        users.indexAll(train.userIds),
        items.indexAll(train.movieIds),
        train.ratings,
        rowsOfBlock(users.ids, b, blockCount),
        users.size,
        items.size,
      );
      expect(block).toEqual(expected[b]);
    }
  });
});

describe('factor files', () => {
  it('round-trip a whole side with biases and Gram, and a block', () => {
    const side = {
      rank: 2,
      factors: Float32Array.of(1, 2, 3, 4, 5, 6),
      bias: Float32Array.of(0.5, -0.5, 0),
      gram: Float64Array.of(1, 2, 3),
    };
    expect(decodeSideFactors(encodeSideFactors(side))).toEqual(side);
    const plain = { rank: 3, factors: Float32Array.of(1, 2, 3) };
    expect(decodeSideFactors(encodeSideFactors(plain))).toEqual(plain);
    const block = {
      rows: Int32Array.of(0, 2),
      factors: Float32Array.of(1, 2, 5, 6),
      bias: Float32Array.of(7, 8),
    };
    expect(decodeBlockFactors(encodeBlockFactors(block))).toEqual(block);
  });

  it('scatter block rows into the whole side and gather them back', () => {
    const whole = { factors: new Float32Array(6), bias: new Float32Array(3) };
    scatterBlock(
      {
        rows: Int32Array.of(0, 2),
        factors: Float32Array.of(1, 2, 5, 6),
        bias: Float32Array.of(7, 8),
      },
      2,
      whole,
    );
    scatterBlock(
      { rows: Int32Array.of(1), factors: Float32Array.of(3, 4), bias: Float32Array.of(9) },
      2,
      whole,
    );
    expect([...whole.factors]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...whole.bias]).toEqual([7, 9, 8]);
    const warm = currentRows(whole, Int32Array.of(0, 2), 2);
    expect([...warm.previous!]).toEqual([1, 2, 5, 6]);
    expect([...warm.previousBias!]).toEqual([7, 8]);
  });
});
