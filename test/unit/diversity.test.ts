import { describe, expect, it } from 'vitest';
import type { AlsModel } from '../../lambdas/core/als/model.ts';
import { DEFAULT_ALS_OPTIONS } from '../../lambdas/core/als/options.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import {
  candidatePoolSize,
  diversify,
  intraListDiversity,
  isDiversity,
  mmrOrder,
  parseDiversityText,
  relevance,
} from '../../lambdas/core/serving/diversity.ts';

/**
 * Four movies in rank 2, scored best first:
 *   A (1)  factor (1, 0)     score 1.0   rel 1
 *   B (2)  factor (1, 0.1)   score 0.9   rel 0.9    cos(A,B) = 1/√1.01        = 0.99504
 *   C (3)  factor (0, 1)     score 0.5   rel 0.5    cos(A,C) = 0, cos(B,C)     = 0.09950
 *   D (4)  factor (−1, 0.2)  score 0.0   rel 0      cos(A,D) = −1/√1.04       = −0.98058
 *                                                   cos(B,D) = −0.98/√(1.01·1.04) = −0.95621
 *                                                   cos(C,D) = 0.2/√1.04      = 0.19612
 * plus E (5), an exact copy of A's factor, used by the tie cases.
 */
function model(): AlsModel {
  return {
    rank: 2,
    userIds: IdMap.fromIds([1]),
    itemIds: IdMap.fromIds([1, 2, 3, 4, 5]),
    userFactors: Float32Array.of(1, 0),
    itemFactors: Float32Array.of(1, 0, 1, 0.1, 0, 1, -1, 0.2, 1, 0),
    globalMean: 0,
    options: { ...DEFAULT_ALS_OPTIONS, rank: 2, implicit: true, ratingMin: 0.5, ratingMax: 5 },
    history: [],
  };
}

const LIST = [
  { movieId: 1, score: 1 },
  { movieId: 2, score: 0.9 },
  { movieId: 3, score: 0.5 },
  { movieId: 4, score: 0 },
];
const ids = (items: readonly { movieId: number }[]) => items.map((m) => m.movieId);

describe('MMR re-ranking (diversity dial)', () => {
  it('d = 0 is the score order, the very same items', () => {
    const out = diversify(model(), LIST, 3, 0);
    expect(ids(out)).toEqual([1, 2, 3]);
    out.forEach((item, k) => expect(item).toBe(LIST[k]));
    // Through MMR itself too (rel alone ranks).
    expect(mmrOrder(model(), [0, 1, 2, 3], [1, 0.9, 0.5, 0], 4, 0)).toEqual([0, 1, 2, 3]);
  });

  it('d = 1 takes the best first, then each time the movie least like the list', () => {
    // After A: −sim is B −0.995, C 0, D +0.981 → D. Then max-sims: B 0.995, C max(0, 0.196) → C.
    expect(ids(diversify(model(), LIST, 4, 1))).toEqual([1, 4, 3, 2]);
  });

  it('d = 0.3 trades, by hand: A, C, B, D', () => {
    // After A: B 0.7·0.9 − 0.3·0.99504 = 0.3315; C 0.7·0.5 − 0 = 0.35; D 0 + 0.3·0.98058 = 0.2942.
    // After A, C: B 0.3315 (its max-sim stays 0.995); D 0 − 0.3·max(−0.981, 0.196) = −0.0588.
    expect(ids(diversify(model(), LIST, 4, 0.3))).toEqual([1, 3, 2, 4]);
  });

  it('d = 0.1 keeps the score order here (the near-copy B still beats C)', () => {
    // After A: B 0.81 − 0.0995 = 0.7105 > C 0.45 > D 0.098.
    expect(ids(diversify(model(), LIST, 4, 0.1))).toEqual([1, 2, 3, 4]);
  });

  it('d = 0.5: D (opposite of A) comes second', () => {
    // After A: B 0.45 − 0.4975 = −0.0475; C 0.25; D 0 + 0.4903 → D; then C 0.25 − 0.098 > B.
    expect(ids(diversify(model(), LIST, 4, 0.5))).toEqual([1, 4, 3, 2]);
  });

  it('keeps each item its own score, and only n items', () => {
    const out = diversify(model(), LIST, 2, 1);
    expect(out).toEqual([
      { movieId: 1, score: 1 },
      { movieId: 4, score: 0 },
    ]);
  });

  it('ties go to the higher-ranked candidate, deterministically', () => {
    // A and E are the same vector with the same score, so the first pick ties (0.5 each): the one
    // given first wins. Then E (or A) is 0.5·1 − 0.5·1 = 0 and C is 0.5·0 − 0.5·0 = 0: tied again,
    // the higher-ranked wins. Swapping A and E in the input swaps them in the output.
    const tied = [
      { movieId: 1, score: 1 },
      { movieId: 5, score: 1 },
      { movieId: 3, score: 0 },
    ];
    expect(ids(diversify(model(), tied, 3, 0.5))).toEqual([1, 5, 3]);
    expect(ids(diversify(model(), [tied[1]!, tied[0]!, tied[2]!], 3, 0.5))).toEqual([5, 1, 3]);
    // d = 1 with S empty: every value is 0, so the first candidate goes first.
    expect(ids(diversify(model(), [LIST[2]!, LIST[0]!], 2, 1))).toEqual([3, 1]);
  });

  it('a movie the model lacks is similar to nothing', () => {
    // 99 is unknown (cos 0 with everything), B is A's near-copy: at d = 1, 99 comes second.
    const list = [
      { movieId: 1, score: 1 },
      { movieId: 2, score: 0.9 },
      { movieId: 99, score: 0.1 },
    ];
    expect(ids(diversify(model(), list, 3, 1))).toEqual([1, 99, 2]);
  });

  it('rescales scores to [0, 1] over the pool; equal scores all count 1', () => {
    expect(Array.from(relevance([3, 1, 2]))).toEqual([1, 0, 0.5]);
    expect(Array.from(relevance([2, 2]))).toEqual([1, 1]);
  });

  it('asks the ranker for 10 × n candidates only when the dial is on', () => {
    expect(candidatePoolSize(10, 0)).toBe(10);
    expect(candidatePoolSize(10, 0.2)).toBe(100);
  });

  it('refuses a dial outside [0, 1]', () => {
    expect(() => mmrOrder(model(), [0], [1], 1, 1.5)).toThrow(RangeError);
    expect(() => mmrOrder(model(), [0], [1], 1, Number.NaN)).toThrow(RangeError);
  });
});

describe('intra-list diversity', () => {
  it('is the mean pairwise 1 − cosine of the item factors', () => {
    expect(intraListDiversity(model(), [1, 3])).toBeCloseTo(1, 12);
    expect(intraListDiversity(model(), [1, 5])).toBeCloseTo(0, 12);
    expect(intraListDiversity(model(), [1, 4])).toBeCloseTo(1 + 1 / Math.sqrt(1.04), 6);
    // (1 + 1 + 0) / 3 pairs for A, C, E.
    expect(intraListDiversity(model(), [1, 3, 5])).toBeCloseTo(2 / 3, 12);
    expect(intraListDiversity(model(), [1])).toBe(0);
    expect(intraListDiversity(model(), [1, 99])).toBe(0);
  });
});

describe('diversity parameter', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['0.3', 0.3],
    ['1.0', 1],
    ['.5', 0.5],
  ])('accepts %s', (raw, value) => {
    expect(parseDiversityText(raw)).toBe(value);
  });

  it.each([
    '2',
    'abc',
    '',
    '-0.1',
    '1.01',
    '1e-1',
    ' 0.5',
    '0.5 ',
    'NaN',
    'Infinity',
    '0x1',
    '0.5.5',
  ])('refuses %j', (raw) => {
    expect(parseDiversityText(raw)).toBeUndefined();
  });

  it('a body value must be a number in [0, 1]', () => {
    expect(isDiversity(0.7)).toBe(true);
    for (const bad of [2, -0.5, '0.5', null, Number.NaN, Infinity, true]) {
      expect(isDiversity(bad)).toBe(false);
    }
  });
});
