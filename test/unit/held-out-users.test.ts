import { describe, expect, it } from 'vitest';
import {
  heldOutMetrics,
  heldOutUsersSplit,
  type HeldOutUser,
} from '../../lambdas/core/eval/held-out-users.ts';
import { RatingsTableBuilder, type RatingsTable } from '../../lambdas/core/ratings.ts';

/** users 1..n; user u rates movies 1..perUser, liking (5 stars) the odd ones, 2 stars the rest. */
function table(users: number, perUser: number): RatingsTable {
  const builder = new RatingsTableBuilder();
  for (let u = 1; u <= users; u++) {
    for (let m = 1; m <= perUser; m++) builder.push(u, m, m % 2 === 1 ? 5 : 2, m);
  }
  return builder.finish();
}

describe('heldOutUsersSplit', () => {
  it('holds out 20 % of eligible users whole and gives 80 % of each one’s ratings', () => {
    const all = table(10, 10); // every user has 5 positives: all 10 eligible
    const split = heldOutUsersSplit(all, { seed: 3 });
    expect(split.eligible).toBe(10);
    expect(split.heldOut).toBe(2);
    const held = new Set(split.users.map((u) => u.userId));
    // None of a held-out user's ratings is trained on; everyone else's all are.
    for (let i = 0; i < split.train.length; i++)
      expect(held.has(split.train.userIds[i]!)).toBe(false);
    expect(split.train.length).toBe(100 - 10 * split.heldOut);
    for (const user of split.users) {
      expect(user.given).toHaveLength(8);
      const given = new Set(user.given.map((g) => g.movieId));
      expect(given.size).toBe(8);
      // The two movies not given: targets are the liked (odd) ones among them.
      const rest = [...Array(10).keys()].map((k) => k + 1).filter((m) => !given.has(m));
      expect([...user.targets].sort()).toEqual(rest.filter((m) => m % 2 === 1));
      for (const g of user.given) expect(g.rating).toBe(g.movieId % 2 === 1 ? 5 : 2);
    }
  });

  it('skips users with fewer than 5 positives and drops held-out users without a target', () => {
    const builder = new RatingsTableBuilder();
    for (let u = 1; u <= 20; u++) {
      // Users 1..10 have 4 positives (ineligible); 11..20 have 5 positives, rated first by id.
      const positives = u <= 10 ? 4 : 5;
      for (let m = 1; m <= positives; m++) builder.push(u, m, 4.5);
      for (let m = 100; m < 105; m++) builder.push(u, m, 1);
    }
    const split = heldOutUsersSplit(builder.finish(), { seed: 1 });
    expect(split.eligible).toBe(10);
    expect(split.heldOut).toBe(2);
    for (const user of split.users) {
      expect(user.userId).toBeGreaterThan(10);
      expect(user.targets.size).toBeGreaterThan(0);
    }
  });

  it('is the same whatever the row order and changes with the seed', () => {
    const all = table(50, 12);
    const reversed = new RatingsTableBuilder();
    for (let i = all.length - 1; i >= 0; i--) {
      reversed.push(all.userIds[i]!, all.movieIds[i]!, all.ratings[i]!, all.timestamps[i]!);
    }
    const a = heldOutUsersSplit(all, { seed: 9 });
    const b = heldOutUsersSplit(reversed.finish(), { seed: 9 });
    expect(b.users).toEqual(a.users);
    const c = heldOutUsersSplit(all, { seed: 10 });
    expect(c.users.map((u) => u.userId)).not.toEqual(a.users.map((u) => u.userId));
  });

  it('with order time gives each held-out user’s earliest ratings, ties by movie id', () => {
    // Every user rates movies 1..10 alike, pushed in id order; by time (ties by id) they run
    // 2 4 | 7 3 1 10 6 | 5 8 | 9 (t = 100 100 | 200 300 500 600 700 | 800 800 | 900). The first
    // round(0.8 × 10) = 8 are given: movie 5 (t 800) is given and movie 8 (also t 800) is not,
    // because 5 < 8. The rest are 8 (5★) and 9 (4★): both positives, so both targets. Shuffled or
    // in id order the split would differ (by id: given 1..8, targets {9}).
    const stamps = [500, 100, 300, 100, 800, 700, 200, 800, 900, 600];
    const stars = [4.5, 4, 1, 2, 5, 3, 4, 5, 4, 2];
    const builder = new RatingsTableBuilder();
    for (let u = 1; u <= 10; u++) {
      for (let m = 1; m <= 10; m++) builder.push(u, m, stars[m - 1]!, stamps[m - 1]!);
    }
    const all = builder.finish();
    const split = heldOutUsersSplit(all, { seed: 4, order: 'time' });
    expect(split.heldOut).toBe(2);
    expect(split.users).toHaveLength(2);
    for (const user of split.users) {
      expect(user.given.map((g) => g.movieId)).toEqual([2, 4, 7, 3, 1, 10, 6, 5]);
      expect(user.given.map((g) => g.rating)).toEqual([4, 2, 4, 1, 4.5, 2, 3, 5]);
      // Each given rating carries its timestamp (the fold-in's recency weights use them).
      expect(user.given.map((g) => g.timestamp)).toEqual([100, 100, 200, 300, 500, 600, 700, 800]);
      expect([...user.targets].sort((a, b) => a - b)).toEqual([8, 9]);
    }
    // The order changes which ratings are given, never which users are held out.
    const shuffled = heldOutUsersSplit(all, { seed: 4 });
    expect(shuffled.users.map((u) => u.userId)).toEqual(split.users.map((u) => u.userId));
    expect(split.train.length).toBe(80);
  });

  it('gives no timestamps from a table without times (0), so no fold-in weighs them', () => {
    const builder = new RatingsTableBuilder();
    for (let u = 1; u <= 30; u++) {
      for (let m = 1; m <= 12; m++) builder.push(u, m, m % 2 === 1 ? 5 : 2);
    }
    const split = heldOutUsersSplit(builder.finish(), { seed: 2 });
    expect(split.users.length).toBeGreaterThan(0);
    // The same users from the table with times do carry them.
    const timed = heldOutUsersSplit(table(30, 12), { seed: 2 });
    expect(timed.users[0]!.given.every((g) => g.timestamp! > 0)).toBe(true);
    for (const user of split.users) {
      for (const g of user.given) expect(g).not.toHaveProperty('timestamp');
    }
  });

  it('rejects an unknown order', () => {
    const order = 'sideways' as 'time';
    expect(() => heldOutUsersSplit(table(5, 10), { order })).toThrow(
      'order must be random or time, got sideways',
    );
  });

  it('rejects fractions outside (0, 1)', () => {
    expect(() => heldOutUsersSplit(table(5, 10), { holdout: 1 })).toThrow(/holdout/);
    expect(() => heldOutUsersSplit(table(5, 10), { given: 0 })).toThrow(/given/);
  });
});

describe('heldOutMetrics', () => {
  const user = (targets: number[]): HeldOutUser => ({
    userId: 1,
    given: [],
    targets: new Set(targets),
  });

  it('matches hand-computed values', () => {
    // Targets {10, 30}; list hits at ranks 1 and 3.
    const m = heldOutMetrics([[10, 20, 30, 40]], [user([10, 30])], 100);
    expect(m['recall@20']).toBe(1); // 2 hits ÷ min(20, 2)
    expect(m['recall@50']).toBe(1);
    const dcg = 1 / Math.log2(2) + 1 / Math.log2(4); // 1.5
    const ideal = 1 / Math.log2(2) + 1 / Math.log2(3); // 1.6309…
    expect(m['ndcg@10']).toBeCloseTo(dcg / ideal, 12);
    expect(m['ndcg@100']).toBeCloseTo(dcg / ideal, 12);
    expect(m['precision@10']).toBeCloseTo(0.2, 12);
    expect(m['coverage@10']).toBeCloseTo(4 / 100, 12);
    expect(m.users).toBe(1);
  });

  it('divides recall by min(K, targets) and averages over users', () => {
    const many = Array.from({ length: 30 }, (_, k) => k + 1); // 30 targets
    const list = Array.from({ length: 100 }, (_, k) => k + 1); // first 30 are hits
    const none = Array.from({ length: 100 }, (_, k) => 1000 + k);
    const m = heldOutMetrics([list, none], [user(many), user([5])], 200);
    expect(m['recall@20']).toBeCloseTo((20 / 20 + 0) / 2, 12);
    expect(m['recall@50']).toBeCloseTo((30 / 30 + 0) / 2, 12);
    expect(m['ndcg@10']).toBeCloseTo(0.5, 12);
    expect(m['precision@10']).toBeCloseTo(0.5, 12);
    expect(m['coverage@10']).toBeCloseTo(20 / 200, 12);
  });

  it('rejects a list count that differs from the user count', () => {
    expect(() => heldOutMetrics([], [user([1])], 10)).toThrow(/lists/);
  });
});
