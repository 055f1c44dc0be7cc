import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../lambdas/services/api/middleware/body-limit.ts';
import { API_ROUTES } from '../../lambdas/services/api/routes/index.ts';
import { startRecsysServe, type ServeProcess } from '../support/recsys-serve.ts';
import { ensureServingData, type ServingData } from '../support/serving-fixture.ts';
import { describeWithMlSmall, expectMlSmallPresent } from '../unit/support/movielens-small.ts';

/**
 * API fuzzing: fast-check generates requests (route templates filled with hostile values, random
 * paths and traversal, every method, query strings with known and unknown names, JSON and non-JSON
 * bodies, huge values, unicode, odd headers) and sends them over HTTP to the real `recsys serve` on
 * a trained keyspace. Every answer must be 2xx or 4xx, errors as JSON, and the server must still
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
);

/** Percent-encodes what the HTTP client refuses in a request line, keeping "/", "." and "%". */
const pathSegment = fc
  .oneof(plausible, hostileText)
  .map((s) => encodeURIComponent(s).replace(/%2F/gi, '/').replace(/%25/g, '%'));

const templatedPath = fc
  .tuple(fc.constantFrom(...API_ROUTES.map((r) => r.path)), pathSegment, pathSegment)
  .map(([template, a, b]) => template.replace('{userId}', a).replace('{movieId}', b));

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
    'q',
    'offset',
    'page',
    'minRatings',
    'x-api-key',
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
      }),
      { maxLength: 600 },
    )
    .map((ratings) => JSON.stringify({ ratings })),
  fc.constant(JSON.stringify({ ratings: 'x'.repeat(70_000) })),
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

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.constantFrom(
    'GET',
    'GET',
    'GET',
    'POST',
    'POST',
    'PUT',
    'DELETE',
    'PATCH',
    'OPTIONS',
    'HEAD',
  ),
  path: fc.tuple(fc.oneof(templatedPath, templatedPath, randomPath), query).map(([p, q]) => p + q),
  headers,
  body,
});

// --- the test -----------------------------------------------------------------------------------

describeWithMlSmall('API fuzzing against recsys serve + real Cassandra', () => {
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
    await data?.close();
  });

  it(`${RUNS} generated requests: only 2xx/4xx, JSON errors, and the server stays up`, async () => {
    const histogram: Record<string, number> = {};
    const failures: string[] = [];
    let sent = 0;
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (req) => {
        const reply = await send(server.url, req);
        sent++;
        histogram[reply.status] = (histogram[reply.status] ?? 0) + 1;
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
    const summary = { seed: SEED, requests: sent, seconds, statuses: histogram, failures };
    console.log(`[api-fuzz] ${JSON.stringify(summary)}`);
    const dir = join('test-output', 'reliability');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'api-fuzz.json'), JSON.stringify(summary, null, 2) + '\n');
    expect(sent).toBeGreaterThanOrEqual(1000);
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
