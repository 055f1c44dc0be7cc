import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CassandraStore } from '../../lambdas/adapters/cassandra.ts';
import { MAX_BODY_BYTES } from '../../lambdas/services/api/middleware/body-limit.ts';
import { API_ROUTES } from '../../lambdas/services/api/routes/index.ts';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import { ensureServingData, type ServingData } from '../../scripts/support/serving-fixture.ts';
import { expectMlSmallPresent } from '../support/movielens-small.ts';

/**
 * API fuzzing: fast-check generates requests (route templates filled with hostile values, random
 * paths and traversal, every method, query strings with known and unknown names, JSON and non-JSON
 * bodies — fold-in profiles, rating bodies, event batches and movies among them — huge values, unicode, odd
 * headers) and sends them over HTTP to the real `recsys serve` on a trained keyspace. Every answer must be 2xx or 4xx, errors as JSON, and the server must still
 * answer /health afterwards. Seeded: RECSYS_FUZZ_SEED / RECSYS_FUZZ_RUNS override.
 */
const KEY = 'fuzz-test-key-0123456789';
const SEED = Number(process.env.RECSYS_FUZZ_SEED ?? 9);
const RUNS = Number(process.env.RECSYS_FUZZ_RUNS ?? 1200);

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

interface Reply {
  status: number;
  type: string;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** node:http rather than fetch: fetch normalises "..", rejects some methods and fixes up paths. */
function send(base: string, req: FuzzRequest): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: {
          ...req.headers,
          ...(req.body ? { 'content-length': String(req.body.length) } : {}),
        },
        agent,
        timeout: 30_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            type: String(response.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`timeout: ${req.method} ${req.path}`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

// --- generators -------------------------------------------------------------------------------

const hostileText = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom(
    '..',
    '../../etc/passwd',
    '%2e%2e%2f',
    '%00',
    '\u0000',
    '😀',
    'ﬁ',
    'Ω',
    '<script>',
    "' OR 1=1 --",
    '${jndi:x}',
    'NaN',
    'Infinity',
    '-0',
    '1e309',
    '0x1F',
    '  7 ',
    '[]',
    '{}',
    'null',
  ),
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.double().map(String),
  fc.nat({ max: 4096 }).map((n) => '9'.repeat(n)),
);

/** Values a client could mean, so that requests also reach the routes' deeper code. */
const plausible = fc.oneof(
  fc.integer({ min: 1, max: 700 }).map(String),
  fc.constantFrom('Comedy', 'Drama', 'Horror', 'true', 'false', '10', '50', 'toy', 'star wars'),
  fc.constantFrom('0', '0.3', '.7', '1', '1.5', '-0.2', '1e-1'),
);

/** Percent-encodes what the HTTP client refuses in a request line, keeping "/", "." and "%". */
const pathSegment = fc
  .oneof(plausible, hostileText)
  .map((s) => encodeURIComponent(s).replace(/%2F/gi, '/').replace(/%25/g, '%'));

const templatedPath = fc
  .tuple(fc.constantFrom(...API_ROUTES.map((r) => r.path)), pathSegment, pathSegment)
  .map(([template, a, b]) => template.replace('{userId}', a).replace('{movieId}', b));

/**
 * Write requests (PUT, DELETE, POST) may succeed and store ratings, so their user ids come from a
 * range of ids of their own (or are hostile text, which no route accepts): the fuzzer never
 * changes a user the other serving tests read, and afterAll removes what it wrote.
 */
const FUZZ_USER_BASE = 2_147_000_000;
const FUZZ_USERS = 1000;
const fuzzUser = fc.integer({ min: FUZZ_USER_BASE, max: FUZZ_USER_BASE + FUZZ_USERS - 1 });
const writeUserSegment = fc.oneof(
  { weight: 3, arbitrary: fuzzUser.map(String) },
  {
    weight: 1,
    arbitrary: hostileText
      // No digit at all: not even a percent-escape could spell a small id.
      .filter((s) => !/\d/.test(s))
      .map((s) => encodeURIComponent(s).replace(/%2F/gi, '/').replace(/%25/g, '%')),
  },
);
/**
 * `PUT /movies/{movieId}` may succeed and add or change a movie, so its ids come from a range of
 * their own too (or hostile text without a digit): no movie the other tests read is ever touched,
 * and afterAll deletes the range.
 */
const FUZZ_MOVIE_BASE = 2_146_000_000;
const FUZZ_MOVIES = 200;
const writeMovieSegment = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .integer({ min: FUZZ_MOVIE_BASE, max: FUZZ_MOVIE_BASE + FUZZ_MOVIES - 1 })
      .map(String),
  },
  {
    weight: 1,
    arbitrary: hostileText
      .filter((s) => !/\d/.test(s))
      .map((s) => encodeURIComponent(s).replace(/%2F/gi, '/').replace(/%25/g, '%')),
  },
);
const writePath = fc
  .tuple(
    fc.oneof(
      // Mostly the routes that take a body, so generated bodies reach their validation.
      fc.constantFrom(
        ...API_ROUTES.filter((r) => r.method !== 'GET' && r.method !== 'DELETE').map((r) => r.path),
      ),
      fc.constantFrom(...API_ROUTES.map((r) => r.path)),
    ),
    writeUserSegment,
    pathSegment,
    writeMovieSegment,
  )
  .map(([template, a, b, movie]) =>
    template.startsWith('/movies/')
      ? template.replace('{movieId}', movie)
      : template.replace('{userId}', a).replace('{movieId}', b),
  );

const randomPath = fc
  .array(fc.oneof(pathSegment, fc.constantFrom('users', 'movies', 'models', '..', '.', '')), {
    maxLength: 6,
  })
  .map((segments) => '/' + segments.join('/'));

const queryName = fc.oneof(
  fc.constantFrom(
    'limit',
    'genre',
    'excludeRated',
    'explain',
    'q',
    'offset',
    'page',
    'minRatings',
    'x-api-key',
    'exclude',
    'days',
    'by',
    'name',
    'diversity',
  ),
  fc.string({ maxLength: 10 }),
);
const query = fc
  .array(fc.tuple(queryName, fc.oneof(plausible, hostileText)), { maxLength: 6 })
  .map((pairs) =>
    pairs.length === 0
      ? ''
      : '?' + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
  );

const jsonBody = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc
    .array(
      fc.record({
        movieId: fc.oneof(
          fc.integer({ min: 1, max: 200_000 }),
          fc.integer(),
          fc.string(),
          fc.double(),
          fc.constant(null),
        ),
        rating: fc.oneof(fc.double(), fc.integer({ min: -10, max: 10 }), fc.string()),
        // Per-rating times (the fold-in's recency weights): epoch ms, ISO text, junk, absent.
        timestamp: fc.oneof(
          fc.constant(undefined),
          fc.integer({ min: 0, max: 4_102_444_800_000 }),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.double(),
          fc.string(),
          fc.constant(null),
        ),
      }),
      { maxLength: 600 },
    )
    .map((ratings) => JSON.stringify({ ratings })),
  fc.constant(JSON.stringify({ ratings: 'x'.repeat(70_000) })),
  // PUT /users/{userId}/ratings/{movieId}
  fc
    .record(
      {
        rating: fc.oneof(
          fc.integer({ min: 1, max: 10 }).map((n) => n / 2),
          fc.double(),
          fc.string(),
          fc.constant(null),
        ),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    .map((b) => JSON.stringify(b)),
  // POST /events, and list filters in a fold-in body
  fc
    .array(
      fc.record(
        {
          // A fuzz user, or an id no route accepts: never a user the other tests read.
          userId: fc.oneof(
            fuzzUser,
            fc.integer({ max: 0 }),
            fc.constantFrom(2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER),
            fc.string(),
            fc.double().filter((d) => !Number.isInteger(d)),
          ),
          movieId: fc.oneof(fc.integer({ min: 1, max: 700 }), fc.integer(), fc.string()),
          type: fc.oneof(
            fc.constantFrom('rating', 'like', 'dislike', 'view', 'click', 'impression'),
            fc.string(),
          ),
          value: fc.oneof(
            fc.integer({ min: 0, max: 11 }).map((n) => n / 2),
            fc.double(),
            fc.string(),
          ),
          timestamp: fc.oneof(
            fc.integer({ min: -60_000_000, max: 60_000_000 }).map((d) => Date.now() + d),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            fc.string(),
            fc.double(),
          ),
          recommendationId: fc.oneof(
            fc.stringMatching(/^r[0-9a-z]{8}-[0-9a-f]{16}$/),
            fc.string({ maxLength: 80 }),
          ),
          eventId: fc.oneof(fc.uuid(), fc.string({ maxLength: 80 })),
        },
        { requiredKeys: ['userId', 'movieId', 'type'] },
      ),
      { maxLength: 110 },
    )
    .map((events) => JSON.stringify({ events })),
  // POST /experiments and POST /experiments/stop: no candidate is a model of the fuzzed keyspace
  // (a fuzzed request may never start an experiment the other serving tests would see), so these
  // reach every check up to the registry's 404 / "no experiment is running".
  fc
    .record(
      {
        candidate: fc.oneof(
          fc.constantFrom('no-such-model', 'fuzz-model-1'),
          fc.string(),
          fc.jsonValue(),
        ),
        share: fc.oneof(fc.double(), fc.constantFrom(0, 0.5, 1), fc.string()),
        name: fc.oneof(fc.constantFrom('fuzz-exp', 'Bad Name'), hostileText, fc.jsonValue()),
        promote: fc.oneof(fc.boolean(), fc.jsonValue()),
      },
      { requiredKeys: [] },
    )
    .map((b) => JSON.stringify(b)),
  // PUT /movies/{movieId}: mostly valid (so some are stored), and anything at all
  fc
    .record({
      title: fc.oneof(
        fc.constantFrom('Fuzz Film (2031)', 'Ω ﬁlm', '😀'),
        fc.string({ minLength: 1 }),
      ),
      genres: fc.uniqueArray(fc.constantFrom('Comedy', 'drama', 'Horror', 'Sci-Fi', 'IMAX'), {
        maxLength: 3,
      }),
      year: fc.integer({ min: 1900, max: 2030 }),
      tags: fc.array(fc.constantFrom('heist', 'Twist Ending', 'ghosts'), { maxLength: 3 }),
    })
    .map((b) => JSON.stringify(b)),
  fc
    .record(
      {
        title: fc.oneof(fc.string({ maxLength: 40 }), hostileText, fc.jsonValue()),
        genres: fc.oneof(
          fc.array(fc.constantFrom('Comedy', 'drama', 'Horror', 'Sci-Fi', 'IMAX', 'Nope'), {
            maxLength: 12,
          }),
          fc.array(fc.jsonValue(), { maxLength: 3 }),
          fc.jsonValue(),
        ),
        year: fc.oneof(
          fc.integer({ min: 1850, max: 2050 }),
          fc.double(),
          fc.string(),
          fc.constant(null),
        ),
        tags: fc.oneof(
          fc.array(fc.oneof(fc.string({ maxLength: 70 }), hostileText), { maxLength: 22 }),
          fc.jsonValue(),
        ),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    .map((b) => JSON.stringify(b)),
  fc
    .record({
      favorites: fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 10 }),
      dislikes: fc.oneof(
        fc.array(fc.integer({ min: -5, max: 700 }), { maxLength: 10 }),
        fc.jsonValue(),
      ),
      genre: fc.oneof(
        fc.constantFrom('Comedy,Drama', 'Horror'),
        fc.array(fc.string()),
        fc.jsonValue(),
      ),
      exclude: fc.oneof(
        fc.array(fc.integer({ min: -5, max: 700 }), { maxLength: 20 }),
        fc.jsonValue(),
      ),
      explain: fc.oneof(fc.boolean(), fc.jsonValue()),
      diversity: fc.oneof(
        fc.constantFrom(0, 0.3, 1, 1.5, -0.1, '0.5'),
        fc.double(),
        fc.jsonValue(),
      ),
    })
    .map((b) => JSON.stringify(b)),
);
const body = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: jsonBody.map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.nat({ max: 2 * MAX_BODY_BYTES }).map((n) => Buffer.alloc(n, 0x7b)) },
);

// Header values: visible ASCII and Latin-1, which HTTP allows; CR, LF and NUL are refused by the
// client before sending (header injection cannot reach the server that way).
const headerValue = fc
  .array(
    fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f),
    { maxLength: 300 },
  )
  .map((codes) => String.fromCharCode(...codes).trim());
const headers = fc
  .record(
    {
      key: fc.oneof(
        { weight: 6, arbitrary: fc.constant(KEY) },
        { weight: 1, arbitrary: headerValue },
      ),
      contentType: fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=latin1',
        '',
      ),
      origin: fc.constantFrom('https://console.example', 'null', 'http://evil.example'),
      extra: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), headerValue, {
        maxKeys: 4,
      }),
    },
    { requiredKeys: ['key'] },
  )
  .map((h) => {
    const out: Record<string, string> = { ...h.extra };
    if (h.key) out['x-api-key'] = h.key;
    if (h.contentType) out['content-type'] = h.contentType;
    if (h.origin) out.origin = h.origin;
    return out;
  });

const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE']);
const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .constantFrom(
    'GET',
    'GET',
    'GET',
    'POST',
    'POST',
    'PUT',
    'PUT',
    'DELETE',
    'PATCH',
    'OPTIONS',
    'HEAD',
  )
  .chain((method) =>
    fc.record({
      method: fc.constant(method),
      path: fc
        .tuple(
          WRITE_METHODS.has(method)
            ? fc.oneof(writePath, writePath, randomPath)
            : fc.oneof(templatedPath, templatedPath, randomPath),
          query,
        )
        .map(([p, q]) => p + q),
      headers,
      body,
    }),
  );

/**
 * Deletes every rating, rating change, like and change marker of the fuzz users and every fuzz
 * movie (the events and served lists may stay).
 */
async function removeFuzzWrites(db: CassandraStore): Promise<number> {
  let removed = 0;
  const users = Array.from({ length: FUZZ_USERS }, (_, i) => FUZZ_USER_BASE + i);
  for (let start = 0; start < users.length; start += 50) {
    await Promise.all(
      users.slice(start, start + 50).map(async (userId) => {
        const rows = await db.execute(
          `SELECT movie_id FROM ${db.table('ratings_by_user')} WHERE user_id = ?`,
          [userId],
          { consistency: 'quorum' },
        );
        removed += rows.rows.length;
        await db.execute(`DELETE FROM ${db.table('ratings_by_user')} WHERE user_id = ?`, [userId]);
        await db.execute(`DELETE FROM ${db.table('user_likes')} WHERE user_id = ?`, [userId]);
        await db.execute(`DELETE FROM ${db.table('user_rating_changes')} WHERE user_id = ?`, [
          userId,
        ]);
      }),
    );
  }
  // The API's rating changes by movie, deletes included (whose movies ratings_by_user no longer
  // names): the table holds only API writes, so a scan of it is small. Left behind, a fuzz user's
  // rating would count among a movie's raters in the tests that share this keyspace.
  const fuzzUser = (userId: number) =>
    userId >= FUZZ_USER_BASE && userId < FUZZ_USER_BASE + FUZZ_USERS;
  for await (const row of db.rows(
    `SELECT movie_id, user_id FROM ${db.table('rating_changes_by_movie')}`,
  )) {
    const userId = row.get('user_id') as number;
    if (!fuzzUser(userId)) continue;
    await db.execute(
      `DELETE FROM ${db.table('rating_changes_by_movie')} WHERE movie_id = ? AND user_id = ?`,
      [row.get('movie_id') as number, userId],
    );
  }
  for (let movieId = FUZZ_MOVIE_BASE; movieId < FUZZ_MOVIE_BASE + FUZZ_MOVIES; movieId++) {
    await db.execute(`DELETE FROM ${db.table('movies')} WHERE movie_id = ?`, [movieId]);
  }
  return removed;
}

// --- the test -----------------------------------------------------------------------------------

describe('API fuzzing against recsys serve + real Cassandra', () => {
  let data: ServingData;
  let server: ServeProcess;

  beforeAll(async () => {
    expectMlSmallPresent();
    data = await ensureServingData((line) => console.log(`[api-fuzz] ${line}`));
    server = await startRecsysServe({ keyspace: data.keyspace, apiKey: KEY });
  });
  afterAll(async () => {
    agent.destroy();
    await server?.stop();
    if (data) {
      const removed = await removeFuzzWrites(data.stores.db);
      console.log(`[api-fuzz] removed ${removed} ratings written by fuzz users`);
    }
    await data?.close();
  });

  it(`${RUNS} generated requests: only 2xx/4xx, JSON errors, and the server stays up`, async () => {
    const histogram: Record<string, number> = {};
    // How often the write routes were reached, and with what answer (the fuzzer should get deep).
    const writeRoutes: Record<string, number> = {};
    const failures: string[] = [];
    let sent = 0;
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (req) => {
        const reply = await send(server.url, req);
        sent++;
        histogram[reply.status] = (histogram[reply.status] ?? 0) + 1;
        const route = /^\/events(\?|$)/.test(req.path)
          ? '/events'
          : /^\/users\/[^/]+\/ratings\/[^/?]+/.test(req.path)
            ? '/users/*/ratings/*'
            : /^\/users\/[^/]+\/dislikes\/[^/?]+/.test(req.path)
              ? '/users/*/dislikes/*'
              : /^\/movies\/[^/?]+(\?|$)/.test(req.path)
                ? '/movies/*'
                : undefined;
        if (route && WRITE_METHODS.has(req.method)) {
          const key = `${req.method} ${route} ${reply.status}`;
          writeRoutes[key] = (writeRoutes[key] ?? 0) + 1;
        }
        const ok =
          (reply.status >= 200 && reply.status < 300) ||
          (reply.status >= 400 && reply.status < 500);
        if (!ok)
          failures.push(`${reply.status} ${req.method} ${req.path} ${reply.body.slice(0, 300)}`);
        expect(ok, `${req.method} ${req.path} → ${reply.status} ${reply.body.slice(0, 300)}`).toBe(
          true,
        );
        // Errors from the API are JSON naming their status (HEAD has no body; 431 comes from Node's
        // HTTP parser before any of our code runs).
        if (reply.status >= 400 && req.method !== 'HEAD' && reply.status !== 431) {
          expect(reply.type).toMatch(/application\/json/);
          expect((JSON.parse(reply.body) as { error: { status: number } }).error.status).toBe(
            reply.status,
          );
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    const seconds = (performance.now() - started) / 1000;
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(server.process.exitCode).toBeNull();
    const summary = {
      seed: SEED,
      requests: sent,
      seconds,
      statuses: histogram,
      writeRoutes,
      failures,
    };
    console.log(`[api-fuzz] ${JSON.stringify(summary)}`);
    const dir = join('test-output', 'reliability');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'api-fuzz.json'), JSON.stringify(summary, null, 2) + '\n');
    expect(sent).toBeGreaterThanOrEqual(1000);
  });

  it('generated writes: every acknowledged rating reads back, nothing else does', async () => {
    // Start from nothing for the fuzz users (the property above may have rated as some of them).
    await removeFuzzWrites(data.stores.db);
    const users = Array.from({ length: 12 }, (_, i) => FUZZ_USER_BASE + 900 + i);
    const movies = [1, 2, 296, 318, 356, 593, 2571]; // all in ml-latest-small
    const rating = fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 1, max: 10 }).map((n) => n / 2) },
      { weight: 1, arbitrary: fc.constantFrom(0, 5.5, 3.3, -1) },
    );
    const action = fc.oneof(
      fc.record({
        kind: fc.constant('put' as const),
        userId: fc.constantFrom(...users),
        movieId: fc.constantFrom(...movies),
        rating,
      }),
      fc.record({
        kind: fc.constant('delete' as const),
        userId: fc.constantFrom(...users),
        movieId: fc.constantFrom(...movies),
      }),
      fc.record({
        kind: fc.constant('events' as const),
        events: fc.array(
          fc.record({
            userId: fc.constantFrom(...users),
            movieId: fc.constantFrom(...movies),
            type: fc.constantFrom('rating', 'rating', 'like', 'click', 'view', 'impression'),
            value: rating,
          }),
          { minLength: 1, maxLength: 6 },
        ),
      }),
    );
    const expected = new Map<number, Map<number, number>>(users.map((u) => [u, new Map()]));
    const statuses: Record<string, number> = {};
    const json = { 'x-api-key': KEY, 'content-type': 'application/json' };
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 150, maxLength: 150 }), async (actions) => {
        for (const a of actions) {
          const path = a.kind === 'events' ? '/events' : `/users/${a.userId}/ratings/${a.movieId}`;
          const reply = await send(server.url, {
            method: a.kind === 'put' ? 'PUT' : a.kind === 'delete' ? 'DELETE' : 'POST',
            path,
            headers: a.kind === 'delete' ? { 'x-api-key': KEY } : json,
            body:
              a.kind === 'put'
                ? Buffer.from(JSON.stringify({ rating: a.rating }))
                : a.kind === 'events'
                  ? Buffer.from(JSON.stringify({ events: a.events }))
                  : undefined,
          });
          statuses[`${a.kind} ${reply.status}`] = (statuses[`${a.kind} ${reply.status}`] ?? 0) + 1;
          expect([200, 400], reply.body.slice(0, 300)).toContain(reply.status);
          if (reply.status !== 200) continue;
          if (a.kind === 'put') expected.get(a.userId)!.set(a.movieId, a.rating);
          if (a.kind === 'delete') expected.get(a.userId)!.delete(a.movieId);
          if (a.kind === 'events') {
            for (const e of a.events) {
              if (e.type === 'rating') expected.get(e.userId)!.set(e.movieId, e.value);
            }
          }
        }
      }),
      { seed: SEED, numRuns: 1, endOnFailure: true },
    );
    console.log(`[api-fuzz] writes: ${JSON.stringify(statuses)}`);
    expect(statuses['put 200'] ?? 0).toBeGreaterThan(10);
    expect(statuses['events 200'] ?? 0).toBeGreaterThan(10);
    for (const userId of users) {
      const reply = await fetch(`${server.url}/users/${userId}/ratings?limit=1000`, {
        headers: { 'x-api-key': KEY },
      });
      const body = (await reply.json()) as { items?: { movieId: number; rating: number }[] };
      const stored = new Map((body.items ?? []).map((m) => [m.movieId, m.rating]));
      expect(stored, `user ${userId}`).toEqual(expected.get(userId));
    }
  });

  it('generated movies: every acknowledged PUT /movies reads back as sent, a refused one never', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => FUZZ_MOVIE_BASE + 100 + i);
    const good = fc.record({
      title: fc.string({ minLength: 1, maxLength: 60 }).filter((t) => /\S/.test(t)),
      genres: fc.uniqueArray(fc.constantFrom('Comedy', 'Drama', 'Horror', 'Sci-Fi', 'IMAX'), {
        maxLength: 3,
      }),
      year: fc.oneof(fc.integer({ min: 1870, max: 2030 }), fc.constant(null)),
      tags: fc.array(fc.constantFrom('heist', 'twist ending', 'ghosts', 'noir'), { maxLength: 4 }),
    });
    const bad = fc.oneof(
      good.map((b) => ({ ...b, year: 1800 })),
      good.map((b) => ({ ...b, genres: ['Nope'] })),
      good.map((b) => ({ ...b, title: '' })),
      good.map((b) => ({ ...b, tags: [''] })),
    );
    const action = fc.record({
      movieId: fc.constantFrom(...ids),
      body: fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: bad }),
    });
    const expected = new Map<number, { title: string; genres: string[]; year: number | null }>();
    const statuses: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 40, maxLength: 40 }), async (actions) => {
        for (const a of actions) {
          const reply = await send(server.url, {
            method: 'PUT',
            path: `/movies/${a.movieId}`,
            headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
            body: Buffer.from(JSON.stringify(a.body)),
          });
          statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
          expect([200, 201, 400], reply.body.slice(0, 300)).toContain(reply.status);
          const stored = expected.get(a.movieId);
          if (reply.status === 400) continue;
          expect(reply.status).toBe(stored ? 200 : 201);
          expected.set(a.movieId, {
            title: a.body.title.trim(),
            genres: [...new Set(a.body.genres)].sort(),
            year: a.body.year,
          });
        }
      }),
      { seed: SEED, numRuns: 1, endOnFailure: true },
    );
    console.log(`[api-fuzz] movies: ${JSON.stringify(statuses)}`);
    expect((statuses[200] ?? 0) + (statuses[201] ?? 0)).toBeGreaterThan(10);
    // Read back from the table, not the writing container's memory: a fresh process.
    const reader = await startRecsysServe({ keyspace: data.keyspace, apiKey: KEY });
    try {
      for (const movieId of ids) {
        const reply = await fetch(`${reader.url}/movies/${movieId}`, {
          headers: { 'x-api-key': KEY },
        });
        const want = expected.get(movieId);
        if (!want) {
          expect(reply.status).toBe(404);
          continue;
        }
        const got = (await reply.json()) as { title: string; genres: string[]; year: number };
        expect({ ...got, genres: [...got.genres].sort() }).toMatchObject(want);
      }
    } finally {
      await reader.stop();
    }
  });

  describe('request size limits', () => {
    const post = (length: number) =>
      send(server.url, {
        method: 'POST',
        path: '/recommendations',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: Buffer.from(
          JSON.stringify({ ratings: [], pad: 'x'.repeat(Math.max(0, length - 25)) }),
        ),
      });

    it(`a body over ${MAX_BODY_BYTES} bytes gets 413 with a JSON error`, async () => {
      const reply = await post(MAX_BODY_BYTES + 1024);
      expect(reply.status).toBe(413);
      expect(reply.type).toMatch(/application\/json/);
      expect(JSON.parse(reply.body)).toMatchObject({
        error: { status: 413, code: 'payload_too_large' },
      });
    });

    it('a body under the limit is not refused for its size', async () => {
      const reply = await post(MAX_BODY_BYTES - 1024);
      expect(reply.status).not.toBe(413);
      expect(reply.status).toBeLessThan(500);
    });

    it('headers past the server limit get 431 and the server keeps serving', async () => {
      const reply = await send(server.url, {
        method: 'GET',
        path: '/health',
        headers: { 'x-padding': 'a'.repeat(64 * 1024) },
        body: undefined,
      }).catch((error: unknown) => ({ status: -1, type: '', body: String(error) }));
      // Node answers 431 and closes the connection; either way it must not be a 5xx.
      expect(reply.status === 431 || reply.status === -1).toBe(true);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    });
  });
});
