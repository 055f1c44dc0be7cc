import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import { ensureServingData, type ServingData } from '../../scripts/support/serving-fixture.ts';
import { apiClient, movieIds } from '../support/api-client.ts';
import { expectMlSmallPresent } from '../support/movielens-small.ts';

/**
 * `PUT`/`DELETE /users/{id}/dislikes/{movieId}` over HTTP against `recsys serve` and a real
 * Cassandra: a disliked movie never comes back in the person's lists, a withdrawn dislike lets it
 * return, the dislike reads back as the same `user_likes` row a `dislike` event writes, and bad
 * input is a 4xx with a JSON body.
 */
const KEY = 'dislikes-test-key-0123456789';

describe('dislikes on ml-latest-small', () => {
  let data: ServingData;
  let server: ServeProcess;
  const call = apiClient(() => server.url, KEY);
  // A user the model was trained on (not one the other serving tests write for).
  const user = 212;

  beforeAll(async () => {
    expectMlSmallPresent();
    data = await ensureServingData((line) => console.log(`[api-dislikes] ${line}`));
    server = await startRecsysServe({ keyspace: data.keyspace, apiKey: KEY });
  });
  afterAll(async () => {
    await server?.stop();
    if (data) {
      // Leave the shared keyspace as the other serving tests expect it.
      const { db } = data.stores;
      for (const table of ['user_likes', 'user_rating_changes']) {
        await db.execute(`DELETE FROM ${db.table(table)} WHERE user_id = ?`, [user]);
      }
      await data.close();
    }
  });

  it('a disliked movie leaves the list at once; withdrawing the dislike lets it back', async () => {
    const before = await call(`/users/${user}/recommendations?limit=20`);
    expect(before.status).toBe(200);
    const top = before.json.items[0].movieId as number;

    const put = await call(`/users/${user}/dislikes/${top}`, { method: 'PUT' });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    expect(put.json).toMatchObject({ userId: user, movieId: top, disliked: true });
    expect(put.json.eventId).toEqual(expect.any(String));
    // Idempotent: the same PUT again is the same row.
    expect((await call(`/users/${user}/dislikes/${top}`, { method: 'PUT' })).status).toBe(200);

    const ratings = await call(`/users/${user}/ratings?limit=1000`);
    const rows = (ratings.json.likes as { movieId: number; liked: boolean }[]).filter(
      (l) => l.movieId === top,
    );
    expect(rows).toEqual([expect.objectContaining({ movieId: top, liked: false })]);

    for (const path of [
      `/users/${user}/recommendations?limit=100`,
      `/users/${user}/recommendations?limit=50&excludeRated=false`,
      `/users/${user}/recommendations?limit=50&genre=${encodeURIComponent(before.json.items[0].genres[0])}`,
    ]) {
      const after = await call(path);
      expect(after.status).toBe(200);
      expect(after.json.strategy).toBe('fold-in');
      expect(movieIds(after.json.items)).not.toContain(top);
    }

    const del = await call(`/users/${user}/dislikes/${top}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(del.json).toMatchObject({ userId: user, movieId: top, disliked: false });
    const withdrawn = await call(`/users/${user}/ratings?limit=1000`);
    expect(movieIds(withdrawn.json.likes)).not.toContain(top);
    // Their list is folded in from the same ratings as the model's own vector: the movie that
    // topped it returns near the top.
    const back = await call(`/users/${user}/recommendations?limit=20`);
    expect(movieIds(back.json.items)).toContain(top);
    // Deleting again is still a 200: nothing to withdraw is not an error.
    expect((await call(`/users/${user}/dislikes/${top}`, { method: 'DELETE' })).status).toBe(200);
  });

  it.each([
    ['PUT', `/users/${212}/dislikes/2147483000`, 404, undefined],
    ['DELETE', `/users/${212}/dislikes/2147483000`, 404, undefined],
    ['PUT', '/users/abc/dislikes/1', 400, 'userId'],
    ['PUT', '/users/212/dislikes/0', 400, 'movieId'],
    ['DELETE', '/users/212/dislikes/1.5', 400, 'movieId'],
    ['PUT', '/users/212/dislikes/1?force=true', 400, 'force'],
  ])('%s %s → %i', async (method, path, status, parameter) => {
    const reply = await call(path, { method });
    expect(reply.status).toBe(status);
    expect(reply.json.error.status).toBe(status);
    if (parameter) expect(JSON.stringify(reply.json.error)).toContain(parameter);
  });
});
