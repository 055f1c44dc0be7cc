import { describe, expect, it } from 'vitest';
import { DEFAULT_ALS_OPTIONS, type AlsModel } from '../../lambdas/core/als/index.ts';
import { hash4, unitFromHash } from '../../lambdas/core/matrix/hash.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import { neighbourScores } from '../../lambdas/core/neighbours/model.ts';
import { DEFAULT_NEIGHBOUR_SETTINGS } from '../../lambdas/core/neighbours/options.ts';
import { scoreLayout } from '../../lambdas/core/serving/ranked-lists.ts';
import {
  prepareRecommender,
  recommendForVectors,
  spread,
  type ListQuery,
  type Recommender,
} from '../../lambdas/core/serving/recommender.ts';
import { buildScoreLayout, factorSpread } from '../../lambdas/core/serving/score-layout.ts';

const noise = (a: number, b: number, salt: number) => unitFromHash(hash4(a, b, salt)) * 2 - 1;

/** A 2-item-factor model with the given item factors (and biases: a stars model). */
function tinyModel(itemFactors: number[], itemBias?: number[]): AlsModel {
  const n = itemFactors.length / 2;
  return {
    rank: 2,
    userIds: IdMap.fromIds([]),
    itemIds: IdMap.fromIds(Array.from({ length: n }, (_, i) => i + 1)),
    userFactors: new Float32Array(0),
    itemFactors: Float32Array.from(itemFactors),
    ...(itemBias ? { itemBias: Float32Array.from(itemBias) } : {}),
    globalMean: 0,
    options: {
      ...DEFAULT_ALS_OPTIONS,
      rank: 2,
      implicit: itemBias === undefined,
      biases: itemBias !== undefined,
      ratingMin: 0.5,
      ratingMax: 5,
    },
    history: [],
  };
}

describe('factorSpread: the factor scores’ spread from the catalogue’s moments', () => {
  it('equals the standard deviation worked out by hand', () => {
    // y = (1, 0), (0, 2), (1, 1) and x = (1, 1): scores 1, 2, 2; mean 5/3, mean square 3,
    // variance 3 − 25/9 = 2/9.
    const layout = buildScoreLayout(
      tinyModel([1, 0, 0, 2, 1, 1]),
      new Int32Array(0),
      new Float64Array(3),
    );
    expect(factorSpread(layout.moments, [1, 1])).toBeCloseTo(Math.sqrt(2) / 3, 14);
  });

  it('includes c and the item biases for a stars model', () => {
    // β = 0, −1, 1 and c = 0.5: stars 1.5, 1.5, 3.5; mean 13/6, mean square 16.75/3,
    // variance (50.25 − 42.25)/9 = 8/9.
    const layout = buildScoreLayout(
      tinyModel([1, 0, 0, 2, 1, 1], [0, -1, 1]),
      new Int32Array(0),
      new Float64Array(3),
    );
    expect(factorSpread(layout.moments, [1, 1], 0.5)).toBeCloseTo(Math.sqrt(8) / 3, 14);
  });
});

/**
 * A blended model of 3,000 movies whose factor lengths fall with the index (as a real model's
 * do with popularity), 120 of them in the neighbour model, a popularity bonus, and a support
 * filter that rules some movies out: big enough that a list's walk past the head takes several
 * steps, or none.
 */
function walkModel(stars: boolean): Recommender {
  const movies = 3_000;
  const rank = 8;
  const M = 120;
  const scale = (i: number) => 1 / (1 + i / 3000);
  const ranking: AlsModel = {
    rank,
    userIds: IdMap.fromIds([]),
    itemIds: IdMap.fromIds(Array.from({ length: movies }, (_, i) => 10 + i)),
    userFactors: new Float32Array(0),
    itemFactors: Float32Array.from(
      { length: movies * rank },
      (_, p) => noise(p, 0, 1) * scale(Math.floor(p / rank)),
    ),
    ...(stars ? { itemBias: Float32Array.from({ length: movies }, (_, i) => noise(i, 0, 2)) } : {}),
    globalMean: stars ? 3.5 : 0,
    options: {
      ...DEFAULT_ALS_OPTIONS,
      rank,
      implicit: !stars,
      biases: stars,
      ratingMin: 0.5,
      ratingMax: 5,
    },
    history: [],
  };
  // The neighbour movies are spread over the catalogue, not only its head.
  const neighbourIds = Array.from({ length: M }, (_, n) => 10 + n * 23);
  return prepareRecommender({
    ranking,
    neighbours: {
      settings: DEFAULT_NEIGHBOUR_SETTINGS,
      movieIds: Int32Array.from(neighbourIds),
      weights: Float32Array.from({ length: M * M }, (_, p) =>
        p % (M + 1) === 0 ? 0 : noise(p, 0, 3) * 0.05,
      ),
    },
    blend: 0.5,
    support: Int32Array.from({ length: movies }, (_, i) => (i % 37 === 5 ? 1 : 3 + (i % 50))),
    policy: { minRatings: 2, popularityWeight: 0.02 },
  });
}

/** Users of varied length (some far longer than the movies', so their lists reach deep). */
function walkUsers(recommender: Recommender, count: number): ListQuery[] {
  const { ranking } = recommender;
  const movies = ranking.itemIds.size;
  return Array.from({ length: count }, (_, u) => {
    const length = u % 5 === 0 ? 20 : 1;
    const rated = new Map<number, number>();
    for (let k = 0; k < 12; k++) {
      const i = Math.floor(unitFromHash(hash4(u, k, 4)) * movies);
      // Even users rate a few neighbour movies; odd ones mostly none (their list is the factors').
      rated.set(k % 4 === 0 && u % 2 === 0 ? recommender.neighbourItem[i % 120]! : i, 1 + (k % 5));
    }
    return {
      user: {
        vector: Float64Array.from({ length: ranking.rank }, (_, k) => noise(u, k, 5) * length),
        bias: noise(u, 0, 6),
      },
      ratings: [...rated].map(([i, rating]) => ({ movieId: ranking.itemIds.ids[i]!, rating })),
      request: { n: u % 3 === 0 ? 10 : 40, exclude: new Set(rated.keys()) },
    };
  });
}

/**
 * The list a pass over every movie gives: each factor score as the plain loop sums it, the spread
 * from those scores themselves, every movie blended, sorted (score down, index up).
 */
function fullScan(recommender: Recommender, query: ListQuery) {
  const { ranking, neighbours, blend, neighbourItem, support, policy } = recommender;
  const { rank, itemFactors, itemIds } = ranking;
  const n = itemIds.size;
  const x = query.user.vector;
  const factor = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let k = 0; k < rank; k++) dot += x[k]! * itemFactors[i * rank + k]!;
    factor[i] = ranking.itemBias
      ? ranking.globalMean + query.user.bias + ranking.itemBias[i]! + dot
      : dot;
  }
  const M = neighbours!.movieIds.length;
  const near = new Float64Array(M);
  // A person with no movie in the neighbour model gets the factor list alone.
  const blended = neighbourScores(neighbours!, recommender.neighbourIds!, query.ratings, near) > 0;
  const wf = blended ? (1 - blend) / spread(factor, 0, n, 0) : 1;
  const wn = blend / spread(near, 0, M, n - M);
  const addend = new Float64Array(n);
  if (blended) for (let m = 0; m < M; m++) addend[neighbourItem[m]!] = wn * near[m]!;
  const scored: { i: number; score: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (support[i]! < policy.minRatings || query.request.exclude?.has(i)) continue;
    const bonus = policy.popularityWeight * Math.log1p(support[i]!);
    scored.push({ i, score: factor[i]! * wf + addend[i]! + bonus });
  }
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  return scored.slice(0, query.request.n);
}

describe('lists walk the catalogue in bound order and stop early (ranked-lists.ts)', () => {
  for (const stars of [false, true]) {
    it(`give the full scan's lists (${stars ? 'stars' : 'implicit'} model)`, () => {
      const recommender = walkModel(stars);
      const queries = walkUsers(recommender, 200);
      const lists = recommendForVectors(recommender, queries);
      const layout = scoreLayout(recommender);
      const position = new Int32Array(layout.order.length);
      layout.order.forEach((i, p) => (position[i] = p));
      let deep = 0;
      let stoppedAtHead = 0;
      queries.forEach((query, u) => {
        const expected = fullScan(recommender, query);
        const ids = expected.map((e) => recommender.ranking.itemIds.ids[e.i]!);
        expect(lists[u]!.map((s) => s.movieId)).toEqual(ids);
        lists[u]!.forEach((s, k) =>
          expect(Math.abs(s.score - expected[k]!.score)).toBeLessThan(1e-5),
        );
        // Did this list need movies past the first tail step, or none past the head at all?
        if (expected.some((e) => position[e.i]! >= layout.head + 1024)) deep++;
        if (expected.every((e) => position[e.i]! < layout.head)) stoppedAtHead++;
      });
      // Both kinds of walk occur, so the equality above covers the bound's stop and its go-on.
      expect(deep).toBeGreaterThan(10);
      expect(stoppedAtHead).toBeGreaterThan(10);
    });
  }

  it('puts the neighbour movies first and the rest by decreasing length', () => {
    const recommender = walkModel(false);
    const layout = scoreLayout(recommender);
    const head = new Set(recommender.neighbourItem);
    expect(layout.head).toBe(120);
    expect([...layout.order.subarray(0, 120)].every((i) => head.has(i))).toBe(true);
    const { itemFactors, rank } = recommender.ranking;
    const length = (i: number) =>
      Math.hypot(...Array.from(itemFactors.subarray(i * rank, (i + 1) * rank)));
    for (let p = 121; p < layout.order.length; p++) {
      expect(length(layout.order[p - 1]!)).toBeGreaterThanOrEqual(length(layout.order[p]!));
    }
  });
});
