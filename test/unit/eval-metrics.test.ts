import { describe, expect, it } from 'vitest';
import {
  catalogueCoverage,
  mae,
  rankingMetricRecord,
  rankingMetrics,
  relevantItems,
  rmse,
} from '../../lambdas/core/eval/metrics.ts';
import { ratingsTable } from '../support/ratings-table.ts';

describe('rating errors', () => {
  it('RMSE and MAE of a three-rating example', () => {
    const predicted = Float32Array.of(1, 2, 3);
    const actual = Float32Array.of(2, 2, 5);
    // errors -1, 0, -2: squared 1 + 0 + 4 over 3; absolute 1 + 0 + 2 over 3
    expect(rmse(predicted, actual)).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(mae(predicted, actual)).toBeCloseTo(1, 12);
  });

  it('rejects mismatched lengths and gives NaN for nothing', () => {
    expect(() => rmse(Float32Array.of(1), Float32Array.of(1, 2))).toThrow(RangeError);
    expect(rmse(new Float32Array(0), new Float32Array(0))).toBeNaN();
  });
});

describe('ranking metrics at k = 3', () => {
  // A: hit at rank 2 of 3 relevant. B: hit at rank 1, its only relevant item, list shorter than k.
  // C: relevant item but no list. D: no relevant items (not averaged) but its list counts for coverage.
  const recommendations = new Map<number, number[]>([
    [1, [10, 20, 30, 40]],
    [2, [50, 60]],
    [4, [10, 80, 90, 99]],
  ]);
  const relevant = new Map<number, Set<number>>([
    [1, new Set([20, 40, 50])],
    [2, new Set([50])],
    [3, new Set([70])],
    [4, new Set()],
  ]);
  const metrics = rankingMetrics(recommendations, relevant, { k: 3, catalogueSize: 20 });

  const gain = (rank: number): number => 1 / Math.log2(rank + 1);
  const ndcgA = gain(2) / (gain(1) + gain(2) + gain(3));
  const ndcgB = gain(1) / gain(1);

  it('averages over the three users with relevant items', () => {
    expect(metrics.users).toBe(3);
  });
  it('precision@3 = (1/3 + 1/3 + 0) / 3', () => {
    expect(metrics.precision).toBeCloseTo(2 / 9, 12);
  });
  it('recall@3 = (1/3 + 1/1 + 0) / 3', () => {
    expect(metrics.recall).toBeCloseTo(4 / 9, 12);
  });
  it('NDCG@3 = (DCG_A / IDCG_A + 1 + 0) / 3', () => {
    expect(ndcgA).toBeCloseTo(0.29608, 5);
    expect(metrics.ndcg).toBeCloseTo((ndcgA + ndcgB) / 3, 12);
  });
  it('MAP@3 = ((1/2) / 3 + 1 / 1 + 0) / 3', () => {
    expect(metrics.map).toBeCloseTo((1 / 6 + 1) / 3, 12);
  });
  it('coverage = |{10,20,30,50,60,80,90}| / 20', () => {
    expect(metrics.coverage).toBeCloseTo(7 / 20, 12);
    // Top-1 lists: 10, 50, 10.
    expect(catalogueCoverage(recommendations, 1, 20)).toBeCloseTo(2 / 20, 12);
  });
  it('flattens to @k keys for reports', () => {
    expect(Object.keys(rankingMetricRecord(metrics))).toEqual([
      'precision@3',
      'recall@3',
      'ndcg@3',
      'map@3',
      'coverage@3',
    ]);
  });
  it('a perfect list scores 1 everywhere', () => {
    const perfect = rankingMetrics(new Map([[1, [7, 8, 9]]]), new Map([[1, new Set([7, 8, 9])]]), {
      k: 3,
      catalogueSize: 3,
    });
    expect([
      perfect.precision,
      perfect.recall,
      perfect.ndcg,
      perfect.map,
      perfect.coverage,
    ]).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('relevantItems', () => {
  it('keeps ratings at or above the threshold (4.0 by default)', () => {
    const relevant = relevantItems(
      ratingsTable([
        [1, 10, 4],
        [1, 11, 3.5],
        [2, 12, 5],
        [3, 13, 1],
      ]),
    );
    expect([...relevant.entries()].map(([u, s]) => [u, [...s]])).toEqual([
      [1, [10]],
      [2, [12]],
    ]);
  });
});
