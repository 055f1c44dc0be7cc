import { describe, afterAll, beforeAll, expect, it } from 'vitest';
import type { ApiRoute } from '../../lambdas/services/api/route.ts';
import { API_ROUTES, OPEN_PATHS } from '../../lambdas/services/api/routes/index.ts';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import { ensureServingData, type ServingData } from '../../scripts/support/serving-fixture.ts';
import { expectMlSmallPresent } from '../support/movielens-small.ts';

// Distinctive values, so finding either in the logs cannot be a coincidence.
const KEY = 'sec-test-key-7f3a9c1e5b2d4680aa';
const WRONG_KEY = 'wrong-key-0d9e8f7a6b5c4d3e2f1a';

/**
 * Write routes act on a user no other test reads: a served `DELETE /users/{userId}/ratings/...`
 * really deletes, and the serving keyspace is shared and kept between runs.
 */
const WRITE_USER = 2_000_000_002;

/** A concrete path for a route template: every path parameter becomes a known id. */
function concrete(route: ApiRoute): string {
  const user = route.method === 'GET' ? '1' : String(WRITE_USER);
  return route.path.replace(/\{userId\}/g, user).replace(/\{movieId\}/g, '1');
}

const DATA_ROUTES = API_ROUTES.filter((route) => !OPEN_PATHS.has(route.path));

async function call(
  base: string,
  route: ApiRoute,
  headers: Record<string, string>,
  suffix = '',
): Promise<{ status: number; json: { error?: { code?: string } } }> {
  const response = await fetch(base + concrete(route) + suffix, {
    method: route.method,
    headers: route.json ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(route.json ? { body: JSON.stringify({ ratings: [{ movieId: 1, rating: 4 }] }) } : {}),
  });
  return { status: response.status, json: (await response.json()) as never };
}

describe('API security against recsys serve (every route of the route table)', () => {
  let data: ServingData;
  let server: ServeProcess;
  let logs = '';

  beforeAll(async () => {
    expectMlSmallPresent();
    data = await ensureServingData((line) => console.log(`[api-security] ${line}`));
    // The most verbose level the logger has, so that anything logging a header would show it.
    server = await startRecsysServe({
      keyspace: data.keyspace,
      apiKey: KEY,
      env: { POWERTOOLS_LOG_LEVEL: 'DEBUG' },
    });
    server.process.stdout?.on('data', (chunk: Buffer) => void (logs += chunk.toString()));
    server.process.stderr?.on('data', (chunk: Buffer) => void (logs += chunk.toString()));
  });
  afterAll(async () => {
    await server?.stop();
    if (data) {
      // The served DELETE left a change marker for its user: leave the keyspace as found.
      const { db } = data.stores;
      await db.execute(`DELETE FROM ${db.table('user_rating_changes')} WHERE user_id = ?`, [
        WRITE_USER,
      ]);
      await data.close();
    }
  });

  it('the route table has data routes and only /health is open', () => {
    expect(DATA_ROUTES.length).toBeGreaterThanOrEqual(10);
    expect([...OPEN_PATHS]).toEqual(['/health']);
  });

  it.each(DATA_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: no key → 401, wrong key → 403, key in the query → 401, right key → served',
    async (_name, route) => {
      const missing = await call(server.url, route, {});
      expect(missing.status).toBe(401);
      expect(missing.json.error?.code).toBe('missing_api_key');

      const wrong = await call(server.url, route, { 'x-api-key': WRONG_KEY });
      expect(wrong.status).toBe(403);
      expect(wrong.json.error?.code).toBe('invalid_api_key');

      // Only the header counts: a key in the URL would end up in access logs and browser history.
      const inQuery = await call(server.url, route, {}, `?x-api-key=${KEY}&api_key=${KEY}`);
      expect(inQuery.status).toBe(401);

      const empty = await call(server.url, route, { 'x-api-key': '' });
      expect(empty.status).toBe(401);

      const served = await call(server.url, route, { 'X-API-KEY': KEY });
      expect(served.status, JSON.stringify(served.json)).toBeLessThan(500);
      expect([401, 403]).not.toContain(served.status);
    },
  );

  it('a trailing slash or changed case does not open a data route', async () => {
    for (const route of DATA_ROUTES) {
      const path = concrete(route);
      for (const variant of [`${path}/`, path.toUpperCase(), `${path}//`]) {
        const response = await fetch(server.url + variant, { method: route.method });
        expect(response.status, `${route.method} ${variant}`).toBe(401);
      }
    }
  });

  it('neither the API key nor a wrong key sent by a client appears in the logs', async () => {
    // Errors too: a 400 (bad parameter) and a 404 log more than a plain 200.
    await fetch(`${server.url}/users/1/recommendations?limit=oops`, {
      headers: { 'x-api-key': KEY },
    });
    await fetch(`${server.url}/nowhere`, { headers: { 'x-api-key': KEY } });
    await fetch(`${server.url}/stats`, { headers: { 'x-api-key': WRONG_KEY } });
    await server.stop();
    // The access log proves the output was captured: a test that read nothing could not fail.
    expect(logs).toMatch(/"message":"request"/);
    expect(logs).not.toContain(KEY);
    expect(logs).not.toContain(WRONG_KEY);
  });
});
