import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlsModel } from '../../lambdas/core/als/index.ts';
import { diversify, intraListDiversity } from '../../lambdas/core/serving/diversity.ts';
import {
  getModelRecord,
  loadModelBundle,
  readRankedList,
} from '../../lambdas/services/models/registry.ts';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import {
  ensureServingData,
  STORED_TOP_N,
  type ServingData,
} from '../../scripts/support/serving-fixture.ts';
import { apiClient, HORROR, movieIds } from '../support/api-client.ts';
import { expectMlSmallPresent } from '../support/movielens-small.ts';

/**
 * The diversity dial (`diversity=0..1`) on user lists, `POST /recommendations` and similar movies,
 * over HTTP against `recsys serve`, a real Cassandra and the published ml-latest-small bundle: 0
 * is today's response byte for byte, a value re-ranks the top 10 × limit by MMR (the same lists
 * `diversify` gives in process from the stored list), raises the intra-list diversity of real
 * users' lists, and bad values are 400s naming `diversity`.
 */
const KEY = 'diversity-test-key-0123456789';

describe('diversity dial on ml-latest-small', () => {
  let data: ServingData;
  let server: ServeProcess;
  let ranking: AlsModel;
  const call = apiClient(() => server.url, KEY);
  /** The raw body, with the fields that differ on every request blanked. */
  const raw = async (path: string, body?: unknown) => {
    const response = await fetch(server.url + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status).toBe(200);
    return (await response.text())
      .replace(/"recommendationId":"[^"]+"/, '"recommendationId":"-"')
      .replace(/"millis":[0-9.e-]+/, '"millis":0');
  };

  beforeAll(async () => {
    expectMlSmallPresent();
    data = await ensureServingData((line) => console.log(`[api-diversity] ${line}`));
    const record = await getModelRecord(data.stores.db, data.modelId);
    ranking = (await loadModelBundle(data.stores.s3, record!.artifactsPrefix)).ranking;
    server = await startRecsysServe({ keyspace: data.keyspace, apiKey: KEY });
  });
  afterAll(async () => {
    await server?.stop();
    await data?.close();
  });

  it('diversity=0 is byte for byte the response without it (stored, on-line, fold-in)', async () => {
    for (const path of [
      '/users/1/recommendations',
      '/users/1/recommendations?limit=20&genre=Comedy',
      '/users/7/recommendations?limit=80',
    ]) {
      const sep = path.includes('?') ? '&' : '?';
      expect(await raw(`${path}${sep}diversity=0`)).toBe(await raw(path));
    }
    expect(await raw('/movies/1/similar?diversity=0')).toBe(await raw('/movies/1/similar'));
    expect(await raw('/movies/260/similar?limit=40&diversity=0')).toBe(
      await raw('/movies/260/similar?limit=40'),
    );
    const profile = { favorites: HORROR, limit: 20 };
    expect(await raw('/recommendations', { ...profile, diversity: 0 })).toBe(
      await raw('/recommendations', profile),
    );
  });

  it('a stored list long enough for the pool is re-ranked in place: the same as in process, and on-line', async () => {
    // limit 5 → a pool of 50 = the stored list's length: the fast path serves it.
    const limit = STORED_TOP_N / 10;
    const reply = await call(`/users/1/recommendations?limit=${limit}&diversity=0.3`);
    expect(reply.status).toBe(200);
    expect(reply.json.strategy).toBe('stored');
    expect(reply.json.diversity).toBe(0.3);
    const stored = await readRankedList(
      data.stores.db,
      'recommendations',
      data.modelId,
      1,
      STORED_TOP_N,
    );
    const expected = movieIds(diversify(ranking, stored, limit, 0.3));
    expect(movieIds(reply.json.items)).toEqual(expected);
    // Not the score order: the dial changed something.
    expect(expected).not.toEqual(movieIds(stored.slice(0, limit)));
    // Excluding a movie user 1 rated anyway forces the on-line path over the same pool.
    const online = await call(
      `/users/1/recommendations?limit=${limit}&diversity=0.3&exclude=${(await call('/users/1/ratings?limit=1')).json.items[0].movieId}`,
    );
    expect(online.json.strategy).toBe('online');
    expect(movieIds(online.json.items)).toEqual(expected);
  });

  it('diversity=0.7 raises intra-list diversity of real users, keeps the top movie, draws from the pool', async () => {
    const users = Array.from({ length: 20 }, (_, k) => k + 1);
    let before = 0;
    let after = 0;
    for (const user of users) {
      const plain = await call(`/users/${user}/recommendations?limit=10`);
      const wide = await call(`/users/${user}/recommendations?limit=10&diversity=0.7`);
      const pool = await call(`/users/${user}/recommendations?limit=100`);
      expect(wide.status).toBe(200);
      expect(wide.json.strategy).toBe('online'); // a pool of 100 is longer than the stored 50
      const ids = movieIds(wide.json.items);
      expect(ids).toHaveLength(10);
      expect(new Set(ids).size).toBe(10);
      expect(ids[0]).toBe(plain.json.items[0].movieId);
      const inPool = new Set(movieIds(pool.json.items));
      for (const id of ids) expect(inPool.has(id), `user ${user} movie ${id}`).toBe(true);
      before += intraListDiversity(ranking, movieIds(plain.json.items));
      after += intraListDiversity(ranking, ids);
    }
    console.log(
      `[api-diversity] mean ILD@10 of users 1–20: ${(before / users.length).toFixed(3)} at d=0, ${(after / users.length).toFixed(3)} at d=0.7`,
    );
    expect(after / users.length).toBeGreaterThan(before / users.length + 0.1);
  });

  it('POST /recommendations takes the dial too', async () => {
    const plain = await call('/recommendations', { body: { favorites: HORROR, limit: 10 } });
    const wide = await call('/recommendations', {
      body: { favorites: HORROR, limit: 10, diversity: 0.7 },
    });
    expect(wide.status).toBe(200);
    expect(wide.json.diversity).toBe(0.7);
    expect(plain.json.diversity).toBeUndefined();
    expect(wide.json.items[0].movieId).toBe(plain.json.items[0].movieId);
    expect(intraListDiversity(ranking, movieIds(wide.json.items))).toBeGreaterThan(
      intraListDiversity(ranking, movieIds(plain.json.items)),
    );
  });

  it('similar movies take the dial: the most similar stays first, the rest spread out', async () => {
    let before = 0;
    let after = 0;
    const movies = [1, 260, 296, 318, 356, 480, 593, 1196, 2571, 4993];
    for (const movieId of movies) {
      const plain = await call(`/movies/${movieId}/similar?limit=10`);
      const wide = await call(`/movies/${movieId}/similar?limit=10&diversity=0.7`);
      expect(wide.status).toBe(200);
      expect(wide.json.diversity).toBe(0.7);
      expect(wide.json.strategy).toBe('online'); // a pool of 100 is past the stored 20
      expect(wide.json.items[0].movieId).toBe(plain.json.items[0].movieId);
      expect(movieIds(wide.json.items)).not.toContain(movieId);
      before += intraListDiversity(ranking, movieIds(plain.json.items));
      after += intraListDiversity(ranking, movieIds(wide.json.items));
    }
    console.log(
      `[api-diversity] similar movies' mean ILD@10: ${(before / movies.length).toFixed(3)} at d=0, ${(after / movies.length).toFixed(3)} at d=0.7`,
    );
    expect(after).toBeGreaterThan(before);
  });

  it.each([
    ['/movies/1/similar?diversity=1.5', 'diversity'],
    ['/movies/1/similar?diversity=x', 'diversity'],
    ['/users/1/recommendations?diversity=2', 'diversity'],
    ['/users/1/recommendations?diversity=abc', 'diversity'],
    ['/users/1/recommendations?diversity=-0.1', 'diversity'],
    ['/users/1/recommendations?diversity=', 'diversity'],
    ['/users/1/recommendations?diversity=1e-1', 'diversity'],
  ])('400 for %s, naming %s', async (path, parameter) => {
    const reply = await call(path);
    expect(reply.status).toBe(400);
    expect(reply.json.error.problems.map((p: { parameter: string }) => p.parameter)).toEqual([
      parameter,
    ]);
    expect(reply.json.error.problems[0].message).toMatch(/from 0 to 1/);
  });

  it.each([[2], ['0.5'], [null], [-1]])('POST /recommendations diversity %j → 400', async (d) => {
    const reply = await call('/recommendations', { body: { favorites: HORROR, diversity: d } });
    expect(reply.status).toBe(400);
    expect(reply.json.error.problems.map((p: { parameter: string }) => p.parameter)).toEqual([
      'diversity',
    ]);
  });
});
