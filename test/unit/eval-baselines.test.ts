import { describe, expect, it } from 'vitest';
import {
  biasPredictor,
  clampRating,
  fitBiases,
  globalMeanPredictor,
  popularityOrder,
  popularityRecommender,
} from '../../lambdas/core/eval/baselines.ts';
import {
  baselineReport,
  evaluatePredictor,
  evaluateRanking,
} from '../../lambdas/core/eval/evaluate.ts';
import { expandGrid, gridSearch, type AlsGridParams } from '../../lambdas/core/eval/grid-search.ts';
import { ratingsTable } from '../support/ratings-table.ts';

const table = ratingsTable;

// Mean 4. Movie 10 is rated above it, movie 20 below; user 1 rates 10 above its mean.
const small = table([
  [1, 10, 5],
  [1, 20, 3],
  [2, 10, 4],
]);

describe('global mean', () => {
  it('predicts the training mean for everyone', () => {
    const predict = globalMeanPredictor(small);
    expect(predict(1, 10)).toBe(4);
    expect(predict(99, 99)).toBe(4);
  });
});

describe('bias-only', () => {
  it('one undamped pass: movie biases from raw residuals, then user biases from what is left', () => {
    const model = fitBiases(small, { itemReg: 0, userReg: 0, iterations: 1 });
    // b10 = ((5-4) + (4-4)) / 2 = 0.5; b20 = (3-4) / 1 = -1
    // b1 = ((5-4-0.5) + (3-4+1)) / 2 = 0.25; b2 = (4-4-0.5) / 1 = -0.5
    const predict = biasPredictor(model);
    expect(predict(1, 10)).toBeCloseTo(4 + 0.25 + 0.5, 12);
    expect(predict(2, 20)).toBeCloseTo(4 - 0.5 - 1, 12);
    // Unknown ids contribute no bias.
    expect(predict(99, 20)).toBeCloseTo(3, 12);
    expect(predict(1, 99)).toBeCloseTo(4.25, 12);
  });

  it('damping shrinks biases toward zero by reg / (reg + count)', () => {
    const model = fitBiases(small, { itemReg: 1, userReg: 1, iterations: 1 });
    // b10 = 1 / (1 + 2); b20 = -1 / (1 + 1); b1 = ((1 - 1/3) + (-1 + 1/2)) / (1 + 2); b2 = (-1/3) / (1 + 1)
    expect(model.movieBias[model.movies.indexOf(10)]).toBeCloseTo(1 / 3, 12);
    expect(model.movieBias[model.movies.indexOf(20)]).toBeCloseTo(-0.5, 12);
    expect(model.userBias[model.users.indexOf(1)]).toBeCloseTo((2 / 3 - 1 / 2) / 3, 12);
    expect(model.userBias[model.users.indexOf(2)]).toBeCloseTo(-1 / 6, 12);
  });

  it('clamps predictions to the half-star scale', () => {
    const generous = table([
      [1, 10, 5],
      [1, 11, 5],
      [2, 10, 5],
      [3, 12, 0.5],
    ]);
    const predict = biasPredictor(fitBiases(generous, { itemReg: 0, userReg: 0, iterations: 10 }));
    expect(predict(1, 10)).toBeLessThanOrEqual(5);
    expect(clampRating(7)).toBe(5);
    expect(clampRating(-1)).toBe(0.5);
  });

  it('beats the global mean when users and movies differ systematically', () => {
    const rows: [number, number, number][] = [];
    for (let u = 1; u <= 50; u++) {
      for (let m = 1; m <= 40; m++)
        rows.push([u, m, clampRating(Math.round(2 * (3 + (u % 3) * 0.5 - (m % 4) * 0.4)) / 2)]);
    }
    const data = table(rows);
    const mean = evaluatePredictor(globalMeanPredictor(data), data).rmse;
    const bias = evaluatePredictor(biasPredictor(fitBiases(data)), data).rmse;
    expect(bias).toBeLessThan(mean * 0.5);
  });
});

describe('popularity', () => {
  const train = table([
    [1, 10, 4],
    [2, 10, 4],
    [3, 10, 4],
    [1, 20, 4],
    [2, 30, 4],
    [3, 30, 4],
    [3, 20, 4],
    [4, 40, 4],
  ]);

  it('orders movies by rating count, ties by smaller id', () => {
    expect([...popularityOrder(train)]).toEqual([10, 20, 30, 40]);
  });

  it('skips what the user already rated; an unknown user gets the plain chart', () => {
    const recommend = popularityRecommender(train);
    expect(recommend(1, 2)).toEqual([30, 40]);
    expect(recommend(4, 2)).toEqual([10, 20]);
    expect(recommend(99, 3)).toEqual([10, 20, 30]);
  });

  it('is scored with ranking metrics against test ratings ≥ 4', () => {
    const test = table([
      [1, 30, 5],
      [4, 20, 2],
    ]);
    const metrics = evaluateRanking(popularityRecommender(train), train, test, { k: 1 });
    // Only user 1 has a liked test movie; its top-1 is 30: a hit.
    expect(metrics.users).toBe(1);
    expect(metrics.precision).toBe(1);
    // Catalogue = 4 trained movies; one list of one movie.
    expect(metrics.coverage).toBe(0.25);
    const report = baselineReport(train, test, { k: 1 });
    expect(report.popularity.precision).toBe(1);
    expect(report.globalMean.count).toBe(2);
  });
});

describe('grid search', () => {
  const validation = table([
    [1, 1, 3],
    [2, 2, 3],
  ]);

  it('expands rank × reg × iterations, first key slowest', () => {
    expect(expandGrid({ rank: [1, 2], reg: [0.1, 0.2], iterations: [5] })).toEqual([
      { rank: 1, reg: 0.1, iterations: 5 },
      { rank: 1, reg: 0.2, iterations: 5 },
      { rank: 2, reg: 0.1, iterations: 5 },
      { rank: 2, reg: 0.2, iterations: 5 },
    ]);
  });

  it('ranks settings by validation RMSE and reports the best', async () => {
    const seen: number[] = [];
    // A stand-in model whose constant prediction rank + reg is exactly right (3) for rank 2, reg 1.
    const train = async (p: AlsGridParams) => () => p.rank + p.reg;
    const { results, best } = await gridSearch(
      { rank: [1, 2], reg: [0.25, 1, 1.5], iterations: [10] },
      train,
      validation,
      {
        onResult: (_, done) => seen.push(done),
      },
    );
    expect(best.params).toEqual({ rank: 2, reg: 1, iterations: 10 });
    expect(best.rmse).toBe(0);
    // Predictions 1.25, 2, 2.5 (rank 1) and 2.25, 3, 3.5 (rank 2) against 3.
    expect(results.map((r) => r.rmse)).toEqual([0, 0.5, 0.5, 0.75, 1, 1.75]);
    // Equal scores keep grid order.
    expect(results[1]!.params).toEqual({ rank: 1, reg: 1.5, iterations: 10 });
    expect(results[2]!.params).toEqual({ rank: 2, reg: 1.5, iterations: 10 });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('sorts a diverged (NaN) setting last', async () => {
    const train = (p: { reg: number }) => () => (p.reg < 0 ? Number.NaN : 3 + p.reg);
    const { results } = await gridSearch({ reg: [-1, 0.5, 0] }, train, validation);
    expect(results.map((r) => r.params.reg)).toEqual([0, 0.5, -1]);
  });
});
