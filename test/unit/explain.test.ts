import { describe, expect, it } from 'vitest';
import type { AlsModel } from '../../lambdas/core/als/index.ts';
import { resolveAlsOptions } from '../../lambdas/core/als/options.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import type { NeighbourModel } from '../../lambdas/core/neighbours/model.ts';
import { DEFAULT_NEIGHBOUR_SETTINGS } from '../../lambdas/core/neighbours/options.ts';
import { becauseOf, explainScores } from '../../lambdas/core/serving/explain.ts';
import {
  prepareRecommender,
  recommendForProfile,
  type Profile,
} from '../../lambdas/core/serving/recommender.ts';

/**
 * A hand-solved model. Rank 2, implicit, α = 1, α₀ = 1, reg 1/6 with exponent 1.
 *
 * Factors:  1 = [1, 0]   2 = [0, 1]   3 = [1, 1]   4 = [1, −1]      YᵀY = diag(3, 3)
 *
 * The person rated 1 with 3 stars (c = 1 + 3 = 4, t = c·p = 4) and 2 with 1 star (c = 2, t = 2).
 *   λ = reg·(n⁺ + α₀·N) = (2 + 4)/6 = 1
 *   A = α₀·YᵀY + (c₁ − α₀)·y₁y₁ᵀ + (c₂ − α₀)·y₂y₂ᵀ + λI = diag(3 + 3 + 1, 3 + 1 + 1) = diag(7, 5)
 *   b = 4·y₁ + 2·y₂ = (4, 2)         x = A⁻¹b = (4/7, 2/5)
 * Movie 3: x·y₃ = 4/7 + 2/5 = 34/35, split as t₁·y₃ᵀA⁻¹y₁ = 4·1/7 = 4/7 (movie 1) and
 *   t₂·y₃ᵀA⁻¹y₂ = 2·1/5 = 2/5 (movie 2): shares 20/34 and 14/34.
 * Movie 4: x·y₄ = 4/7 − 2/5 = 6/35, split as 4/7 (movie 1) and −2/5 (movie 2): movie 2 pulled it
 *   down, so only movie 1 is named, with share 1.
 * Without movie 1: λ = (1 + 4)/6 = 5/6, A = diag(3 + 5/6, 3 + 1 + 5/6), b = (0, 2), x = (0, 12/29):
 *   movie 3 falls from 34/35 to 12/29.
 *
 * EASE weights for the blended cases (row = the movie rated, column = the movie scored):
 * B[1][3] = 0.5, B[2][4] = 1, all else 0; both ratings are below 4 stars, so x_j = 1 and the
 * neighbour scores are s = (0, 0, 0.5, 1).
 *   σ_factor over (20, 14, 34, 6)/35 = √419/70,   σ_neighbour over (0, 0, 0.5, 1) = √11/8
 *   w_f = (1 − w)/σ_factor,   w_n = w/σ_neighbour
 */
const options = resolveAlsOptions(
  { implicit: true, rank: 2, reg: 1 / 6, regExponent: 1, alpha: 1, unobservedWeight: 1 },
  { ratingMin: 0.5, ratingMax: 5 },
);
const ranking: AlsModel = {
  rank: 2,
  userIds: IdMap.fromSortedUnique(Int32Array.of()),
  itemIds: IdMap.fromSortedUnique(Int32Array.of(1, 2, 3, 4)),
  userFactors: new Float32Array(0),
  itemFactors: Float32Array.of(1, 0, 0, 1, 1, 1, 1, -1),
  globalMean: 0,
  options: { ...options, biases: false },
  history: [],
};
const weights = new Float32Array(16);
weights[(1 - 1) * 4 + (3 - 1)] = 0.5;
weights[(2 - 1) * 4 + (4 - 1)] = 1;
const neighbours: NeighbourModel = {
  settings: DEFAULT_NEIGHBOUR_SETTINGS,
  movieIds: Int32Array.of(1, 2, 3, 4),
  weights,
};
const rated: Profile = {
  ratings: [
    { movieId: 1, rating: 3 },
    { movieId: 2, rating: 1 },
  ],
};

function recommender(blend: number, policy = { minRatings: 0, popularityWeight: 0 }) {
  return prepareRecommender({
    ranking,
    neighbours: blend > 0 ? neighbours : null,
    blend,
    support: Float64Array.of(10, 20, 30, 40),
    policy,
  });
}

/** Movies 3 and 4 (1 and 2 are the person's own, left out as the routes do). */
const list = (r: ReturnType<typeof recommender>, profile: Profile) =>
  recommendForProfile(r, profile, { n: 4, exclude: new Set([0, 1]) }).items;

const partsOf = (e: { parts: readonly { movieId: number; part: number }[] }) =>
  Object.fromEntries(e.parts.map((p) => [p.movieId, p.part]));

const sumOf = (e: { parts: readonly { part: number }[]; base: number }) =>
  e.parts.reduce((s, p) => s + p.part, e.base);

describe('because you rated: the exact split of a score over the person’s movies', () => {
  it('factor part alone: each rated movie’s t_j·y_iᵀA⁻¹y_j (hand-solved)', () => {
    const r = recommender(0);
    const items = list(r, rated);
    expect(items.map((m) => m.movieId)).toEqual([3, 4]);
    expect(items[0]!.score).toBeCloseTo(34 / 35, 6);
    const [three, four] = explainScores(r, rated, [3, 4]);
    expect(partsOf(three!)[1]).toBeCloseTo(4 / 7, 6);
    expect(partsOf(three!)[2]).toBeCloseTo(2 / 5, 6);
    expect(partsOf(four!)[1]).toBeCloseTo(4 / 7, 6);
    expect(partsOf(four!)[2]).toBeCloseTo(-2 / 5, 6);
    expect(three!.parts.map((p) => p.movieId)).toEqual([1, 2]);
    expect(three!.base).toBe(0);
    // The parts sum to the score the list ranked by.
    expect(sumOf(three!)).toBeCloseTo(items[0]!.score, 6);
    expect(sumOf(four!)).toBeCloseTo(items[1]!.score, 6);
    // Shares of the positive parts; a movie that pulled the score down is never named.
    expect(becauseOf(three!)).toEqual([
      { movieId: 1, share: Math.round((20 / 34) * 1000) / 1000 },
      { movieId: 2, share: Math.round((14 / 34) * 1000) / 1000 },
    ]);
    expect(becauseOf(four!)).toEqual([{ movieId: 1, share: 1 }]);
  });

  it('because names at most three positive parts, past the first only shares ≥ 0.1', () => {
    const explanation = {
      movieId: 9,
      base: 0,
      parts: [
        { movieId: 1, part: 0.6 },
        { movieId: 2, part: 0.25 },
        { movieId: 3, part: 0.1 },
        { movieId: 4, part: 0.05 },
        { movieId: 5, part: -0.4 },
      ],
    };
    // Positive parts sum to 1.0: shares 0.6, 0.25, 0.1 (named), 0.05 (too small), −0.4 (never).
    expect(becauseOf(explanation)).toEqual([
      { movieId: 1, share: 0.6 },
      { movieId: 2, share: 0.25 },
      { movieId: 3, share: 0.1 },
    ]);
    expect(becauseOf(explanation, 2)).toHaveLength(2);
    expect(becauseOf(explanation, 3, 0.3)).toEqual([{ movieId: 1, share: 0.6 }]);
    // The largest is named however small its share.
    const flat = {
      movieId: 9,
      base: 0,
      parts: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((id) => ({ movieId: id, part: 1 })),
    };
    expect(becauseOf(flat)).toEqual([{ movieId: 1, share: 0.083 }]);
    expect(becauseOf({ movieId: 9, base: 1, parts: [{ movieId: 1, part: -1 }] })).toEqual([]);
  });

  it('removing the top explaining movie lowers the score (hand-solved: 34/35 → 12/29)', () => {
    const r = recommender(0);
    const [three] = explainScores(r, rated, [3]);
    const top = becauseOf(three!)[0]!.movieId;
    expect(top).toBe(1);
    const without = { ratings: rated.ratings.filter((x) => x.movieId !== top) };
    const after = recommendForProfile(r, without, { n: 4, exclude: new Set([1]) }).items;
    expect(after.find((m) => m.movieId === 3)!.score).toBeCloseTo(12 / 29, 6);
    expect(12 / 29).toBeLessThan(34 / 35);
  });

  it('blended: factor and neighbour parts with the blend’s weights (hand-solved)', () => {
    const w = 0.9;
    const wf = (1 - w) / (Math.sqrt(419) / 70);
    const wn = w / (Math.sqrt(11) / 8);
    const r = recommender(w);
    const items = list(r, rated);
    const [three, four] = explainScores(r, rated, [3, 4]);
    // Movie 3: movie 1 gives wf·4/7 + wn·1·0.5, movie 2 gives wf·2/5 (B[2][3] = 0).
    expect(partsOf(three!)[1]).toBeCloseTo(wf * (4 / 7) + wn * 0.5, 6);
    expect(partsOf(three!)[2]).toBeCloseTo(wf * (2 / 5), 6);
    // Movie 4: movie 2's neighbour weight B[2][4] = 1 outweighs its negative factor part, and
    // makes it the top reason (movie 1 alone explained movie 4 without the blend).
    expect(partsOf(four!)[1]).toBeCloseTo(wf * (4 / 7), 6);
    expect(partsOf(four!)[2]).toBeCloseTo(wf * (-2 / 5) + wn * 1, 6);
    expect(becauseOf(four!)[0]!.movieId).toBe(2);
    for (const e of [three!, four!]) {
      expect(sumOf(e)).toBeCloseTo(items.find((m) => m.movieId === e.movieId)!.score, 6);
    }
  });

  it('the policy’s popularity bonus is the base no movie accounts for', () => {
    const r = recommender(0.5, { minRatings: 0, popularityWeight: 0.3 });
    const items = list(r, rated);
    const explained = explainScores(
      r,
      rated,
      items.map((m) => m.movieId),
    );
    expect(explained[0]!.base).toBeCloseTo(0.3 * Math.log1p(items[0]!.movieId * 10), 12);
    for (const [k, e] of explained.entries()) expect(sumOf(e)).toBeCloseTo(items[k]!.score, 6);
  });

  it('parts still sum to the score when timestamps weight the ratings by recency', () => {
    const r = recommender(0.5);
    const timed: Profile = {
      ratings: rated.ratings.map((g, k) => ({ ...g, timestamp: 1_000 + k })),
    };
    const items = list(r, timed);
    // The weights change the list's scores (they are not a no-op here) …
    const plain = list(r, rated);
    expect(items.map((m) => m.score)).not.toEqual(plain.map((m) => m.score));
    // … and the explanation splits the weighted score exactly.
    const explained = explainScores(
      r,
      timed,
      items.map((m) => m.movieId),
    );
    for (const [k, e] of explained.entries()) expect(sumOf(e)).toBeCloseTo(items[k]!.score, 6);
  });

  it('a dislike is never a reason: no factor term (t = 0), a negative neighbour term', () => {
    const r = recommender(0.9);
    const profile: Profile = { ratings: [{ movieId: 1, rating: 3 }], dislikes: [2] };
    const items = list(r, profile);
    const explained = explainScores(r, profile, [3, 4]);
    for (const e of explained) {
      expect(e.parts.find((p) => p.movieId === 2)?.part ?? 0).toBeLessThanOrEqual(0);
      expect(becauseOf(e).map((b) => b.movieId)).not.toContain(2);
      expect(sumOf(e)).toBeCloseTo(items.find((m) => m.movieId === e.movieId)!.score, 6);
    }
  });

  it('favourites count as top ratings; unknown movies and empty profiles explain nothing', () => {
    const r = recommender(0.5);
    const profile: Profile = { ratings: [], favourites: [1, 99] };
    const items = list(r, profile);
    const explained = explainScores(r, profile, [3, 4, 77]);
    expect(sumOf(explained[0]!)).toBeCloseTo(items.find((m) => m.movieId === 3)!.score, 6);
    expect(explained[0]!.parts.map((p) => p.movieId)).toEqual([1]);
    expect(explained[2]).toEqual({ movieId: 77, parts: [], base: 0 });
    expect(explainScores(r, { ratings: [{ movieId: 99, rating: 5 }] }, [3])).toEqual([
      { movieId: 3, parts: [], base: 0 },
    ]);
  });

  it('sums to the list’s scores on a larger random blended model, implicit and explicit', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const items = 60;
    const rank = 6;
    const ids = Int32Array.from({ length: items }, (_, i) => i + 1);
    const factors = Float32Array.from({ length: items * rank }, random);
    const M = 30;
    const nearWeights = Float32Array.from({ length: M * M }, (_, k) =>
      k % (M + 1) === 0 ? 0 : random() * 0.2,
    );
    const profile: Profile = {
      ratings: [3, 8, 15, 22, 41, 55].map((movieId, k) => ({ movieId, rating: 1 + (k % 5) })),
      favourites: [30],
      dislikes: [12],
    };
    for (const implicit of [true, false]) {
      const resolved = resolveAlsOptions(
        { implicit, rank, reg: 0.1, alpha: 2, unobservedWeight: 0.5 },
        { ratingMin: 0.5, ratingMax: 5 },
      );
      const model: AlsModel = {
        rank,
        userIds: IdMap.fromSortedUnique(Int32Array.of()),
        itemIds: IdMap.fromSortedUnique(ids),
        userFactors: new Float32Array(0),
        itemFactors: factors,
        ...(implicit ? {} : { itemBias: Float32Array.from({ length: items }, random) }),
        globalMean: implicit ? 0 : 3.5,
        options: resolved,
        history: [],
      };
      const r = prepareRecommender({
        ranking: model,
        neighbours: {
          settings: DEFAULT_NEIGHBOUR_SETTINGS,
          movieIds: Int32Array.from({ length: M }, (_, i) => i * 2 + 1),
          weights: nearWeights,
        },
        blend: 0.4,
        support: Float64Array.from({ length: items }, (_, i) => i * 3),
        policy: { minRatings: 0, popularityWeight: 0.1 },
      });
      const listed = recommendForProfile(r, profile, { n: 20 }).items;
      const explained = explainScores(
        r,
        profile,
        listed.map((m) => m.movieId),
      );
      for (const [k, e] of explained.entries()) {
        expect(e.parts.length).toBeGreaterThan(0);
        expect(Math.abs(sumOf(e) - listed[k]!.score)).toBeLessThan(1e-5);
      }
    }
  });
});
