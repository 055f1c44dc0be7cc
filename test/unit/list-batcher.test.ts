import { describe, expect, it } from 'vitest';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import { fitRecommender } from '../../lambdas/core/recommender/fit.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import {
  ListBatcher,
  recommendForProfileBatched,
} from '../../lambdas/core/serving/list-batcher.ts';
import {
  recommendForProfile,
  type Profile,
  type Recommender,
} from '../../lambdas/core/serving/recommender.ts';

/** A fake scheduler: holds the flushes until the test runs them, to control what one batch holds. */
class HeldFlushes {
  private readonly flushes: (() => void)[] = [];
  readonly schedule = (flush: () => void) => void this.flushes.push(flush);
  get count(): number {
    return this.flushes.length;
  }
  runAll(): void {
    for (const flush of this.flushes.splice(0)) flush();
  }
}

function trained(seed: number): Recommender {
  const { table } = generateRatingsTable({ ratings: 6_000, users: 100, movies: 180, seed });
  const options = {
    ...DEFAULT_RECOMMENDER_OPTIONS,
    als: { ...DEFAULT_RECOMMENDER_OPTIONS.als, rank: 8, iterations: 3 },
    neighbours: { ...DEFAULT_RECOMMENDER_OPTIONS.neighbours, maxItems: 60 },
  };
  return fitRecommender(table, options).recommender;
}

/** Profiles of a few ratings each over the model's movies, stars 1–5 (some below the miss line). */
function profiles(recommender: Recommender, count: number): Profile[] {
  const ids = recommender.ranking.itemIds.ids;
  return Array.from({ length: count }, (_, p) => ({
    ratings: Array.from({ length: 3 + (p % 5) }, (_, k) => ({
      movieId: ids[(p * 7 + k * 13) % ids.length]!,
      rating: 1 + ((p + k) % 5),
    })),
  }));
}

describe('ListBatcher', () => {
  const recommender = trained(3);
  const request = { n: 15 };

  it('gives each person the list recommendForProfile gives them alone, in one batch', async () => {
    const held = new HeldFlushes();
    const batcher = new ListBatcher(held.schedule);
    const people = profiles(recommender, 9);
    const pending = people.map((p) => recommendForProfileBatched(batcher, recommender, p, request));
    expect(held.count).toBe(1);
    held.runAll();
    const lists = await Promise.all(pending);
    expect(batcher.stats).toEqual({ lists: 9, batches: 1 });
    const alone = people.map((p) => recommendForProfile(recommender, p, request));
    expect(lists.filter((l) => l.items.length === 15).length).toBe(9);
    expect(lists).toEqual(alone);
  });

  it('scores each model of a batch with its own factors (a model switch mid-batch)', async () => {
    const other = trained(4);
    const held = new HeldFlushes();
    const batcher = new ListBatcher(held.schedule);
    const [a, b] = [profiles(recommender, 3), profiles(other, 3)];
    const pending = [
      ...a.map((p) => recommendForProfileBatched(batcher, recommender, p, request)),
      ...b.map((p) => recommendForProfileBatched(batcher, other, p, request)),
    ];
    held.runAll();
    const lists = await Promise.all(pending);
    expect(batcher.stats).toEqual({ lists: 6, batches: 2 });
    expect(lists).toEqual([
      ...a.map((p) => recommendForProfile(recommender, p, request)),
      ...b.map((p) => recommendForProfile(other, p, request)),
    ]);
  });

  it('opens a new batch after a flush, and answers a profile it cannot fold in at once', async () => {
    const held = new HeldFlushes();
    const batcher = new ListBatcher(held.schedule);
    const unknown = await recommendForProfileBatched(
      batcher,
      recommender,
      {
        ratings: [{ movieId: -5, rating: 5 }],
      },
      request,
    );
    expect(unknown).toEqual({ items: [], used: 0 });
    expect(held.count).toBe(0);
    const [first] = profiles(recommender, 1);
    const one = recommendForProfileBatched(batcher, recommender, first!, request);
    held.runAll();
    await one;
    const again = recommendForProfileBatched(batcher, recommender, first!, request);
    expect(held.count).toBe(1);
    held.runAll();
    expect(await again).toEqual(await one);
    expect(batcher.stats).toEqual({ lists: 2, batches: 2 });
  });

  it('rejects every list of a batch whose scoring throws, and keeps working', async () => {
    const held = new HeldFlushes();
    const batcher = new ListBatcher(held.schedule);
    const [first] = profiles(recommender, 1);
    const good = await (async () => {
      const list = recommendForProfileBatched(batcher, recommender, first!, request);
      held.runAll();
      return list;
    })();
    // A query whose vector has the wrong length cannot be scored against these factors.
    const broken = { ...recommender, ranking: { ...recommender.ranking, rank: 3 } };
    const failing = [0, 1].map(() =>
      batcher.list(broken, { user: good.user!, ratings: [], request }),
    );
    held.runAll();
    for (const list of failing) await expect(list).rejects.toThrow();
    const after = recommendForProfileBatched(batcher, recommender, first!, request);
    held.runAll();
    expect(await after).toEqual(good);
  });
});
