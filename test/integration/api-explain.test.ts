import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import { ensureServingData, type ServingData } from '../../scripts/support/serving-fixture.ts';
import { apiClient, movieIds, type Reply } from '../support/api-client.ts';
import { expectMlSmallPresent } from '../support/movielens-small.ts';
import { storedRatedAt } from '../support/stored-rated-at.ts';

/**
 * "Because you rated …" over HTTP against `recsys serve`, the real Cassandra and the fixture's
 * bundle fitted on ml-latest-small (implicit ALS + EASE, the default blend): `explain=true`
 * lists, per recommended movie, the person's own movies that contributed most to its score. The
 * issue's check: taking the top explaining movie out of the person's ratings lowers that movie's
 * score — through the user route (a rating deleted in Cassandra) and through
 * POST /recommendations.
 */
const KEY = 'explain-test-key-0123456789';

/** Toy Story, Star Wars, Shawshank, Jurassic Park, Silence of the Lambs, Fargo, Alien, Matrix. */
const PROFILE = [
  { movieId: 1, rating: 5 },
  { movieId: 260, rating: 5 },
  { movieId: 318, rating: 4 },
  { movieId: 480, rating: 4 },
  { movieId: 593, rating: 3 },
  { movieId: 608, rating: 4 },
  { movieId: 1214, rating: 4.5 },
  { movieId: 2571, rating: 5 },
];

interface Because {
  movieId: number;
  title: string | null;
  share: number;
}
interface Item {
  movieId: number;
  score: number;
  source: string;
  because?: Because[];
}

/** Every model item names 1–3 of `given`, largest share first, shares in (0, 1] summing ≤ 1. */
function expectBecause(items: Item[], given: ReadonlySet<number>): void {
  for (const item of items) {
    expect(item.because, `item ${item.movieId}`).toBeDefined();
    if (item.source !== 'model') {
      expect(item.because).toEqual([]);
      continue;
    }
    const because = item.because!;
    expect(because.length).toBeGreaterThanOrEqual(1);
    expect(because.length).toBeLessThanOrEqual(3);
    for (const b of because) {
      expect(given.has(b.movieId), `${b.movieId} is one of the person's movies`).toBe(true);
      expect(b.share).toBeGreaterThan(0);
      expect(b.share).toBeLessThanOrEqual(1);
      expect(typeof b.title).toBe('string');
    }
    const shares = because.map((b) => b.share);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    expect(shares.reduce((s, x) => s + x, 0)).toBeLessThanOrEqual(1.002);
  }
}

describe('explain=true: because you rated … (ml-latest-small, real Cassandra)', () => {
  let data: ServingData;
  let server: ServeProcess;
  const call = apiClient(() => server.url, KEY);
  // A user id the data set does not have, new on every run.
  const newUser = 2_050_000_000 + randomInt(40_000_000);
  const written: number[] = [];

  beforeAll(async () => {
    expectMlSmallPresent();
    data = await ensureServingData((line) => console.log(`[api-explain] ${line}`));
    server = await startRecsysServe({ keyspace: data.keyspace, apiKey: KEY });
  });
  afterAll(async () => {
    if (server) {
      for (const movieId of written) {
        await call(`/users/${newUser}/ratings/${movieId}`, { method: 'DELETE' });
      }
      await server.stop();
    }
    if (data) {
      const { db } = data.stores;
      await db.execute(`DELETE FROM ${db.table('user_rating_changes')} WHERE user_id = ?`, [
        newUser,
      ]);
      await data.close();
    }
  });

  it('bad input: explain=maybe and a non-boolean body field are 400s naming explain', async () => {
    for (const reply of [
      await call('/users/1/recommendations?explain=maybe'),
      await call('/recommendations', { body: { favorites: [1], explain: 'yes' } }),
      await call('/recommendations', { body: { favorites: [1], explain: 1 } }),
    ]) {
      expect(reply.status, JSON.stringify(reply.json)).toBe(400);
      expect(reply.json.error.problems.map((p: { parameter: string }) => p.parameter)).toEqual([
        'explain',
      ]);
    }
  });

  it('without explain (or explain=false) a list carries no explanation fields', async () => {
    for (const path of ['/users/1/recommendations', '/users/1/recommendations?explain=false']) {
      const reply = await call(path);
      expect(Object.keys(reply.json)).toEqual([
        'userId',
        'modelId',
        'strategy',
        'recommendationId',
        'filters',
        'items',
      ]);
      for (const item of reply.json.items) expect(item).not.toHaveProperty('because');
    }
    const posted = await call('/recommendations', { body: { ratings: PROFILE } });
    expect(posted.json).not.toHaveProperty('explanation');
    for (const item of posted.json.items) expect(item).not.toHaveProperty('because');
  });

  it('a stored list keeps its order; because comes from a fold-in of the user’s ratings', async () => {
    const plain = await call('/users/1/recommendations?limit=20');
    const explained = await call('/users/1/recommendations?limit=20&explain=true');
    expect(explained.json.strategy).toBe('stored');
    expect(explained.json.explanation).toBe('fold-in');
    expect(movieIds(explained.json.items)).toEqual(movieIds(plain.json.items));
    expect(explained.json.items.map((m: Item) => m.score)).toEqual(
      plain.json.items.map((m: Item) => m.score),
    );
    const rated = await call('/users/1/ratings?limit=1000');
    expectBecause(explained.json.items, new Set(movieIds(rated.json.items)));
  });

  it('POST /recommendations: explain changes nothing but adds because; removing the top reason lowers the score', async () => {
    const given = new Set(PROFILE.map((r) => r.movieId));
    const post = (ratings: typeof PROFILE, explain?: boolean): Promise<Reply> =>
      call('/recommendations', {
        body: { ratings, limit: 100, ...(explain === undefined ? {} : { explain }) },
      });
    const plain = await post(PROFILE);
    const explained = await post(PROFILE, true);
    expect(explained.json.strategy).toBe('fold-in');
    expect(explained.json.explanation).toBe('exact');
    expect(movieIds(explained.json.items)).toEqual(movieIds(plain.json.items));
    expectBecause(explained.json.items, given);

    const top = explained.json.items[0] as Item;
    const reason = top.because![0]!.movieId;
    const without = await post(PROFILE.filter((r) => r.movieId !== reason));
    const after = (without.json.items as Item[]).find((m) => m.movieId === top.movieId);
    expect(after, `${top.movieId} still in the top 100 without ${reason}`).toBeDefined();
    expect(after!.score).toBeLessThan(top.score);
    console.log(
      `[api-explain] POST: ${top.movieId} because ${reason} (share ${top.because![0]!.share}): score ${top.score} → ${after!.score} without it`,
    );
  });

  it('GET for a user who rated at run time: exact; deleting the top reason lowers the score', async () => {
    for (const { movieId, rating } of PROFILE) {
      written.push(movieId);
      const put = await call(`/users/${newUser}/ratings/${movieId}`, {
        method: 'PUT',
        body: { rating },
      });
      expect(put.status, JSON.stringify(put.json)).toBe(200);
    }
    const before = await call(`/users/${newUser}/recommendations?limit=100&explain=true`);
    expect(before.status).toBe(200);
    expect(before.json.strategy).toBe('fold-in');
    expect(before.json.explanation).toBe('exact');
    expectBecause(before.json.items, new Set(PROFILE.map((r) => r.movieId)));
    // The same ratings posted, with the times they were stored at (the fold-in's recency weight
    // reads them), give the same list and the same reasons.
    const ratedAt = await storedRatedAt(call, newUser);
    const timed = PROFILE.map((r) => ({ ...r, timestamp: ratedAt.get(r.movieId) }));
    expect(timed.every((r) => r.timestamp !== undefined)).toBe(true);
    const posted = await call('/recommendations', {
      body: { ratings: timed, limit: 100, explain: true },
    });
    expect(movieIds(before.json.items)).toEqual(movieIds(posted.json.items));
    expect(before.json.items[0].because).toEqual(posted.json.items[0].because);

    const top = before.json.items[0] as Item;
    const reason = top.because![0]!.movieId;
    const deleted = await call(`/users/${newUser}/ratings/${reason}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    const after = await call(`/users/${newUser}/recommendations?limit=100&explain=true`);
    expect(after.json.strategy).toBe('fold-in');
    const again = (after.json.items as Item[]).find((m) => m.movieId === top.movieId);
    expect(again, `${top.movieId} still in the top 100 without ${reason}`).toBeDefined();
    expect(again!.score).toBeLessThan(top.score);
    console.log(
      `[api-explain] GET: ${top.movieId} because ${reason} (share ${top.because![0]!.share}): score ${top.score} → ${again!.score} after DELETE`,
    );
    expect((again!.because ?? []).map((b) => b.movieId)).not.toContain(reason);
  });

  it('the popularity fallback explains nothing', async () => {
    const reply = await call(`/users/${newUser + 1}/recommendations?explain=true`);
    expect(reply.json.strategy).toBe('popularity');
    expect(reply.json.explanation).toBe('none');
    for (const item of reply.json.items) expect(item.because).toEqual([]);
  });
});
