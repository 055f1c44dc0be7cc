import { describe, expect, it } from 'vitest';
import { armOf, hashFraction, validShare } from '../../lambdas/core/experiments/assignment.ts';
import { difference, wilson } from '../../lambdas/core/experiments/intervals.ts';
import { experimentReport, type ExperimentList } from '../../lambdas/core/experiments/report.ts';
import type { FeedbackEvent } from '../../lambdas/core/feedback/events.ts';

describe('armOf: a stable hash of (experiment, user) against the share', () => {
  it('gives a user the same arm on every call, and nests in the share', () => {
    for (let userId = 1; userId <= 500; userId++) {
      const arm = armOf('exp-a', userId, 0.3);
      expect(armOf('exp-a', userId, 0.3)).toBe(arm);
      // Hand-checked from the definition: candidate exactly when the point is under the share.
      expect(arm).toBe(hashFraction('exp-a', userId) < 0.3 ? 'candidate' : 'control');
      if (armOf('exp-a', userId, 0.2) === 'candidate') expect(arm).toBe('candidate');
    }
  });

  it('splits users about the share (within 4 standard errors)', () => {
    for (const share of [0.1, 0.5, 0.8]) {
      const n = 20_000;
      let candidates = 0;
      for (let userId = 1; userId <= n; userId++) {
        if (armOf('split', userId, share) === 'candidate') candidates++;
      }
      const se = Math.sqrt((share * (1 - share)) / n);
      expect(Math.abs(candidates / n - share)).toBeLessThan(4 * se);
    }
  });

  it('reshuffles between experiments: about 2·s·(1−s) of users change arm', () => {
    const n = 20_000;
    let changed = 0;
    for (let userId = 1; userId <= n; userId++) {
      if (armOf('first', userId, 0.5) !== armOf('second', userId, 0.5)) changed++;
    }
    // Independent splits at s = 0.5: P(different arm) = 2 · 0.5 · 0.5 = 0.5, SE √(0.25/n).
    expect(Math.abs(changed / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
  });

  it('accepts only shares strictly between 0 and 1', () => {
    expect([0.5, 0.01, 0.99].map(validShare)).toEqual([true, true, true]);
    expect([0, 1, -0.1, 1.5, Number.NaN, Infinity].map(validShare)).toEqual(Array(6).fill(false));
  });
});

describe('Wilson intervals and Newcombe differences (hand-computed)', () => {
  it('10 of 100: centre 0.119207/1.038415 = 0.114797, half 0.059568 → [0.05523, 0.17437]', () => {
    const p = wilson(10, 100);
    expect(p.value).toBe(0.1);
    expect(p.low).toBeCloseTo(0.05523, 4);
    expect(p.high).toBeCloseTo(0.17437, 4);
  });

  it('20 of 100 → [0.13337, 0.28883]', () => {
    const p = wilson(20, 100);
    expect(p.low).toBeCloseTo(0.13337, 4);
    expect(p.high).toBeCloseTo(0.28883, 4);
  });

  it('0 of 10 still has width (unlike the normal interval): [0, z²/(n+z²)] = [0, 0.27753]', () => {
    const p = wilson(0, 10);
    expect(p.low).toBe(0);
    expect(p.high).toBeCloseTo(3.841459 / 13.841459, 5);
  });

  it('no trials: no value, the whole of [0, 1]; bad counts throw', () => {
    expect(wilson(0, 0)).toMatchObject({ value: null, low: 0, high: 1 });
    expect(() => wilson(3, 2)).toThrow(/3 successes of 2/);
    expect(() => wilson(1.5, 2)).toThrow(/whole counts/);
  });

  it('20/100 vs 10/100: d = 0.1, [0.1 − √(0.06663² + 0.07437²), 0.1 + √(0.08883² + 0.04477²)]', () => {
    const d = difference(wilson(20, 100), wilson(10, 100));
    expect(d.value).toBeCloseTo(0.1, 10);
    expect(d.low).toBeCloseTo(0.00015, 4);
    expect(d.high).toBeCloseTo(0.19947, 4);
    expect(d.significant).toBe(true);
  });

  it('18/100 vs 10/100 is not significant; the sign flips with the order', () => {
    const d = difference(wilson(18, 100), wilson(10, 100));
    expect(d.low).toBeLessThan(0);
    expect(d.significant).toBe(false);
    const worse = difference(wilson(10, 100), wilson(20, 100));
    expect(worse.value).toBeCloseTo(-0.1, 10);
    expect(worse.high).toBeCloseTo(-0.00015, 4);
    expect(worse.significant).toBe(true);
  });

  it('an arm without users gives no difference', () => {
    expect(difference(wilson(0, 0), wilson(1, 2))).toMatchObject({
      value: null,
      significant: false,
    });
  });
});

describe('experimentReport: per-user outcomes by arm', () => {
  const list = (
    id: string,
    userId: number,
    arm: 'control' | 'candidate',
    movieIds: number[],
    experiment = 'exp',
  ): ExperimentList => ({
    recommendationId: id,
    userId,
    arm,
    experiment,
    modelId: arm === 'control' ? 'old' : 'new',
    movieIds,
    servedAt: 1000,
  });
  const event = (
    eventId: string,
    userId: number,
    movieId: number,
    type: FeedbackEvent['type'],
    recommendationId: string | null = null,
    value: number | null = null,
  ): FeedbackEvent => ({ eventId, userId, movieId, type, value, at: 2000, recommendationId });

  it('counts users, hits and clicks per arm, ignoring other experiments', () => {
    const lists = [
      // control: user 1 twice (one hit list → one hit user), user 2 no feedback.
      list('r1', 1, 'control', [10, 11]),
      list('r2', 1, 'control', [12, 13]),
      list('r3', 2, 'control', [10, 14]),
      // candidate: user 3 clicks (a click is positive: hit and click), user 4 rates 3 stars (no hit).
      list('r4', 3, 'candidate', [20, 21]),
      list('r5', 4, 'candidate', [22, 23]),
      list('r6', 5, 'candidate', [20, 24], 'other'),
    ];
    const events = [
      event('e1', 1, 12, 'like', 'r2'),
      event('e2', 3, 21, 'click'),
      event('e3', 4, 22, 'rating', null, 3),
      event('e4', 5, 20, 'click'),
    ];
    const report = experimentReport('exp', { control: 'old', candidate: 'new' }, lists, events, {
      k: 10,
      catalogueSize: 20,
    });
    const [control, candidate] = report.arms;
    expect(control).toMatchObject({ arm: 'control', modelId: 'old', users: 2, lists: 3 });
    expect(control.hitRate).toMatchObject({ successes: 1, trials: 2, value: 0.5 });
    expect(control.clickThrough).toMatchObject({ successes: 0, trials: 2 });
    // Movies 10, 11, 12, 13, 14 of 20.
    expect(control.coverage).toBe(0.25);
    expect(candidate).toMatchObject({ arm: 'candidate', modelId: 'new', users: 2, lists: 2 });
    expect(candidate.hitRate).toMatchObject({ successes: 1, trials: 2 });
    expect(candidate.clickThrough).toMatchObject({ successes: 1, trials: 2 });
    expect(candidate.coverage).toBe(0.2);
    expect(report.difference.hitRate.value).toBe(0);
    expect(report.difference.clickThrough.value).toBe(0.5);
    expect(report.difference.clickThrough.significant).toBe(false);
  });
});
