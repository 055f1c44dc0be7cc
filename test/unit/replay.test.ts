import { describe, expect, it } from 'vitest';
import { replayEstimate, type ReplayEvent } from '../../lambdas/core/experiments/replay.ts';
import { Rng } from '../../lambdas/core/generator/random.ts';

/**
 * The replay estimator against logs whose logging policy is KNOWN: uniformly random lists of 10
 * from a catalogue of 40 movies, each shown movie a hit with its own fixed probability,
 * independently. The true hit rate@10 of a candidate that shows movies with probabilities
 * p₁…p₁₀ is then 1 − Π(1 − pⱼ), worked out by hand below; the estimate must find it inside its
 * 95 % interval, and the intervals must cover it about 95 % of the time over many logs.
 */
const K = 10;
const CATALOGUE = 40;
/** Movies 1–20 are hits with probability 0.05 when shown, movies 21–40 with 0.15. */
const p = (movieId: number) => (movieId <= 20 ? 0.05 : 0.15);

/**
 * The candidate shows five movies of each group: 1 − 0.95⁵ · 0.85⁵
 * = 1 − 0.7737809 · 0.4437053 = 1 − 0.3433307 = 0.6566693.
 */
const TRUTH = 0.6566693;

/** A uniformly random k-subset of 1…n in random order (a partial Fisher–Yates shuffle). */
function randomList(rng: Rng, n: number, k: number): number[] {
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids.slice(0, k);
}

/**
 * `lists` logged lists, two per user, each with the candidate's list for that user: `candidateOf`
 * gives it (a fixed list, or one of the user's own).
 */
function syntheticLog(
  seed: number,
  lists: number,
  candidateOf: (userId: number, rng: Rng) => number[],
): ReplayEvent[] {
  const rng = new Rng(seed);
  const events: ReplayEvent[] = [];
  const candidates = new Map<number, number[]>();
  for (let e = 0; e < lists; e++) {
    const userId = Math.floor(e / 2) + 1;
    if (!candidates.has(userId)) candidates.set(userId, candidateOf(userId, rng));
    const logged = randomList(rng, CATALOGUE, K);
    const positives = new Set(logged.filter((movieId) => rng.next() < p(movieId)));
    events.push({ userId, logged, positives, candidate: candidates.get(userId)! });
  }
  return events;
}

const FIXED = [1, 21, 2, 22, 3, 23, 4, 24, 5, 25];

describe('replayEstimate: a known random logging policy', () => {
  it('recovers the true hit rate of a fixed candidate list within its interval', () => {
    const events = syntheticLog(7, 4000, () => FIXED);
    const estimate = replayEstimate(events, { k: K, resamples: 400, seed: 1 });
    expect(estimate.lists).toBe(4000);
    expect(estimate.users).toBe(2000);
    // Each candidate movie is in a random 10 of 40 with probability 1/4.
    expect(Math.abs(estimate.matchedShare - 0.25)).toBeLessThan(0.02);
    expect(estimate.candidate.low).toBeLessThanOrEqual(TRUTH);
    expect(estimate.candidate.high).toBeGreaterThanOrEqual(TRUTH);
    expect(Math.abs(estimate.candidate.value! - TRUTH)).toBeLessThan(0.03);
    // Each slot's replay rate finds its movie's probability.
    FIXED.forEach((movieId, j) =>
      expect(Math.abs(estimate.slotRates[j]! - p(movieId))).toBeLessThan(0.05),
    );
  });

  it('recovers a personalised candidate: each user their own movies, the same p per slot', () => {
    // Slot j shows, for every user, some movie of group j % 2, chosen per user: the lists differ
    // from user to user, the truth does not (0.6566693 as above).
    const events = syntheticLog(11, 4000, (_userId, rng) => {
      const low = randomList(rng, 20, 5);
      const high = randomList(rng, 20, 5).map((m) => m + 20);
      return low.flatMap((m, i) => [m, high[i]!]);
    });
    const estimate = replayEstimate(events, { k: K, resamples: 400, seed: 2 });
    expect(estimate.candidate.low).toBeLessThanOrEqual(TRUTH);
    expect(estimate.candidate.high).toBeGreaterThanOrEqual(TRUTH);
  });

  it('covers the truth in about 95 % of logs (at least 33 of 40), the logged rate too', () => {
    // The logged lists' own truth: a random 10 of 40 holds a ~ Hypergeometric(40, 20, 10) movies
    // of the 0.05 group, so P(no hit) = Σₐ C(20,a)·C(20,10−a)/C(40,10) · 0.95^a · 0.85^(10−a).
    const choose = (n: number, r: number): number => {
      let c = 1;
      for (let i = 1; i <= r; i++) c = (c * (n - r + i)) / i;
      return c;
    };
    let noHit = 0;
    for (let a = 0; a <= 10; a++) {
      const weight = (choose(20, a) * choose(20, 10 - a)) / choose(40, 10);
      noHit += weight * 0.95 ** a * 0.85 ** (10 - a);
    }
    const loggedTruth = 1 - noHit; // 0.65256
    let covered = 0;
    let loggedCovered = 0;
    for (let seed = 100; seed < 140; seed++) {
      const events = syntheticLog(seed, 600, () => FIXED);
      const { candidate, logged } = replayEstimate(events, { k: K, resamples: 200, seed });
      if (candidate.low <= TRUTH && TRUTH <= candidate.high) covered++;
      if (logged.low <= loggedTruth && loggedTruth <= logged.high) loggedCovered++;
    }
    // Binomial(40, 0.95): P(≤ 32 covered) < 0.001.
    expect(covered).toBeGreaterThanOrEqual(33);
    expect(loggedCovered).toBeGreaterThanOrEqual(33);
  });
});

describe('replayEstimate: hand-worked cases', () => {
  it('observes matched slots, imputes the rest by the slot rates', () => {
    // k = 2. List A showed [1, 2], movie 1 a hit; the candidate shows [1, 3]: slot 1 matched and a
    // hit, slot 2 unmatched. List B showed [3, 4], no hit; the candidate shows [3, 1]: slot 1
    // matched, no hit. r̂₁ = 1/2; slot 2 never matched and takes the pooled rate 1/2.
    // ĥ_A = 1 − 0 = 1; ĥ_B = 1 − (1 − 0)(1 − 1/2) = 1/2; mean 3/4. Logged: 1 of 2 lists.
    const events: ReplayEvent[] = [
      { userId: 1, logged: [1, 2], positives: new Set([1]), candidate: [1, 3] },
      { userId: 2, logged: [3, 4], positives: new Set(), candidate: [3, 1] },
    ];
    const estimate = replayEstimate(events, { k: 2, resamples: 50 });
    expect(estimate.candidate.value).toBe(0.75);
    expect(estimate.logged.value).toBe(0.5);
    expect(estimate.difference.value).toBe(0.25);
    expect(estimate.slotRates).toEqual([0.5, null]);
    expect(estimate.matchedSlots).toBe(2);
    expect(estimate.slots).toBe(4);
    expect(estimate.matchedShare).toBe(0.5);
  });

  it('a candidate that is the logging policy gets exactly the logged hit rate', () => {
    const rng = new Rng(5);
    const events: ReplayEvent[] = Array.from({ length: 300 }, (_, e) => {
      const logged = randomList(rng, CATALOGUE, K);
      const positives = new Set(logged.filter((m) => rng.next() < p(m)));
      return { userId: e % 90, logged, positives, candidate: [...logged].reverse() };
    });
    const hits = events.filter((e) => e.positives.size > 0).length;
    const estimate = replayEstimate(events, { k: K, resamples: 100 });
    expect(estimate.matchedShare).toBe(1);
    expect(estimate.candidate.value).toBeCloseTo(hits / 300, 12);
    expect(estimate.logged.value).toBeCloseTo(hits / 300, 12);
    expect(estimate.difference.value).toBeCloseTo(0, 12);
    expect(estimate.difference.significant).toBe(false);
  });

  it('with no matched slot there is nothing to replay', () => {
    const estimate = replayEstimate(
      [{ userId: 1, logged: [1, 2], positives: new Set([1]), candidate: [3, 4] }],
      { k: 2, resamples: 10 },
    );
    expect(estimate.candidate.value).toBeNull();
    expect(estimate.difference.value).toBeNull();
    expect(estimate.logged.value).toBe(1);
  });

  it('the same logs and seed give the same interval', () => {
    const events = syntheticLog(21, 400, () => FIXED);
    expect(replayEstimate(events, { k: K, resamples: 100, seed: 9 })).toEqual(
      replayEstimate(events, { k: K, resamples: 100, seed: 9 }),
    );
  });
});
