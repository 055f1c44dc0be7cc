/**
 * `npm run test:load:feedback`: writes and reads at once against the local API (`recsys serve`,
 * loopback, bounded in time), then checks that nothing acknowledged was lost. Writers each own a
 * few users — some new, some from the data set, whose ingested ratings they overwrite and delete —
 * and send PUT and DELETE ratings, `POST /events` batches (with client ids and without; some sent
 * again after the answer, some twice at once) and reads of their own users, which must show every
 * write acknowledged before them. Readers read lists and ratings of anyone meanwhile.
 *
 * Afterwards every acknowledged write is checked against the stored state: each (user, movie)
 * pair's last acknowledged rating or like reads back through the API, and whether it holds a
 * rating from `rating_changes_by_movie` too; each acknowledged event is in `events` exactly once (a resent one once);
 * each writer user's list leaves out what they rated or liked. Prints and writes the counts and
 * per-route latency to bench/results/load-feedback.json; exits 1 on any lost or duplicated write,
 * any 5xx, any request without an answer, any 4xx the test did not expect, any stale read.
 *
 * Its own keyspace (`load_feedback`: the generated data set of `npm run test:load` and one model).
 * Options (env): LOAD_SECONDS (default 20), LOAD_WRITERS (default 12), LOAD_READERS (default 6);
 * LOAD_TAMPER=1 shows that the checks can fail: before verifying, it deletes one acknowledged
 * rating and one acknowledged event behind the API's back and stores another event twice, so the
 * run must report 2 lost and 1 duplicated and exit 1 (it then writes no result file).
 */
import type { CassandraStore } from '../../lambdas/adapters/cassandra.ts';
import { dayOf, shardOf } from '../../lambdas/core/feedback/keys.ts';
import { Rng } from '../../lambdas/core/generator/random.ts';
import { readUserLikes, writeEvents } from '../../lambdas/services/api/feedback-store.ts';
import { readUserRatings } from '../../lambdas/services/api/user-data.ts';
import { activateModel } from '../../lambdas/services/models/registry.ts';
import { startRecsysServe } from '../support/recsys-serve.ts';
import { EventLedger, UserLedger } from './feedback-ledger.ts';
import { verifyCells, verifyEvents, verifyLists } from './feedback-verify.ts';
import { emptyTally, runReader, runWriter, type RunTally } from './feedback-workers.ts';
import { loadAverage, log, machine, openLoadKeyspace, writeLoadResult } from './harness.ts';
import { LoadClient } from './http-client.ts';

const KEYSPACE = 'load_feedback';
const MODEL = 'load-feedback-model';
const KEY = 'load-feedback-key-0123456789';
const SECONDS = Number(process.env.LOAD_SECONDS ?? 20);
const WRITERS = Number(process.env.LOAD_WRITERS ?? 12);
const READERS = Number(process.env.LOAD_READERS ?? 6);
const NEW_USERS_PER_WRITER = 4;
const DATA_SET_USERS_PER_WRITER = 2;
/** Movies each user's writes pick from: few enough that pairs are written again and again. */
const POOL = 16;

/** Movies with enough ratings to be in the model, most rated first. */
async function ratedMovies(db: CassandraStore): Promise<number[]> {
  const movies: { id: number; count: number }[] = [];
  for await (const row of db.rows(`SELECT movie_id, rating_count FROM ${db.table('movies')}`)) {
    const count = Number(row.get('rating_count') ?? 0);
    if (count >= 10) movies.push({ id: row.get('movie_id') as number, count });
  }
  return movies.sort((a, b) => b.count - a.count || a.id - b.id).map((m) => m.id);
}

async function dataSetUsers(db: CassandraStore): Promise<number[]> {
  const ids: number[] = [];
  const cql = `SELECT DISTINCT user_id FROM ${db.table('ratings_by_user')}`;
  for await (const row of db.rows(cql)) ids.push(row.get('user_id') as number);
  return ids.sort((a, b) => a - b);
}

/** A user of the data set as stored now (earlier runs changed some), and a pool of movies. */
async function existingUser(db: CassandraStore, userId: number, rng: Rng, movies: number[]) {
  const [ratings, likes] = await Promise.all([
    readUserRatings(db, userId, 'quorum'),
    readUserLikes(db, userId, 'quorum'),
  ]);
  // Half the pool from what the user rated (overwriting and deleting ingested ratings).
  const own = ratings
    .map((r) => r.movieId)
    .filter(() => rng.next() < 0.5)
    .slice(0, POOL / 2);
  const pool = [...new Set([...own, ...Array.from({ length: POOL }, () => rng.pick(movies))])];
  return new UserLedger(
    userId,
    pool.slice(0, POOL),
    new Map(ratings.map((r) => [r.movieId, r.rating])),
    new Map(likes.map((l) => [l.movieId, l.liked])),
  );
}

/** LOAD_TAMPER=1: a lost rating, a lost event and a duplicated event, made behind the API. */
async function tamper(db: CassandraStore, users: readonly UserLedger[], ledger: EventLedger) {
  const [userId, movieId] = users
    .flatMap((u) =>
      [...u.ratings]
        .filter(([, cell]) => cell.acknowledged > 0 && cell.expected !== null)
        .map(([movie]) => [u.userId, movie]),
    )
    .at(0)!;
  await db.execute(
    `DELETE FROM ${db.table('ratings_by_user')} WHERE user_id = ? AND movie_id = ?`,
    [userId, movieId],
    { idempotent: true },
  );
  const [gone, twice] = [...ledger.byTime.values()].filter((r) => r.acknowledged);
  await db.execute(
    `DELETE FROM ${db.table('events')} WHERE day = ? AND shard = ? AND event_id = ?`,
    [dayOf(gone!.event.timestamp), shardOf(gone!.eventId!), gone!.eventId],
    { idempotent: true },
  );
  const { event } = twice!;
  const copy = { ...event, eventId: `${twice!.eventId}-copy`, value: event.value ?? null };
  await writeEvents(db, [{ ...copy, at: event.timestamp, recommendationId: null }], Date.now());
  log(
    `tampered: deleted rating ${userId}/${movieId} and event ${gone!.eventId}; stored ${copy.eventId}`,
  );
}

const TAMPER = process.env.LOAD_TAMPER === '1';
const loadAtStart = loadAverage();
const db = await openLoadKeyspace(KEYSPACE, [{ modelId: MODEL, seed: 3 }]);
await activateModel(db, MODEL);
const movies = (await ratedMovies(db)).slice(0, 400);
const known = await dataSetUsers(db);
if (movies.length < POOL * 2 || known.length < WRITERS * DATA_SET_USERS_PER_WRITER + 20) {
  throw new Error(`the load data set is too small: ${movies.length} movies, ${known.length} users`);
}
const runTag = Date.now().toString(36);
// New ids per run (below 2^31), so earlier runs' writes never meet this run's new users.
const newUserBase = 1_500_000_000 + (Math.floor(Date.now() / 1000) % 500_000) * 1_000;
const rng = new Rng(Date.now() % 2 ** 31);
const events = new EventLedger();
const tally = emptyTally();
const users: UserLedger[][] = [];
for (let w = 0; w < WRITERS; w++) {
  const own: UserLedger[] = [];
  for (let i = 0; i < DATA_SET_USERS_PER_WRITER; i++) {
    own.push(await existingUser(db, known[w * DATA_SET_USERS_PER_WRITER + i]!, rng, movies));
  }
  for (let i = 0; i < NEW_USERS_PER_WRITER; i++) {
    const pool = [...new Set(Array.from({ length: POOL * 2 }, () => rng.pick(movies)))];
    own.push(new UserLedger(newUserBase + w * NEW_USERS_PER_WRITER + i + 1, pool.slice(0, POOL)));
  }
  users.push(own);
}
const writerUsers = users.flat();
const readerRatedUsers = known.slice(WRITERS * DATA_SET_USERS_PER_WRITER);

const server = await startRecsysServe({ keyspace: KEYSPACE, apiKey: KEY });
const client = new LoadClient(server.url, KEY, WRITERS * 2 + READERS);
// The first requests load the catalogue and the model; not part of the measurement.
const warm = new LoadClient(server.url, KEY, 1);
for (const user of [known[0]!, newUserBase]) {
  await warm.send('warm-up', 'GET', `/users/${user}/recommendations?limit=20`);
}
warm.close();

log(
  `${SECONDS} s: ${WRITERS} writers (${writerUsers.length} users, ${POOL} movies each), ` +
    `${READERS} readers`,
);
const firstEventAt = events.nextTime();
const started = performance.now();
const deadline = started + SECONDS * 1000;
await Promise.all([
  ...users.map((own, w) =>
    runWriter(
      { runTag, client, users: own, events, rng: new Rng(rng.int(2 ** 31) + w), tally },
      deadline,
    ),
  ),
  ...Array.from({ length: READERS }, (_, r) =>
    runReader(
      client,
      new Rng(rng.int(2 ** 31) + r),
      [...readerRatedUsers.slice(0, 200), ...writerUsers.map((u) => u.userId)],
      readerRatedUsers,
      deadline,
    ),
  ),
]);
const loadSeconds = (performance.now() - started) / 1000;
const routes = client.figures();
log(`load done in ${loadSeconds.toFixed(1)} s; verifying`);

if (TAMPER) await tamper(db, writerUsers, events);
const cells = await verifyCells(client, db, writerUsers);
const stored = await verifyEvents(db, events, writerUsers, firstEventAt);
const lists = await verifyLists(client, writerUsers);
client.close();
await server.stop();
await db.shutdown();

const load = Object.values(routes);
const requests = load.reduce((n, r) => n + r.requests, 0);
const status5xx = load.reduce((n, r) => n + r.status5xx, 0);
const failed = load.reduce((n, r) => n + r.failed, 0);
const unexpected4xx = load.reduce((n, r) => n + r.status4xx, 0) - tally.emptyUsers404;
const lost =
  cells.ratings.lost +
  cells.likes.lost +
  cells.ratingChanges.mismatched +
  stored.lost +
  stored.putEvents.lost;
const duplicated = stored.duplicated;
const { examples: eventExamples, ...eventFigures } = stored;

const summary = {
  generatedAt: new Date().toISOString(),
  machine: machine(loadAtStart),
  seconds: SECONDS,
  connections: { writers: WRITERS, readers: READERS },
  users: { writers: writerUsers.length, fromDataSet: WRITERS * DATA_SET_USERS_PER_WRITER },
  requests,
  throughputPerSecond: Math.round(requests / loadSeconds),
  routes,
  acknowledged: {
    ratingUpserts: tally.ratingUpserts,
    ratingDeletes: tally.ratingDeletes,
    likeWrites: tally.likeWrites,
    eventBatches: tally.eventBatches,
    events: stored.acknowledged,
    putRatingEvents: stored.putEvents.acknowledged,
    resentBatches: tally.resentBatches,
    batchesSentTwiceAtOnce: tally.batchesSentTwiceAtOnce,
  },
  verified: {
    ratingCells: cells.ratings,
    likeCells: cells.likes,
    ratingChanges: cells.ratingChanges,
    events: eventFigures,
    readsDuringLoad: { checked: tally.readsChecked, stale: tally.staleReads },
    listsDuringLoad: listFigures(tally),
    listsAfter: listFigures(lists),
  },
  lost,
  duplicated,
  status5xx,
  failed,
  unexpected4xx,
  unknownOutcomes: tally.unknownOutcomes,
  wrongAnswers: tally.wrongAnswers,
  examples: [...tally.examples, ...cells.examples, ...eventExamples, ...lists.examples],
  elapsedSeconds: Math.round((performance.now() - started) / 100) / 10,
};
if (TAMPER) console.log(JSON.stringify(summary));
else writeLoadResult('load-feedback', summary);

function listFigures(t: RunTally) {
  return {
    checked: t.listsChecked,
    showingRatedOrLiked: t.listsShowingLeftOut,
    notReacting: t.listsNotReacting,
    strategies: t.strategies,
  };
}

const problems = [
  lost > 0 && `${lost} acknowledged writes lost`,
  duplicated > 0 && `${duplicated} events stored more than once`,
  stored.altered > 0 && `${stored.altered} events stored with other fields than sent`,
  cells.ratings.changedUnwritten + cells.likes.changedUnwritten > 0 &&
    `${cells.ratings.changedUnwritten + cells.likes.changedUnwritten} ratings or likes changed that no write touched`,
  status5xx > 0 && `${status5xx} 5xx answers`,
  failed > 0 && `${failed} requests without an answer`,
  unexpected4xx > 0 && `${unexpected4xx} unexpected 4xx answers`,
  tally.wrongAnswers > 0 && `${tally.wrongAnswers} answers not saying what was written`,
  tally.staleReads > 0 && `${tally.staleReads} reads missing an acknowledged write`,
  tally.listsShowingLeftOut + lists.listsShowingLeftOut > 0 &&
    `${tally.listsShowingLeftOut + lists.listsShowingLeftOut} lists showing a rated or liked movie`,
  tally.listsNotReacting + lists.listsNotReacting > 0 &&
    `${tally.listsNotReacting + lists.listsNotReacting} lists not reacting to the user's writes`,
  lists.refused > 0 && `${lists.refused} lists could not be read after the load`,
  tally.eventBatches === 0 && 'no event batch was acknowledged',
].filter(Boolean);
if (problems.length > 0) {
  console.error(`feedback load test FAILED: ${problems.join('; ')}`);
  process.exit(1);
}
log(
  `held: ${requests} requests in ${loadSeconds.toFixed(1)} s; acknowledged ${tally.ratingUpserts} rating upserts, ` +
    `${tally.ratingDeletes} deletes, ${stored.acknowledged} events (+${stored.putEvents.acknowledged} from PUTs); ` +
    `0 lost, 0 duplicated; ` +
    Object.entries(routes)
      .map(([route, r]) => `${route} p50 ${r.latencyMs.p50} ms p99 ${r.latencyMs.p99} ms`)
      .join('; '),
);
process.exit(0);
