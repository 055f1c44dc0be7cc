/**
 * `npm run bench:api`: latency and throughput of the API through `recsys serve` (a separate
 * process) against the real local Cassandra with ml-latest-small and a published model, plus the
 * size and cold start of the esbuild-bundled Lambda handler. Writes bench/results/api.json.
 * Options (env): BENCH_API_SECONDS (default 10 per scenario), BENCH_API_CONNECTIONS (default 10).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ensureCassandra } from '../runtime/cassandra/local-cassandra.ts';
import { ensureS3 } from '../runtime/s3/local-s3.ts';
import { REPO_ROOT } from '../../web/build/build-web.ts';
import { startRecsysServe } from '../support/recsys-serve.ts';
import { ensureServingData } from '../support/serving-fixture.ts';
import { measureApiBundle } from './api-bundle.ts';
import {
  foldInScenario,
  measureScenarios,
  type LoadResult,
  type LoadScenario,
} from './api-load.ts';
import { resultsDir } from './machine.ts';

const KEY = 'bench-api-key';
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_API_CONNECTIONS ?? 10);
const log = (line: string) => void process.stderr.write(line + '\n');
// Other work on a shared machine skews every figure; record how busy it was.
const loadAtStart = loadavg()[0]!;

const [cassandra, s3] = await Promise.all([ensureCassandra({ log }), ensureS3({ log })]);
process.env.CASSANDRA_CONTACT_POINTS = cassandra.contactPoint;
process.env.S3_ENDPOINT = s3.endpoint;
const data = await ensureServingData(log);
const server = await startRecsysServe({ keyspace: data.keyspace, apiKey: KEY });

// A spread of users and of five-movie profiles, so caches and branch predictors see variety.
const popular = (await (
  await fetch(`${server.url}/movies/popular?limit=100`, { headers: { 'x-api-key': KEY } })
).json()) as {
  items: { movieId: number }[];
};
const movieIds = popular.items.map((m) => m.movieId);
let counter = 0;
const nextUser = () => (counter++ % 610) + 1;
const nextProfile = () => {
  const k = counter++;
  return JSON.stringify({
    favorites: [0, 1, 2, 3, 4].map((j) => movieIds[(k * 7 + j * 13) % movieIds.length]),
  });
};

const scenarios: LoadScenario[] = [
  {
    name: 'GET /users/{id}/recommendations (stored top-N)',
    request: {
      method: 'GET',
      setupRequest: (r) => ({ ...r, path: `/users/${nextUser()}/recommendations` }),
    },
  },
  {
    name: 'GET /users/{id}/recommendations?genre=Comedy (on-line scoring)',
    request: {
      method: 'GET',
      setupRequest: (r) => ({ ...r, path: `/users/${nextUser()}/recommendations?genre=Comedy` }),
    },
  },
  foldInScenario('POST /recommendations (fold-in, 5 favourites)', KEY, nextProfile),
  {
    name: 'GET /movies?search=star (title search)',
    request: { method: 'GET', path: '/movies?search=star' },
  },
];

let results: LoadResult[];
try {
  results = await measureScenarios(server.url, KEY, scenarios, {
    seconds: SECONDS,
    connections: CONNECTIONS,
    log,
  });
} finally {
  await server.stop();
}

const outDir = join(REPO_ROOT, 'dist', 'bench');
mkdirSync(outDir, { recursive: true });
const bundle = await measureApiBundle(REPO_ROOT, outDir, {
  RECSYS_API_KEY: KEY,
  RECSYS_KEYSPACE: data.keyspace,
  S3_ENDPOINT: s3.endpoint,
  CASSANDRA_CONTACT_POINTS: cassandra.contactPoint,
});
log(
  `bundle ${bundle.bytes} bytes (${bundle.gzipBytes} gzip), init ${bundle.initMs.median} ms, first request ${bundle.firstRequestMs.median} ms`,
);
await data.close();

const report = {
  generatedAt: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverage1m: {
      start: Math.round(loadAtStart * 100) / 100,
      end: Math.round(loadavg()[0]! * 100) / 100,
    },
  },
  setup: {
    server: 'recsys serve (node:http → API Gateway v1 events → middy handler), separate process',
    database: `local Cassandra 5 (${cassandra.contactPoint}), keyspace ${data.keyspace}, ml-latest-small`,
    modelId: data.modelId,
    connections: CONNECTIONS,
    secondsPerScenario: SECONDS,
  },
  scenarios: results,
  bundle,
};
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(join(resultsDir(), 'api.json'), JSON.stringify(report, null, 2) + '\n');
log(`wrote ${join(resultsDir(), 'api.json')}`);
process.exit(0);
