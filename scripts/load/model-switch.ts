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
 * `npm run test:load:promote` (`--promote`): the same load with an A/B experiment running from the
 * start (model B the candidate for half the users by the stable hash) and `recsys
 * experiments stop --promote` run as the operator runs it (a child process), a quarter of the way
 * in (the command's own start-up takes seconds), the load going on until SECONDS / 2 after the
 * command returned. Each response must
 * then also be the right arm's: before the promotion a user of the candidate arm gets model B and
 * one of the control arm model A (or B once the promotion has begun: the control arm is served the
 * active model, which the promotion switches before it stops the experiment), each with its `arm`;
 * after it everyone gets model B, and no
 * control user gets model A again once one has got B. Writes bench/results/load-model-promote.json.
 *
 * Options (env): LOAD_SECONDS (default 24), LOAD_CONNECTIONS (default 10).
 */
import autocannon from 'autocannon';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CassandraStore } from '../../lambdas/adapters/cassandra.ts';
import { armOf } from '../../lambdas/core/experiments/assignment.ts';
import {
  runningExperiment,
  startExperiment,
  stopExperiment,
} from '../../lambdas/services/experiments/registry.ts';
import { activateModel, readRankedList } from '../../lambdas/services/models/registry.ts';
import { startRecsysServe } from '../support/recsys-serve.ts';
import { loadAverage, log, machine, openLoadKeyspace, writeLoadResult } from './harness.ts';

const KEYSPACE = 'load_model_switch';
const MODELS = { a: 'load-model-a', b: 'load-model-b' } as const;
const KEY = 'load-test-key-0123456789';
const SECONDS = Number(process.env.LOAD_SECONDS ?? 24);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 10);
const LIMIT = 10;
/** `--promote`: switch by promoting an experiment's candidate instead of activating it. */
const PROMOTE = process.argv.includes('--promote');
const EXPERIMENT = `load-promote-${Date.now().toString(36)}`;
const SHARE = 0.5;
const BIN = fileURLToPath(new URL('../../bin/recsys.mjs', import.meta.url));

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
if (await runningExperiment(db)) await stopExperiment(db); // left by an interrupted run
await activateModel(db, MODELS.a);
if (PROMOTE) {
  await startExperiment(db, { candidate: MODELS.b, share: SHARE, name: EXPERIMENT });
  log(`experiment ${EXPERIMENT}: ${MODELS.b} for ${SHARE * 100} % of users`);
}
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
  /** --promote: responses by arm before the promotion, and those of the wrong arm or model. */
  byArm: { control: 0, candidate: 0, none: 0 } as Record<string, number>,
  wrongArm: 0,
  controlServedPromoted: 0,
  newBeforePromotion: 0,
  examples: [] as string[],
};
let promotionStartedAt: number | undefined;
let switchedAt: number | undefined;
let firstNewAt: number | undefined;
let next = 0;

function check(status: number, body: string, headers: Record<string, unknown> | string[]) {
  if (status !== 200) return; // counted by autocannon as non-2xx
  tally.checked++;
  let parsed: {
    userId: number;
    modelId: string;
    strategy: string;
    items: { movieId: number }[];
    experiment?: string;
    arm?: 'control' | 'candidate';
  };
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
  if (PROMOTE) return checkArm(parsed);
  if (parsed.modelId === MODELS.b) firstNewAt ??= performance.now();
  else if (firstNewAt !== undefined) tally.oldAfterNew++;
}

/**
 * --promote: a response with an arm is that user's arm by the hash and that arm's model; one
 * without is model A while the experiment is not loaded yet (the server's first seconds) and model
 * B once promoted. The switch is seen when a response without an arm names B; after that no
 * response names A.
 */
function checkArm(parsed: { userId: number; modelId: string; arm?: string; experiment?: string }) {
  const wrong = (why: string) => {
    tally.wrongArm++;
    if (tally.examples.length < 5) tally.examples.push(`user ${parsed.userId}: ${why}`);
  };
  if (parsed.arm !== undefined) {
    tally.byArm[parsed.arm] = (tally.byArm[parsed.arm] ?? 0) + 1;
    const arm = armOf(EXPERIMENT, parsed.userId, SHARE);
    const model = arm === 'candidate' ? MODELS.b : MODELS.a;
    // The control arm is served the ACTIVE model (docs/serving.md): between the promotion's
    // activation write and its stop write, a control user may get the promoted model, under the
    // control arm, recorded with that model's id.
    const promoted =
      arm === 'control' && parsed.modelId === MODELS.b && promotionStartedAt !== undefined;
    if (promoted) tally.controlServedPromoted++;
    if (
      parsed.experiment !== EXPERIMENT ||
      parsed.arm !== arm ||
      (parsed.modelId !== model && !promoted)
    ) {
      wrong(`${parsed.experiment}/${parsed.arm}/${parsed.modelId}, expected ${arm}/${model}`);
    }
  } else {
    tally.byArm.none!++;
    if (parsed.modelId === MODELS.b) {
      if (promotionStartedAt === undefined) tally.newBeforePromotion++;
      firstNewAt ??= performance.now();
    }
  }
  if (parsed.modelId === MODELS.a && firstNewAt !== undefined) tally.oldAfterNew++;
}

/** What the operator runs: the CLI in its own process, while the load goes on. */
async function promote(): Promise<void> {
  promotionStartedAt = performance.now();
  const { stdout } = await promisify(execFile)(process.execPath, [
    BIN,
    'experiments',
    'stop',
    '--promote',
    '--keyspace',
    KEYSPACE,
  ]);
  switchedAt = performance.now();
  setTimeout(() => instance?.stop(), (SECONDS * 1000) / 2);
  log(
    `recsys experiments stop --promote took ${((switchedAt - promotionStartedAt) / 1000).toFixed(1)} s: ${stdout.trim()}`,
  );
}

log(
  `autocannon: ${SECONDS} s, ${CONNECTIONS} connections; ${PROMOTE ? 'promoting' : 'switching to'} ${MODELS.b} at ${SECONDS / (PROMOTE ? 4 : 2)} s`,
);
const started = performance.now();
let switching: Promise<void> | undefined;
const switchTimer = setTimeout(
  () => {
    switching = PROMOTE
      ? promote()
      : activateModel(db, MODELS.b).then(() => {
          switchedAt = performance.now();
          log(`activated ${MODELS.b} at ${((switchedAt - started) / 1000).toFixed(1)} s`);
        });
  },
  // The operator's command starts a Node process (seconds on a busy machine): promote early
  // enough that the switch is seen under load, not after it.
  (SECONDS * 1000) / (PROMOTE ? 4 : 2),
);
let instance: autocannon.Instance | undefined;
const result = await new Promise<autocannon.Result>((resolve, reject) => {
  instance = autocannon(
    {
      url: server.url,
      connections: CONNECTIONS,
      // --promote runs until SECONDS / 2 after the operator's command returned (promote() stops it),
      // however long the command takes on a busy machine; ten times SECONDS at most.
      duration: PROMOTE ? SECONDS * 10 : SECONDS,
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
    },
    (error, r) => (error ? reject(error) : resolve(r)),
  );
});
clearTimeout(switchTimer);
await switching;
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
    ...(PROMOTE
      ? {
          experiment: EXPERIMENT,
          share: SHARE,
          responsesByArm: tally.byArm,
          wrongArmOrModel: tally.wrongArm,
          controlArmServedPromotedModel: tally.controlServedPromoted,
          newModelBeforePromotion: tally.newBeforePromotion,
          promotionSeconds:
            promotionStartedAt !== undefined && switchedAt !== undefined
              ? Math.round(switchedAt - promotionStartedAt) / 1000
              : null,
        }
      : {}),
    // After the activation write; with --promote, after the operator's command started.
    switchVisibleAfterMs: (() => {
      const from = PROMOTE ? promotionStartedAt : switchedAt;
      return from !== undefined && firstNewAt !== undefined ? Math.round(firstNewAt - from) : null;
    })(),
    examples: tally.examples,
  },
  elapsedSeconds: Math.round((performance.now() - started) / 100) / 10,
};
writeLoadResult(PROMOTE ? 'load-model-promote' : 'load-model-switch', summary);

const problems = [
  errors > 0 && `${errors} errors`,
  tally.mixed > 0 && `${tally.mixed} responses mixing models or not matching their model`,
  tally.headerMismatch > 0 && `${tally.headerMismatch} x-model-id headers not matching the body`,
  tally.unparsable > 0 && `${tally.unparsable} unparsable bodies`,
  (tally.byModel[MODELS.b] ?? 0) === 0 && `the new model never served`,
  (tally.byModel[MODELS.a] ?? 0) === 0 && `the old model never served`,
  PROMOTE && tally.wrongArm > 0 && `${tally.wrongArm} responses of the wrong arm or model`,
  PROMOTE &&
    tally.newBeforePromotion > 0 &&
    `${tally.newBeforePromotion} responses of the candidate without an arm before the promotion`,
  PROMOTE && tally.byArm.candidate === 0 && `no response of the candidate arm`,
  PROMOTE && switchedAt === undefined && `the promotion did not finish during the run`,
  PROMOTE &&
    firstNewAt === undefined &&
    `the promoted model never served a user outside the candidate arm during the run`,
].filter(Boolean);
if (problems.length > 0) {
  console.error(`load test FAILED: ${problems.join('; ')}`);
  process.exit(1);
}
log(
  `held: ${summary.requests} requests, 0 errors, p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, ` +
    `${Math.round(summary.throughputPerSecond)} req/s; new model visible ${summary.models.switchVisibleAfterMs} ms after ${PROMOTE ? 'the promote command started' : 'activation'}`,
);
process.exit(0);
