import { describe, expect, it } from 'vitest';
import { computeGram } from '../../lambdas/core/als/gram.ts';
import type { AlsModel } from '../../lambdas/core/als/model.ts';
import { DEFAULT_ALS_OPTIONS } from '../../lambdas/core/als/options.ts';
import {
  denseItemIndices,
  foldInUser,
  itemNorms,
  recommendForUser,
  similarItems,
  topNForVector,
  userVector,
  type FoldInInput,
  type FoldInOptions,
} from '../../lambdas/core/als/serving.ts';
import { TopNHeap } from '../../lambdas/core/als/top-n-heap.ts';
import { trainAls } from '../../lambdas/core/als/train.ts';
import { hash4, unitFromHash } from '../../lambdas/core/matrix/hash.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import { RatingsTableBuilder, selectRows } from '../../lambdas/core/ratings.ts';
import { plantedRatings } from '../support/planted-ratings.ts';

/** Fold-in, then the top-N dense item indices, none of the movies the new user gave. */
function recommendAfterFoldIn(
  model: AlsModel,
  input: FoldInInput,
  n: number,
  options: FoldInOptions = {},
): number[] {
  const given = [...(input.ratings ?? []).map((r) => r.movieId), ...(input.favourites ?? [])];
  const top = topNForVector(
    model,
    foldInUser(model, input, options),
    n,
    denseItemIndices(model, given),
  );
  return Array.from(top.items, (i) => model.itemIds.ids[i]!);
}

/** A hand-built explicit model: 2 users, 5 items, rank 2. */
function tinyModel(): AlsModel {
  return {
    rank: 2,
    userIds: IdMap.fromIds([1, 2]),
    itemIds: IdMap.fromIds([10, 20, 30, 40, 50]),
    userFactors: Float32Array.of(1, 0, 0, 1),
    itemFactors: Float32Array.of(0.5, 0, 2, 0, -1, 1, 0, 3, 1, 1),
    userBias: Float32Array.of(0, 0.5),
    itemBias: Float32Array.of(0.1, 0, 0, 0, -0.2),
    globalMean: 3,
    options: { ...DEFAULT_ALS_OPTIONS, rank: 2, ratingMin: 0.5, ratingMax: 5 },
    history: [],
  };
}

describe('TopNHeap', () => {
  it('keeps the best N with ties broken by lower index, matching a full sort', () => {
    for (const n of [0, 1, 3, 10, 60]) {
      const heap = new TopNHeap(n);
      const scores = Array.from({ length: 50 }, (_, i) =>
        Math.floor(unitFromHash(hash4(i, n)) * 10),
      );
      scores.forEach((s, i) => heap.offer(i, s));
      heap.offer(99, NaN); // ignored
      const items = new Int32Array(heap.length);
      const out = new Float64Array(heap.length);
      const count = heap.drainSorted(items, out);
      const expected = scores
        .map((s, i) => [s, i] as const)
        .sort((a, b) => b[0] - a[0] || a[1] - b[1])
        .slice(0, n);
      expect(count).toBe(Math.min(n, 50));
      expect(Array.from(items)).toEqual(expected.map((e) => e[1]));
      expect(Array.from(out)).toEqual(expected.map((e) => e[0]));
      expect(heap.length).toBe(0);
    }
  });
});

describe('top-N recommendations', () => {
  it('scores items for a user vector, excluding seen ones', () => {
    const model = tinyModel();
    // User 1 = (1, 0): item scores 3 + b_i + x: 10→3.6, 20→5, 30→2, 40→3, 50→3.8
    const all = topNForVector(model, userVector(model, 1)!, 5);
    expect(Array.from(all.items)).toEqual([1, 4, 0, 3, 2]);
    expect(all.scores[0]).toBeCloseTo(5, 6);
    const unseen = recommendForUser(model, 1, 2, [20, 999]);
    expect(unseen.map((r) => r.movieId)).toEqual([50, 10]);
    expect(unseen[0]!.score).toBeCloseTo(3.8, 6);
  });

  it('ranks unknown users by item bias (explicit)', () => {
    expect(recommendForUser(tinyModel(), 77, 2).map((r) => r.movieId)).toEqual([10, 20]);
  });
});

describe('similar items', () => {
  it('ranks by cosine of item factors and excludes the item itself', () => {
    const model = tinyModel();
    const norms = itemNorms(model);
    expect(norms[1]).toBeCloseTo(2, 6);
    const similar = similarItems(model, 10, 4, norms);
    // Item 10 = (0.5, 0): cosines 20→1, 50→0.707, 40→0, 30→-0.707.
    expect(similar.map((s) => s.movieId)).toEqual([20, 50, 40, 30]);
    expect(similar[0]!.score).toBeCloseTo(1, 6);
    expect(similar[1]!.score).toBeCloseTo(Math.SQRT1_2, 6);
    expect(similarItems(model, 12345, 3)).toEqual([]);
  });
});

describe('fold-in for new users', () => {
  // The last planted user is kept out of training: it plays the new user.
  const planted = plantedRatings({
    users: 201,
    items: 120,
    rank: 3,
    density: 0.3,
    noise: 0.2,
    seed: 8,
  });
  const newUserId = 1 + 200 * 3;
  const trainRows = Array.from({ length: planted.table.length }, (_, k) => k).filter(
    (k) => planted.table.userIds[k] !== newUserId,
  );
  const model = trainAls(selectRows(planted.table, trainRows), {
    rank: 3,
    reg: 0.05,
    biasReg: 1,
    iterations: 10,
  });

  // Training solved the user before the last item update, so agreement is close, not exact.
  it('approximately reproduces a trained user from their own ratings (the same half-step)', () => {
    const userId = planted.table.userIds[0]!;
    const ratings: { movieId: number; rating: number }[] = [];
    for (let k = 0; k < planted.table.length; k++) {
      if (planted.table.userIds[k] === userId)
        ratings.push({ movieId: planted.table.movieIds[k]!, rating: planted.table.ratings[k]! });
    }
    const folded = foldInUser(model, { ratings });
    const trained = userVector(model, userId)!;
    expect(folded.used).toBe(ratings.length);
    for (let k = 0; k < model.rank; k++)
      expect(folded.vector[k]).toBeCloseTo(trained.vector[k]!, 2);
    expect(folded.bias).toBeCloseTo(trained.bias, 2);
  });

  it('predicts a new user close to the truth from a few ratings', () => {
    // Rate 15 movies by the held-out user's planted truth, predict the rest.
    const truthId = newUserId;
    expect(model.userIds.has(newUserId)).toBe(false);
    const movies = Array.from(model.itemIds.ids);
    const given = movies
      .slice(0, 15)
      .map((m) => ({ movieId: m, rating: planted.truth(truthId, m) }));
    const folded = foldInUser(model, { ratings: given });
    let err = 0;
    let base = 0;
    for (const m of movies.slice(15)) {
      const i = model.itemIds.indexOf(m);
      let s = model.globalMean + folded.bias + model.itemBias![i]!;
      for (let k = 0; k < model.rank; k++)
        s += folded.vector[k]! * model.itemFactors[i * model.rank + k]!;
      err += (s - planted.truth(truthId, m)) ** 2;
      base += (model.globalMean + model.itemBias![i]! - planted.truth(truthId, m)) ** 2;
    }
    expect(err).toBeLessThan(base * 0.5);
  });

  it('recommends from favourites, skipping them, and ignores unknown movies', () => {
    const favourites = [Array.from(model.itemIds.ids)[0]!, Array.from(model.itemIds.ids)[1]!, -42];
    const recs = recommendAfterFoldIn(model, { favourites }, 5);
    expect(recs).toHaveLength(5);
    for (const movieId of recs) expect(favourites).not.toContain(movieId);
    expect(foldInUser(model, { favourites }).used).toBe(2);
    const empty = foldInUser(model, {});
    expect(Array.from(empty.vector)).toEqual([0, 0, 0]);
  });
});

describe('fold-in for implicit models', () => {
  it('recommends items of the taste group the favourites came from', () => {
    const b = new RatingsTableBuilder();
    for (let u = 0; u < 80; u++) {
      for (let i = 0; i < 60; i++) {
        if (u % 3 === i % 3 && unitFromHash(hash4(u, i, 2)) < 0.5) b.push(u, i, 1);
      }
    }
    const model = trainAls(b.finish(), {
      implicit: true,
      rank: 6,
      reg: 0.05,
      alpha: 5,
      iterations: 8,
    });
    const gram = computeGram(model.itemFactors, model.rank);
    const recs = recommendAfterFoldIn(model, { favourites: [1, 4, 7] }, 10, { gram });
    expect(recs).toHaveLength(10);
    for (const movieId of recs) expect(movieId % 3).toBe(1);
    expect(recommendForUser(model, 999, 5)).toEqual([]);
  });
});

describe('fold-in with rating weights (implicit)', () => {
  /** Rank 1, three movies with factors 1, 2 and 0.5; α 0, α₀ 0.1, λ 0.01, ν 1, no biases. */
  const model: AlsModel = {
    rank: 1,
    userIds: IdMap.fromIds([1]),
    itemIds: IdMap.fromIds([10, 20, 30]),
    userFactors: Float32Array.of(1),
    itemFactors: Float32Array.of(1, 2, 0.5),
    options: {
      ...DEFAULT_ALS_OPTIONS,
      rank: 1,
      implicit: true,
      alpha: 0,
      unobservedWeight: 0.1,
      reg: 0.01,
      regExponent: 1,
      biases: false,
      ratingMin: 0.5,
      ratingMax: 5,
    },
    globalMean: 0,
    history: [],
  };

  it('multiplies a rating’s confidence by its weight (hand-solved)', () => {
    // c = 3 for movie 10 (weight 3), 1 for movie 20; both liked (p = 1).
    // A = α₀·ΣY² + Σ(c − α₀)·y² + λ·(n⁺ + α₀·N) = 0.1·5.25 + 2.9·1 + 0.9·4 + 0.01·(2 + 0.3) = 7.048
    // b = Σ c·p·y = 3·1 + 1·2 = 5
    const weighted = foldInUser(model, {
      ratings: [
        { movieId: 10, rating: 4, weight: 3 },
        { movieId: 20, rating: 2 },
      ],
    });
    expect(weighted.used).toBe(2);
    expect(weighted.vector[0]).toBeCloseTo(5 / 7.048, 6);
    // Unweighted: A = 0.525 + 0.9 + 3.6 + 0.023 = 5.048, b = 3.
    const plain = foldInUser(model, {
      ratings: [
        { movieId: 10, rating: 4 },
        { movieId: 20, rating: 2 },
      ],
    });
    expect(plain.vector[0]).toBeCloseTo(3 / 5.048, 6);
    // A weight of 1 is no weight, to the bit.
    const ones = foldInUser(model, {
      ratings: [
        { movieId: 10, rating: 4, weight: 1 },
        { movieId: 20, rating: 2, weight: 1 },
      ],
    });
    expect(ones.vector).toEqual(plain.vector);
  });

  it('weights a miss’s confidence too, and a later entry for a movie wins with its weight', () => {
    // Movie 30 a miss (−1: p = 0) at weight 2: c − α₀ = 1.9 on y² = 0.25, no target.
    // A = 0.525 + 0.9·1 + 1.9·0.25 + 0.01·(1 + 0.3) = 1.913, b = 1.
    const user = foldInUser(model, {
      ratings: [
        { movieId: 10, rating: 4, weight: 5 },
        { movieId: 10, rating: 4 },
        { movieId: 30, rating: -1, weight: 2 },
      ],
    });
    expect(user.vector[0]).toBeCloseTo(1 / 1.913, 6);
  });
});
