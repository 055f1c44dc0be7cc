/**
 * What `explain=true` costs: p50 / p90 of the API handler in process (no HTTP; the real Cassandra
 * and S3 behind it, the serving fixture's bundle fitted on ml-latest-small) for
 *   - GET /users/{id}/recommendations (stored lists of users 1…610): explain adds one read of the
 *     user's ratings and the fold-in split of the 10 items;
 *   - POST /recommendations with 8 ratings (profiles drawn from the 100 most rated movies):
 *     explain adds the split of the 10 items only.
 * Plain and explained requests alternate, so the machine's load falls on both alike. List
 * recording is off (RECSYS_SERVED_LIST_SAMPLE=0) for both. Then the pure parts alone, on the same
 * bundle: `recommendForProfile` (fold-in and list) against `explainScores` of its 10 items, for
 * profiles of 8 and of 200 ratings. Writes bench/results/explain.json.
 *
 *   npx tsx scripts/bench/explain.ts [--requests 300]
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { denseItemIndices } from '../../lambdas/core/als/index.ts';
import { explainScores } from '../../lambdas/core/serving/explain.ts';
import { recommendForProfile } from '../../lambdas/core/serving/recommender.ts';
import { servingRecommender } from '../../lambdas/core/serving/serving-bundle.ts';
import { createApiHandler } from '../../lambdas/services/api/app.ts';
import { getModelRecord, loadModelBundle } from '../../lambdas/services/models/registry.ts';
import { ensureCassandra } from '../runtime/cassandra/local-cassandra.ts';
import { ensureS3 } from '../runtime/s3/local-s3.ts';
import { localLambdaContext } from '../runtime/serve/api-event.ts';
import { ensureServingData } from '../support/serving-fixture.ts';
import { arg } from './args.ts';
import { commandLine, loadAverage, resultsDir, runStamp } from './machine.ts';

const KEY = 'bench-explain-key';
const requests = Number(arg('requests') ?? 300);
const log = (line: string) => void process.stderr.write(`explain: ${line}\n`);

const [cassandra, s3] = await Promise.all([ensureCassandra({ log }), ensureS3({ log })]);
process.env.CASSANDRA_CONTACT_POINTS = cassandra.contactPoint;
process.env.S3_ENDPOINT = s3.endpoint;
const data = await ensureServingData(log);
const handler = createApiHandler({
  env: {
    ...process.env,
    RECSYS_KEYSPACE: data.keyspace,
    RECSYS_API_KEY: KEY,
    RECSYS_SERVED_LIST_SAMPLE: '0',
  },
});

function event(method: string, path: string, query: Record<string, string>, body?: unknown) {
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: path,
    path,
    httpMethod: method,
    headers: { 'x-api-key': KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
    multiValueHeaders: {},
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      httpMethod: method,
      path,
      requestId: randomUUID(),
      identity: { sourceIp: '127.0.0.1', userAgent: 'bench' },
    },
  } as unknown as APIGatewayProxyEvent;
}

async function call(
  e: APIGatewayProxyEvent,
): Promise<{ ms: number; cpuMs: number; body: Record<string, unknown> }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const reply = await handler(e, localLambdaContext(e.requestContext.requestId));
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  if (reply.statusCode !== 200) throw new Error(`${e.path}: ${reply.statusCode} ${reply.body}`);
  return { ms, cpuMs, body: JSON.parse(reply.body) as Record<string, unknown> };
}

const popular = (await call(event('GET', '/movies/popular', { limit: '100' }))).body.items as {
  movieId: number;
}[];
const profile = (r: number) =>
  Array.from({ length: 8 }, (_, k) => ({
    movieId: popular[(r * 13 + k * 7) % popular.length]!.movieId,
    rating: 3 + ((r + k) % 5) / 2,
  }));

const scenarios = {
  'GET /users/{id}/recommendations (stored)': (r: number, explain: boolean) =>
    event('GET', `/users/${(r % 610) + 1}/recommendations`, explain ? { explain: 'true' } : {}),
  'POST /recommendations (8 ratings)': (r: number, explain: boolean) =>
    event('POST', '/recommendations', {}, { ratings: profile(r), ...(explain ? { explain } : {}) }),
};

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 100) /
    100
  );
};
const loadBefore = loadAverage();
const started = performance.now();
const results: Record<string, unknown> = {};
for (const [name, make] of Object.entries(scenarios)) {
  for (let r = 0; r < 40; r++) await call(make(r, r % 2 === 0)); // warm-up, both paths
  const plain: number[] = [];
  const explained: number[] = [];
  const plainCpu: number[] = [];
  const explainedCpu: number[] = [];
  for (let r = 0; r < requests; r++) {
    const a = await call(make(r, false));
    const b = await call(make(r, true));
    plain.push(a.ms);
    plainCpu.push(a.cpuMs);
    explained.push(b.ms);
    explainedCpu.push(b.cpuMs);
  }
  results[name] = {
    plainMs: { p50: pct(plain, 50), p90: pct(plain, 90) },
    explainMs: { p50: pct(explained, 50), p90: pct(explained, 90) },
    plainCpuMs: { p50: pct(plainCpu, 50) },
    explainCpuMs: { p50: pct(explainedCpu, 50) },
  };
  log(`${name}: ${JSON.stringify(results[name])}`);
}

// The pure work alone: the list, and its explanation, per profile size.
const record = (await getModelRecord(data.stores.db, data.modelId))!;
const bundle = await loadModelBundle(data.stores.s3, record.artifactsPrefix);
const { recommender } = servingRecommender(bundle, () => 100);
const movies = Array.from(recommender.ranking.itemIds.ids);
const core: Record<string, unknown> = {};
for (const size of [8, 200]) {
  const list: number[] = [];
  const explainOnly: number[] = [];
  for (let r = 0; r < requests + 40; r++) {
    const ratings = Array.from({ length: size }, (_, k) => ({
      movieId: movies[(r * 7919 + k * 104729) % movies.length]!,
      rating: 1 + ((r + k) % 9) / 2,
    }));
    const exclude = new Set(
      denseItemIndices(
        recommender.ranking,
        ratings.map((x) => x.movieId),
      ),
    );
    let t = performance.now();
    const items = recommendForProfile(recommender, { ratings }, { n: 10, exclude }).items;
    const listMs = performance.now() - t;
    t = performance.now();
    explainScores(
      recommender,
      { ratings },
      items.map((m) => m.movieId),
    );
    const explainMs = performance.now() - t;
    if (r >= 40) {
      list.push(listMs);
      explainOnly.push(explainMs);
    }
  }
  core[`${size} ratings`] = {
    recommendForProfileMs: { p50: pct(list, 50), p90: pct(list, 90) },
    explainScoresMs: { p50: pct(explainOnly, 50), p90: pct(explainOnly, 90) },
  };
  log(`core, ${size} ratings: ${JSON.stringify(core[`${size} ratings`])}`);
}
results.core = {
  model: `rank ${recommender.ranking.rank}, ${movies.length} movies, EASE ${recommender.neighbours?.movieIds.length ?? 0} movies, blend ${recommender.blend}`,
  ...core,
};
const seconds = (performance.now() - started) / 1000;
const out = join(resultsDir(), 'explain.json');
writeFileSync(
  out,
  JSON.stringify(
    {
      run: runStamp(
        commandLine('npx tsx scripts/bench/explain.ts'),
        loadBefore,
        seconds,
        loadAverage(),
      ),
      note: 'API handler in process (no HTTP), real Cassandra and S3, the serving fixture bundle on ml-latest-small; limit 10; list recording off',
      requests,
      results,
    },
    null,
    2,
  ) + '\n',
);
log(`wrote ${out}`);
await data.close();
process.exit(0);
