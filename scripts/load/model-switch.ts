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
import autocannon from 'autocannon';
import type { CassandraStore } from '../../lambdas/adapters/cassandra.ts';
import { activateModel, readRankedList } from '../../lambdas/services/models/registry.ts';
import { startRecsysServe } from '../support/recsys-serve.ts';
import { loadAverage, log, machine, openLoadKeyspace, writeLoadResult } from './harness.ts';

const KEYSPACE = 'load_model_switch';
const MODELS = { a: 'load-model-a', b: 'load-model-b' } as const;
const KEY = 'load-test-key-0123456789';
const SECONDS = Number(process.env.LOAD_SECONDS ?? 24);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 10);
const LIMIT = 10;

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

const loadAtStart = loadAverage();
const db = await openLoadKeyspace(KEYSPACE, [
  { modelId: MODELS.a, seed: 1 },
  { modelId: MODELS.b, seed: 2 },
]);
await activateModel(db, MODELS.a);
const lists = await expectedLists(db);
const users = [...lists[MODELS.a]!.keys()];
const differing = users.filter((u) => lists[MODELS.a]!.get(u) !== lists[MODELS.b]!.get(u)).length;
if (users.length < 20) throw new Error(`only ${users.length} users have ${LIMIT} stored items`);
log(`${users.length} users; the two models' lists differ for ${differing} of them`);

// Checked every second, so the switch shows within a second or two of the activation.
const server = await startRecsysServe({ keyspace: KEYSPACE, apiKey: KEY, modelCheckSeconds: 1 });
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
  machine: machine(loadAtStart),
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
writeLoadResult('load-model-switch', summary);

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
