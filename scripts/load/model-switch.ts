/**
 * `npm run test:load`: sustained load on the local API (`recsys serve`, loopback only, bounded in
 * time) while a second model is activated halfway through. Passes (exit 0) only with zero errors,
 * zero non-2xx answers and zero responses that mix two models; prints p50/p99/throughput and writes
 * bench/results/load-model-switch.json.
 *
 * Its own keyspace (`load_model_switch`) with a generated MovieLens-shaped data set and two models
 * trained with different seeds, so switching models never disturbs other tests' keyspaces. Built on
 * the first run (about a minute), reused after.
 *
 * "No mixing" is checked per response: the body names one model (`modelId`, equal to the
 * `x-model-id` header), and its items must be exactly that model's stored top-N for the user, read
 * from Cassandra before the run. The two models' lists differ for almost every user, so a response
 * assembled from both, or labelled with the wrong model, cannot pass.
 *
 * Options (env): LOAD_SECONDS (default 24), LOAD_CONNECTIONS (default 10).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { CassandraStore, cassandraConfigFromEnv } from '../../lambdas/adapters/cassandra.ts';
import { readDatasetStatus } from '../../lambdas/services/ingest/dataset-status.ts';
import {
  activateModel,
  getModelRecord,
  readRankedList,
} from '../../lambdas/services/models/registry.ts';
import { startRecsysServe } from '../../test/support/recsys-serve.ts';
import { ensureCassandra } from '../cassandra/local-cassandra.ts';
import { ensureS3 } from '../s3/local-s3.ts';
import { REPO_ROOT } from '../serve/build-web.ts';

const KEYSPACE = 'load_model_switch';
const DATASET = 'load-gen';
const MODELS = { a: 'load-model-a', b: 'load-model-b' } as const;
const KEY = 'load-test-key-0123456789';
const SECONDS = Number(process.env.LOAD_SECONDS ?? 24);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 10);
const LIMIT = 10;
const BIN = join(REPO_ROOT, 'bin', 'recsys.mjs');
const log = (line: string) => void process.stderr.write(`[load] ${line}\n`);

function recsys(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`recsys ${args[0]} exited ${code}: ${stderr.slice(-1500)}`)),
    );
  });
}

async function prepare(db: CassandraStore): Promise<void> {
  await db.migrate();
  const status = await readDatasetStatus(db, DATASET);
  if (status?.status !== 'ready') {
    const dir = join(REPO_ROOT, '.local', 'load-data', DATASET);
    if (!existsSync(join(dir, 'ratings.csv'))) {
      log('generating 40,000 MovieLens-shaped ratings');
      await recsys(['generate', '--out', dir, '--ratings', '40000', '--seed', '7', '--force']);
    }
    log(`ingesting into ${KEYSPACE}`);
    await recsys(['ingest', '--dir', dir, '--name', DATASET, '--keyspace', KEYSPACE]);
  }
  for (const [seed, modelId] of [
    ['1', MODELS.a],
    ['2', MODELS.b],
  ] as const) {
    const record = await getModelRecord(db, modelId);
    if (record?.status === 'ready') continue;
    log(`training ${modelId} (seed ${seed})`);
    await recsys([
      'train',
      '--keyspace',
      KEYSPACE,
      '--model-id',
      modelId,
      '--seed',
      seed,
      '--iterations',
      '5',
      '--min-ratings',
      '5',
      '--no-activate',
    ]);
  }
}

/** Each model's stored top-N per user, for the users whose lists are long enough to be served. */
async function expectedLists(db: CassandraStore) {
  const lists: Record<string, Map<number, string>> = {
    [MODELS.a]: new Map<number, string>(),
    [MODELS.b]: new Map<number, string>(),
  };
  for (let user = 1; user <= 400; user++) {
    const [a, b] = await Promise.all(
      [MODELS.a, MODELS.b].map((m) => readRankedList(db, 'recommendations', m, user, LIMIT)),
    );
    if (a!.length < LIMIT || b!.length < LIMIT) continue;
    lists[MODELS.a]!.set(user, a!.map((m) => m.movieId).join(','));
    lists[MODELS.b]!.set(user, b!.map((m) => m.movieId).join(','));
  }
  return lists;
}

const loadAtStart = loadavg()[0]!;
const [cassandra, s3] = await Promise.all([ensureCassandra({ log }), ensureS3({ log })]);
process.env.CASSANDRA_CONTACT_POINTS = cassandra.contactPoint;
process.env.S3_ENDPOINT = s3.endpoint;
const db = new CassandraStore(
  cassandraConfigFromEnv({ ...process.env, RECSYS_KEYSPACE: KEYSPACE }),
);
await prepare(db);
await activateModel(db, MODELS.a);
const lists = await expectedLists(db);
const users = [...lists[MODELS.a]!.keys()];
const differing = users.filter((u) => lists[MODELS.a]!.get(u) !== lists[MODELS.b]!.get(u)).length;
if (users.length < 20) throw new Error(`only ${users.length} users have ${LIMIT} stored items`);
log(`${users.length} users; the two models' lists differ for ${differing} of them`);

// Checked every second, so the switch shows within a second or two of the activation.
const server = await startRecsysServe({
  keyspace: KEYSPACE,
  apiKey: KEY,
  env: { RECSYS_MODEL_CHECK_SECONDS: '1' },
});
const tally = {
  checked: 0,
  byModel: { [MODELS.a]: 0, [MODELS.b]: 0 } as Record<string, number>,
  mixed: 0,
  headerMismatch: 0,
  unparsable: 0,
  oldAfterNew: 0,
  examples: [] as string[],
};
let switchedAt: number | undefined;
let firstNewAt: number | undefined;
let next = 0;

function check(status: number, body: string, headers: Record<string, unknown> | string[]) {
  if (status !== 200) return; // counted by autocannon as non-2xx
  tally.checked++;
  let parsed: { userId: number; modelId: string; strategy: string; items: { movieId: number }[] };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    tally.unparsable++;
    return;
  }
  // autocannon hands headers over as a flat [name, value, …] list.
  const flat = Array.isArray(headers) ? headers : Object.entries(headers).flat().map(String);
  const at = flat.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === 'x-model-id');
  if (at < 0 || flat[at + 1] !== parsed.modelId) tally.headerMismatch++;
  const expected = lists[parsed.modelId]?.get(parsed.userId);
  const got = parsed.items.map((m) => m.movieId).join(',');
  if (expected === undefined || expected !== got) {
    tally.mixed++;
    if (tally.examples.length < 5)
      tally.examples.push(`user ${parsed.userId} model ${parsed.modelId}: ${got}`);
    return;
  }
  tally.byModel[parsed.modelId] = (tally.byModel[parsed.modelId] ?? 0) + 1;
  if (parsed.modelId === MODELS.b) firstNewAt ??= performance.now();
  else if (firstNewAt !== undefined) tally.oldAfterNew++;
}

log(
  `autocannon: ${SECONDS} s, ${CONNECTIONS} connections; switching to ${MODELS.b} at ${SECONDS / 2} s`,
);
const started = performance.now();
const switchTimer = setTimeout(
  () =>
    void activateModel(db, MODELS.b).then(() => {
      switchedAt = performance.now();
      log(`activated ${MODELS.b} at ${((switchedAt - started) / 1000).toFixed(1)} s`);
    }),
  (SECONDS * 1000) / 2,
);
const result = await autocannon({
  url: server.url,
  connections: CONNECTIONS,
  duration: SECONDS,
  headers: { 'x-api-key': KEY },
  requests: [
    {
      method: 'GET',
      setupRequest: (request) => ({
        ...request,
        path: `/users/${users[next++ % users.length]}/recommendations?limit=${LIMIT}`,
      }),
      onResponse: (status, body, _context, headers) => check(status, body, headers ?? []),
    },
  ],
});
clearTimeout(switchTimer);
await server.stop();
await activateModel(db, MODELS.a); // as found, so that a re-run starts from the same state
await db.shutdown();

const errors = result.errors + result.timeouts + result.non2xx;
const summary = {
  generatedAt: new Date().toISOString(),
  machine: { cpus: cpus().length, loadAverageAtStart: Math.round(loadAtStart * 100) / 100 },
  seconds: SECONDS,
  connections: CONNECTIONS,
  requests: result.requests.total,
  throughputPerSecond: result.requests.average,
  latencyMs: {
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  },
  errors: {
    total: errors,
    connection: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  },
  models: {
    before: MODELS.a,
    after: MODELS.b,
    usersChecked: users.length,
    usersWhoseListsDiffer: differing,
    responsesChecked: tally.checked,
    responsesByModel: tally.byModel,
    mixedResponses: tally.mixed,
    headerMismatches: tally.headerMismatch,
    unparsableBodies: tally.unparsable,
    oldModelAfterFirstNew: tally.oldAfterNew,
    switchVisibleAfterMs:
      switchedAt !== undefined && firstNewAt !== undefined
        ? Math.round(firstNewAt - switchedAt)
        : null,
    examples: tally.examples,
  },
  elapsedSeconds: Math.round((performance.now() - started) / 100) / 10,
};
const dir = join(REPO_ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'load-model-switch.json'), JSON.stringify(summary, null, 2) + '\n');
console.log(JSON.stringify(summary));

const problems = [
  errors > 0 && `${errors} errors`,
  tally.mixed > 0 && `${tally.mixed} responses mixing models or not matching their model`,
  tally.headerMismatch > 0 && `${tally.headerMismatch} x-model-id headers not matching the body`,
  tally.unparsable > 0 && `${tally.unparsable} unparsable bodies`,
  (tally.byModel[MODELS.b] ?? 0) === 0 && `the new model never served`,
  (tally.byModel[MODELS.a] ?? 0) === 0 && `the old model never served`,
].filter(Boolean);
if (problems.length > 0) {
  console.error(`load test FAILED: ${problems.join('; ')}`);
  process.exit(1);
}
log(
  `held: ${summary.requests} requests, 0 errors, p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, ` +
    `${Math.round(summary.throughputPerSecond)} req/s; new model visible ${summary.models.switchVisibleAfterMs} ms after activation`,
);
process.exit(0);
