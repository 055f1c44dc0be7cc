import { describe, expect, it } from 'vitest';
import {
  ItemScorer,
  similarItems,
  similarItemsOfRows,
  userVector,
  type AlsModel,
} from '../../lambdas/core/als/index.ts';
import { DEFAULT_ALS_OPTIONS } from '../../lambdas/core/als/options.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import { hash4, unitFromHash } from '../../lambdas/core/matrix/hash.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import { WeightedRows } from '../../lambdas/core/neighbours/weighted-rows.ts';
import { fitRecommender } from '../../lambdas/core/recommender/fit.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import {
  prepareRecommender,
  recommendForVector,
  recommendForVectors,
  SCORE_BLOCK_ROWS,
  type ListQuery,
  type Recommender,
} from '../../lambdas/core/serving/recommender.ts';

/** Row r of the kernel's output as a plain array of the first `n` items. */
function rowOf(out: Float64Array, scorer: ItemScorer, r: number, n: number): number[] {
  return Array.from(out.subarray(r * scorer.rowStride, r * scorer.rowStride + n));
}

describe('ItemScorer (score-kernel.wat)', () => {
  // 17 items y_i = (i, i + 1): three panels of 8, the last one nearly empty.
  const items = 17;
  const y = Float32Array.from({ length: items * 2 }, (_, p) => (p >> 1) + (p & 1));
  const scorer = new ItemScorer(y, 2);
  const x = Float64Array.of(1, 0, 0, 1, 2, -1);
  const first = Array.from({ length: items }, (_, i) => i); // (1, 0)·y_i = i
  const second = first.map((i) => i + 1); // (0, 1)·y_i = i + 1
  const third = first.map((i) => i - 1); // (2, −1)·y_i = 2i − (i + 1)

  it('computes hand-checked dot products for one, two and three rows', () => {
    expect(rowOf(scorer.score(x, 0, 1), scorer, 0, items)).toEqual(first);
    expect(rowOf(scorer.score(x, 2, 1), scorer, 0, items)).toEqual(third);
    const two = scorer.score(x, 1, 2);
    expect(rowOf(two, scorer, 0, items)).toEqual(second);
    expect(rowOf(two, scorer, 1, items)).toEqual(third);
    const three = scorer.score(x, 0, 3);
    expect([0, 1, 2].map((r) => rowOf(three, scorer, r, items))).toEqual([first, second, third]);
  });

  it('sums each entry over k in order, as the scalar loop does', () => {
    // (1e16 + 1) rounds back to 1e16 (the spacing of float64 there is 2), so the in-order sum
    // ((1e16·1 + 1·1) − 1e16·1) is 0; summing k = 0 and k = 2 first would give 1.
    const ones = new ItemScorer(Float32Array.of(1, 1, 1, 1, 1, 1), 3);
    const big = Float64Array.of(1e16, 1, -1e16, 1e16, 1, -1e16);
    expect(rowOf(ones.score(big, 0, 1), ones, 0, 2)).toEqual([0, 0]);
    const pair = ones.score(big, 0, 2);
    expect([rowOf(pair, ones, 0, 2), rowOf(pair, ones, 1, 2)]).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('gives the bits of the scalar loop for any number of rows at once', () => {
    const rank = 13;
    const n = 45;
    const value = (a: number, b: number) => unitFromHash(hash4(a, b, 7)) * 2 - 1;
    const factors = Float32Array.from({ length: n * rank }, (_, p) => value(p, 1));
    const rows = Float32Array.from({ length: 7 * rank }, (_, p) => value(p, 2));
    const wide = new ItemScorer(factors, rank);
    const scalar = (r: number, i: number) => {
      let s = 0;
      for (let k = 0; k < rank; k++) s += rows[r * rank + k]! * factors[i * rank + k]!;
      return s;
    };
    for (const count of [1, 2, 5, 7]) {
      const out = wide.score(rows, 7 - count, count);
      for (let r = 0; r < count; r++) {
        const expected = Array.from({ length: n }, (_, i) => scalar(7 - count + r, i));
        expect(rowOf(out, wide, r, n)).toEqual(expected);
      }
    }
  });

  it('scores a range of positions of a reordered layout, for one row and for two', () => {
    // Positions hold items 16, 15, …, 0; x = (1, 0) scores item i as i. Positions [8, 17) hold
    // items 8 … 0, so their scores are 8 … 0 (the stride: 16, two panels).
    const reversed = new ItemScorer(
      y,
      2,
      Int32Array.from({ length: items }, (_, p) => 16 - p),
    );
    const tail = [8, 7, 6, 5, 4, 3, 2, 1, 0];
    expect(Array.from(reversed.scoreRange(x, 0, 1, 8, items).subarray(0, 9))).toEqual(tail);
    const two = reversed.scoreRange(x, 0, 2, 8, items);
    expect(Array.from(two.subarray(16, 25))).toEqual(tail.map((i) => i + 1));
    expect(reversed.scoreRange(x, 0, 1, 8, 8)).toHaveLength(0);
    expect(() => reversed.scoreRange(x, 0, 1, 3, items)).toThrow(/bad item range/);
    expect(() => new ItemScorer(y, 2, new Int32Array(3))).toThrow(/order has 3 items/);
  });

  it('refuses a rank that does not fit the factors', () => {
    expect(() => new ItemScorer(new Float32Array(5), 2)).toThrow(/not a multiple of rank 2/);
    expect(() => new ItemScorer(new Float32Array(0), 0)).toThrow(/bad rank 0/);
  });
});

/** A hand-built implicit model: 3 users, 4 movies, rank 2. */
function handModel(): AlsModel {
  return {
    rank: 2,
    userIds: IdMap.fromIds([1, 2, 3]),
    itemIds: IdMap.fromIds([10, 20, 30, 40]),
    userFactors: Float32Array.of(1, 0, 0, 1, 1, 1),
    itemFactors: Float32Array.of(3, 0, 1, 2, 2, -1, 5, 0.5),
    globalMean: 0,
    options: { ...DEFAULT_ALS_OPTIONS, rank: 2, implicit: true, ratingMin: 0.5, ratingMax: 5 },
    history: [],
  };
}

function oneByOne(recommender: Recommender, queries: readonly ListQuery[]) {
  return queries.map((q) => recommendForVector(recommender, q.user, q.ratings, q.request));
}

describe('batched lists', () => {
  const policy = { minRatings: 1, popularityWeight: 0 };

  it('ranks a hand-built model as worked out by hand', () => {
    const ranking = handModel();
    const recommender = prepareRecommender({
      ranking,
      neighbours: null,
      blend: 0,
      support: [5, 5, 5, 5],
      policy,
    });
    // User 1 = (1, 0): scores 3, 1, 2, 5; movie 40 (index 3) rated, so 10, 30, 20.
    // User 2 = (0, 1): scores 0, 2, −1, 0.5 → 20, 40, 10. User 3 = (1, 1): 3, 3, 1, 5.5 → 40, 10, 20.
    const queries = [1, 2, 3].map((id) => ({
      user: userVector(ranking, id)!,
      ratings: id === 1 ? [{ movieId: 40, rating: 4 }] : [],
      request: { n: 3, exclude: new Set(id === 1 ? [3] : []) },
    }));
    const ids = recommendForVectors(recommender, queries).map((l) => l.map((s) => s.movieId));
    expect(ids).toEqual([
      [10, 30, 20],
      [20, 40, 10],
      [40, 10, 20],
    ]);
    expect(ids).toEqual(oneByOne(recommender, queries).map((l) => l.map((s) => s.movieId)));
  });

  it('equals one-by-one lists on a trained blend, for any batch and offset', () => {
    const { table } = generateRatingsTable({ ratings: 8_000, users: 120, movies: 220, seed: 5 });
    const options = {
      ...DEFAULT_RECOMMENDER_OPTIONS,
      als: { ...DEFAULT_RECOMMENDER_OPTIONS.als, rank: 9, iterations: 4 },
      neighbours: { ...DEFAULT_RECOMMENDER_OPTIONS.neighbours, maxItems: 80 },
    };
    const { recommender } = fitRecommender(table, options);
    expect(recommender.neighbours).not.toBeNull();
    const { ranking } = recommender;
    const byUser = new Map<number, { movieId: number; rating: number }[]>();
    for (let r = 0; r < table.length; r++) {
      const list = byUser.get(table.userIds[r]!) ?? [];
      list.push({ movieId: table.movieIds[r]!, rating: table.ratings[r]! });
      byUser.set(table.userIds[r]!, list);
    }
    const queries: ListQuery[] = [...byUser].map(([userId, ratings]) => ({
      user: userVector(ranking, userId)!,
      ratings,
      request: {
        n: 20,
        exclude: new Set(ratings.map((g) => ranking.itemIds.indexOf(g.movieId))),
      },
    }));
    expect(queries.length).toBeGreaterThan(2 * SCORE_BLOCK_ROWS + 1);
    const alone = oneByOne(recommender, queries);
    expect(alone.filter((list) => list.length === 20).length).toBeGreaterThan(queries.length / 2);
    expect(recommendForVectors(recommender, queries)).toEqual(alone);
    expect(recommendForVectors(recommender, queries.slice(7, 7 + SCORE_BLOCK_ROWS + 3))).toEqual(
      alone.slice(7, 7 + SCORE_BLOCK_ROWS + 3),
    );

    const targets = Int32Array.from({ length: ranking.itemIds.size }, (_, i) => i);
    const similar = similarItemsOfRows(ranking, targets, 10);
    expect(similar).toEqual(
      Array.from(targets, (i) => similarItems(ranking, ranking.itemIds.ids[i]!, 10)),
    );
  });
});

describe('WeightedRows (the neighbour part of a list)', () => {
  it('sums weighted rows as worked out by hand, past a 16-column tile', () => {
    // B[i][j] = i + j/4 on 17 columns (two tiles, the second padded); rows 2 (×3) then 0 (×1).
    const size = 17;
    const weights = Float32Array.from(
      { length: size * size },
      (_, p) => Math.floor(p / size) + (p % size) / 4,
    );
    const rows = new WeightedRows(weights, size);
    const out = new Float64Array(size);
    rows.sum(Int32Array.of(2, 0), Float64Array.of(3, 1), 2, out);
    // 3·(2 + j/4) + (0 + j/4) = 6 + j
    expect(Array.from(out)).toEqual(Array.from({ length: size }, (_, j) => 6 + j));
    rows.sum(new Int32Array(0), new Float64Array(0), 0, out);
    expect(Array.from(out)).toEqual(new Array(size).fill(0));
  });

  it('adds the rows in the order given, as the scalar loop does', () => {
    // 2^53 + 1 rounds back to 2^53: (2^53 + 1) − 2^53 = 0 in order, 1 if the ends cancelled first.
    const rows = new WeightedRows(Float32Array.of(1, 0, 0, 0), 2);
    const out = new Float64Array(2);
    rows.sum(Int32Array.of(0, 0, 0), Float64Array.of(2 ** 53, 1, -(2 ** 53)), 3, out);
    expect(Array.from(out)).toEqual([0, 0]);
  });

  it('refuses weights that are not square', () => {
    expect(() => new WeightedRows(new Float32Array(5), 2)).toThrow(/not 2 × 2/);
  });
});
