import { describe, expect, it } from 'vitest';
import { foldInUser, type AlsModel } from '../../lambdas/core/als/index.ts';
import { resolveAlsOptions } from '../../lambdas/core/als/options.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import { neighbourScores, type NeighbourModel } from '../../lambdas/core/neighbours/model.ts';
import { recommenderLists } from '../../lambdas/core/eval/held-out-report.ts';
import { DEFAULT_NEIGHBOUR_SETTINGS } from '../../lambdas/core/neighbours/options.ts';
import { dislikeRatings } from '../../lambdas/core/serving/dislikes.ts';
import {
  FOLD_IN_RECENCY,
  FOLD_IN_STARS,
  foldInRatings,
  prepareRecommender,
  profileRatings,
  recencyWeights,
  recommendForProfile,
  type Profile,
} from '../../lambdas/core/serving/recommender.ts';

/**
 * A hand-built model with two unrelated clusters: movies 1, 2 and the disliked 3 lie on the first
 * factor axis, movies 4 and 5 on the second. The person loved 1 and 4 (5 stars).
 *
 * Factors (rank 2):  1 = [1, 0]   2 = [1, 0]   3 = [0.95, 0]   4 = [0, 1]   5 = [0, 0.8]
 * Implicit fold-in with α = 1, α₀ = 1, λ = 0.1 (reg 0.1, exponent 0): A x = b with
 *   A = α₀·YᵀY + Σ_rated (c − α₀)·y yᵀ + λI,  b = Σ_rated c·p·y,  c = 1 + α|r|, p = [r > 0].
 * YᵀY is diagonal (each movie on one axis), so the two coordinates solve apart:
 *   Σ y₁² = 1 + 1 + 0.9025 = 2.9025,  Σ y₂² = 1 + 0.64 = 1.64
 *   x₁ = 6 / (2.9025 + 5 + 0.1) = 6 / 8.0025 = 0.749766…
 *   x₂ = 6 / (1.64 + 5 + 0.1)   = 6 / 6.74   = 0.890208…
 * Disliking 3 (r = −1: c = 2, p = 0) adds (2 − 1)·0.95² = 0.9025 to A₁₁ and nothing to b:
 *   x₁ = 6 / 8.905 = 0.673779…,  x₂ unchanged.
 * So movie 2 (1's and 3's neighbour) falls from 0.7498 to 0.6738, below movie 5 (0.8 · 0.8902 =
 * 0.7122), which does not move.
 *
 * EASE weights B (row = movie rated, column = movie scored): B[1][2] = 0.5, B[3][2] = 0.4,
 * B[3][1] = 0.3, B[4][5] = 0.5, all else 0. Five stars weigh x = 3 (boost 2), so s₂ = s₅ = 1.5;
 * the dislike (x = −1) takes 0.4 off s₂ and leaves s₅.
 */
const options = resolveAlsOptions(
  { implicit: true, rank: 2, reg: 0.1, regExponent: 0, alpha: 1, unobservedWeight: 1 },
  { ratingMin: 0.5, ratingMax: 5 },
);
const ranking: AlsModel = {
  rank: 2,
  userIds: IdMap.fromSortedUnique(Int32Array.of()),
  itemIds: IdMap.fromSortedUnique(Int32Array.of(1, 2, 3, 4, 5)),
  userFactors: new Float32Array(0),
  itemFactors: Float32Array.of(1, 0, 1, 0, 0.95, 0, 0, 1, 0, 0.8),
  globalMean: 0,
  options: { ...options, biases: false },
  history: [],
};
const weights = new Float32Array(25);
const setB = (from: number, to: number, w: number) => (weights[(from - 1) * 5 + (to - 1)] = w);
setB(1, 2, 0.5);
setB(3, 2, 0.4);
setB(3, 1, 0.3);
setB(4, 5, 0.5);
const neighbours: NeighbourModel = {
  settings: DEFAULT_NEIGHBOUR_SETTINGS,
  movieIds: Int32Array.of(1, 2, 3, 4, 5),
  weights,
};
const loved = [
  { movieId: 1, rating: 5 },
  { movieId: 4, rating: 5 },
];
const withDislike: Profile = { ratings: loved, dislikes: [3] };

function recommender(blend: number) {
  return prepareRecommender({
    ranking,
    neighbours: blend > 0 ? neighbours : null,
    blend,
    support: Float64Array.of(1, 1, 1, 1, 1),
    policy: { minRatings: 0, popularityWeight: 0 },
  });
}

/** Movies 2 and 5 only (the rated and disliked ones are left out, as the route does). */
const list = (blend: number, profile: Profile) =>
  recommendForProfile(recommender(blend), profile, { n: 5, exclude: new Set([0, 2, 3]) }).items;

describe('dislikes as a negative signal in the fold-in', () => {
  it('a dislike is the rating value −1 for an implicit model and nothing for an explicit one', () => {
    expect(dislikeRatings(ranking, [3, 7])).toEqual([
      { movieId: 3, rating: -1 },
      { movieId: 7, rating: -1 },
    ]);
    const explicit = { ...ranking, options: { ...ranking.options, implicit: false } };
    expect(dislikeRatings(explicit, [3])).toEqual([]);
    // The dislike wins over a rating of the same movie.
    expect(
      profileRatings(recommender(0), { ratings: [{ movieId: 3, rating: 4 }], dislikes: [3] }),
    ).toEqual([{ movieId: 3, rating: -1 }]);
  });

  it('the factor fold-in turns away from the disliked movie and only from it (hand-solved)', () => {
    const before = foldInUser(ranking, { ratings: loved });
    expect(before.vector[0]).toBeCloseTo(6 / 8.0025, 5);
    expect(before.vector[1]).toBeCloseTo(6 / 6.74, 5);
    const after = foldInUser(ranking, { ratings: profileRatings(recommender(0), withDislike) });
    expect(after.vector[0]).toBeCloseTo(6 / 8.905, 5);
    expect(after.vector[1]).toBeCloseTo(6 / 6.74, 5);
  });

  it('the neighbour scores subtract the disliked movie’s row of B (hand-computed)', () => {
    const ids = IdMap.fromSortedUnique(neighbours.movieIds);
    const near = new Float64Array(5);
    neighbourScores(neighbours, ids, loved, near);
    expect(near[1]).toBeCloseTo(1.5, 6);
    expect(near[4]).toBeCloseTo(1.5, 6);
    neighbourScores(neighbours, ids, profileRatings(recommender(0), withDislike), near);
    expect(near[1]).toBeCloseTo(1.1, 6);
    expect(near[4]).toBeCloseTo(1.5, 6);
  });

  it.each([0, 0.5, 1])(
    'with blend %s the disliked movie’s neighbour drops below the unrelated movie',
    (blend) => {
      const before = list(blend, { ratings: loved });
      const after = list(blend, withDislike);
      if (blend < 1) expect(before.map((m) => m.movieId)).toEqual([2, 5]);
      expect(after.map((m) => m.movieId)).toEqual([5, 2]);
    },
  );

  it('the users protocol folds a given low rating in as a dislike when asked, else as a miss', () => {
    // Two stars for movie 3. As a dislike (at most 2 stars) it pushes 2 below 5, as above. Not
    // asked, it is below FOLD_IN_STARS.missBelow: a miss for the factor model (the same x as the
    // dislike's, 6 / 8.905 on the first axis) and out of the neighbour part (s₂ = s₅ = 1.5, no
    // −0.4), so 2 (factor 0.6738) still falls below 5 (0.7122). Before issue 23 a low star was a
    // weak positive (c = 3, p = 1), which lifted 2 above 5. Movie 3 is excluded either way.
    const user = {
      userId: 9,
      given: [...loved, { movieId: 3, rating: 2 }],
      targets: new Set([2]),
    };
    expect(recommenderLists(recommender(0.5), [user], 5)).toEqual([[5, 2]]);
    expect(recommenderLists(recommender(0.5), [user], 5, 2)).toEqual([[5, 2]]);
    expect(recommenderLists(recommender(0.5), [user], 5, 1.5)).toEqual([[5, 2]]);
    // Three stars (≥ missBelow, < neighbourFrom) stay a positive for the factor model (c = 4,
    // p = 1: A₁₁ = 8.0025 + 3·0.9025 = 10.71, b₁ = 6 + 4·0.95 = 9.8, x₁ = 0.915 lifts 2 to
    // 0.915 > 0.7122) and leave the neighbour part (s₂ = s₅ = 1.5): 2 comes first.
    const three = { ...user, given: [...loved, { movieId: 3, rating: 3 }] };
    expect(recommenderLists(recommender(0.5), [three], 5)).toEqual([[2, 5]]);
  });
});

describe('low stars in the fold-in (issue 23, FOLD_IN_STARS)', () => {
  it('splits a profile for the two halves by hand', () => {
    expect(FOLD_IN_STARS).toEqual({ missBelow: 3, neighbourFrom: 3.5 });
    const profile: Profile = {
      ratings: [
        { movieId: 1, rating: 5 },
        { movieId: 2, rating: 3.5 },
        { movieId: 3, rating: 3 },
        { movieId: 4, rating: 2.5 },
        { movieId: 5, rating: 0.5 },
      ],
      favourites: [6],
      dislikes: [7],
    };
    const { factor, neighbour } = foldInRatings(recommender(0.5), profile);
    // Factor model: < 3 stars a miss (−1, as a dislike); 3 and up, favourites, dislikes as they are.
    expect(factor).toEqual([
      { movieId: 1, rating: 5 },
      { movieId: 2, rating: 3.5 },
      { movieId: 3, rating: 3 },
      { movieId: 4, rating: -1 },
      { movieId: 5, rating: -1 },
      { movieId: 6, rating: 5 },
      { movieId: 7, rating: -1 },
    ]);
    // Neighbours: ≥ 3.5 stars (x 1 at 3.5, 3 at ≥ 4), the favourite, and the dislike (x −1).
    expect(neighbour).toEqual([
      { movieId: 1, rating: 5 },
      { movieId: 2, rating: 3.5 },
      { movieId: 6, rating: 5 },
      { movieId: 7, rating: -1 },
    ]);
  });

  it('folds in every rating as before when none is ≥ 3.5, or for an explicit ranking model', () => {
    const low: Profile = {
      ratings: [
        { movieId: 1, rating: 3 },
        { movieId: 2, rating: 1 },
      ],
    };
    const all = profileRatings(recommender(0.5), low);
    expect(foldInRatings(recommender(0.5), low)).toEqual({ factor: all, neighbour: all });
    const explicit = prepareRecommender({
      ranking: { ...ranking, options: { ...ranking.options, implicit: false } },
      neighbours,
      blend: 0.5,
      support: Float64Array.of(1, 1, 1, 1, 1),
      policy: { minRatings: 0, popularityWeight: 0 },
    });
    const mixed: Profile = { ratings: [...loved, { movieId: 3, rating: 2 }] };
    const stars = profileRatings(explicit, mixed);
    expect(foldInRatings(explicit, mixed)).toEqual({ factor: stars, neighbour: stars });
  });
});

describe('recency weights in the fold-in (issue 23, FOLD_IN_RECENCY)', () => {
  it('weighs the k-th most recent rating 1 + γ·exp(−k/τ), by hand', () => {
    expect(FOLD_IN_RECENCY).toEqual({ gamma: 2, tau: 5 });
    // Latest first: movie 2 (t 300), then 5 and 3 at t 200 (a tie: the larger id is the later),
    // then movie 1 (t 100).
    const weights = recencyWeights([
      { movieId: 1, timestamp: 100 },
      { movieId: 2, timestamp: 300 },
      { movieId: 3, timestamp: 200 },
      { movieId: 5, timestamp: 200 },
    ]);
    expect(weights.get(2)).toBe(3); // k 0: 1 + 2
    expect(weights.get(5)).toBeCloseTo(1 + 2 * Math.exp(-1 / 5), 12); // k 1: 2.6375
    expect(weights.get(3)).toBeCloseTo(1 + 2 * Math.exp(-2 / 5), 12); // k 2: 2.3406
    expect(weights.get(1)).toBeCloseTo(1 + 2 * Math.exp(-3 / 5), 12); // k 3: 2.0976
    // No weighting unless every rating has a time.
    expect(recencyWeights([{ movieId: 1, timestamp: 100 }, { movieId: 2 }]).size).toBe(0);
    expect(recencyWeights([{ movieId: 1 }, { movieId: 2 }]).size).toBe(0);
  });

  it('weights both halves of a timed profile; favourites, dislikes and untimed profiles at 1', () => {
    const timed: Profile = {
      ratings: [
        { movieId: 1, rating: 5, timestamp: 10 },
        { movieId: 2, rating: 2, timestamp: 30 },
        { movieId: 3, rating: 4, timestamp: 20 },
      ],
      favourites: [4],
      dislikes: [3],
    };
    const w = (k: number) => 1 + 2 * Math.exp(-k / 5);
    const { factor, neighbour } = foldInRatings(recommender(0.5), timed);
    // Movie 2 (latest, k 0) is a miss for the factor model, with its weight; movie 3's dislike
    // wins over its rating and is not weighted; the favourite is not weighted.
    expect(factor).toEqual([
      { movieId: 1, rating: 5, weight: w(2) },
      { movieId: 2, rating: -1, weight: w(0) },
      { movieId: 3, rating: -1 },
      { movieId: 4, rating: 5 },
    ]);
    expect(neighbour).toEqual([
      { movieId: 1, rating: 5, weight: w(2) },
      { movieId: 3, rating: -1 },
      { movieId: 4, rating: 5 },
    ]);
    // The same profile without times folds in as before: no weights anywhere.
    const untimed: Profile = {
      ...timed,
      ratings: timed.ratings.map(({ movieId, rating }) => ({ movieId, rating })),
    };
    const plain = foldInRatings(recommender(0.5), untimed);
    for (const r of [...plain.factor, ...plain.neighbour]) expect(r.weight).toBeUndefined();
  });
});
