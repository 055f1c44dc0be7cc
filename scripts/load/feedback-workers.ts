/**
 * The feedback load test's connections. A writer owns a few users (no other writer touches them)
 * and, one request after another, rates, deletes, posts event batches (some resent: after the
 * answer, or twice at once) and reads its own users back; every answer goes into the ledger, and
 * each read is checked against it at once (a write must show on the next read, and a list must
 * leave out what the user rated or liked). A reader only reads, anyone's lists and ratings.
 */
import { EVENT_TYPES } from '../../lambdas/core/feedback/events.ts';
import type { Rng } from '../../lambdas/core/generator/random.ts';
import {
  type CellMismatch,
  type EventLedger,
  type Liking,
  type SentEvent,
  type Stars,
  type UserLedger,
} from './feedback-ledger.ts';
import type { LoadClient, Reply } from './http-client.ts';

export const ROUTES = {
  put: 'PUT /users/{id}/ratings/{movieId}',
  delete: 'DELETE /users/{id}/ratings/{movieId}',
  events: 'POST /events',
  ratings: 'GET /users/{id}/ratings',
  list: 'GET /users/{id}/recommendations',
} as const;

/** Length of the lists read: long enough that a rated movie left in would likely show. */
export const LIST_LIMIT = 20;
const MAX_BATCH = 20;
/** Shares of a writer's requests; the rest are list reads. */
const MIX = { put: 0.3, delete: 0.1, events: 0.25, ratings: 0.15 };
const RESEND_AFTER_ANSWER = 0.2;
const RESEND_AT_ONCE = 0.1;

export interface RunTally {
  ratingUpserts: number;
  ratingDeletes: number;
  likeWrites: number;
  eventBatches: number;
  resentBatches: number;
  batchesSentTwiceAtOnce: number;
  /** Writes with no answer or a 5xx: they may or may not have landed. */
  unknownOutcomes: number;
  /** 4xx answers to requests the test built to be valid. */
  refused: number;
  /** 2xx answers whose body does not say what was written (wrong ids, values). */
  wrongAnswers: number;
  readsChecked: number;
  /** `GET /users/{id}/ratings` of a user with nothing stored yet: a 404 is the right answer. */
  emptyUsers404: number;
  staleReads: number;
  listsChecked: number;
  listsShowingLeftOut: number;
  /** Lists of a user written in this run that still came from the trained model. */
  listsNotReacting: number;
  strategies: Record<string, number>;
  examples: string[];
}

export function emptyTally(): RunTally {
  return {
    ratingUpserts: 0,
    ratingDeletes: 0,
    likeWrites: 0,
    eventBatches: 0,
    resentBatches: 0,
    batchesSentTwiceAtOnce: 0,
    unknownOutcomes: 0,
    refused: 0,
    wrongAnswers: 0,
    readsChecked: 0,
    emptyUsers404: 0,
    staleReads: 0,
    listsChecked: 0,
    listsShowingLeftOut: 0,
    listsNotReacting: 0,
    strategies: {},
    examples: [],
  };
}

export function note(tally: RunTally, example: string): void {
  if (tally.examples.length < 12) tally.examples.push(example);
}

export interface Writer {
  readonly runTag: string;
  readonly client: LoadClient;
  readonly users: readonly UserLedger[];
  readonly events: EventLedger;
  readonly rng: Rng;
  readonly tally: RunTally;
}

type Outcome = 'acknowledged' | 'refused' | 'unknown';

const isOk = (reply: Reply) =>
  reply.kind === 'answered' && reply.status >= 200 && reply.status < 300;

/** A 4xx was refused before anything was written; no answer or a 5xx may have written. */
function outcomeOf(reply: Reply, tally: RunTally, what: string): Outcome {
  if (isOk(reply)) return 'acknowledged';
  if (reply.kind === 'answered' && reply.status < 500) {
    tally.refused++;
    note(tally, `${what}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
    return 'refused';
  }
  tally.unknownOutcomes++;
  note(tally, `${what}: ${reply.kind === 'failed' ? reply.error : reply.status}`);
  return 'unknown';
}

const halfStar = (rng: Rng) => (1 + rng.int(10)) / 2;

async function putRating(w: Writer): Promise<void> {
  const user = w.rng.pick(w.users);
  const movieId = w.rng.pick(user.pool);
  const stars = halfStar(w.rng);
  const path = `/users/${user.userId}/ratings/${movieId}`;
  const reply = await w.client.send(ROUTES.put, 'PUT', path, { rating: stars });
  const outcome = outcomeOf(reply, w.tally, `PUT ${path}`);
  if (outcome === 'unknown') user.rating(movieId).unknown(stars);
  if (outcome !== 'acknowledged' || reply.kind !== 'answered') return;
  user.rating(movieId).acknowledge(stars);
  w.tally.ratingUpserts++;
  const body = reply.body as { rating?: number; eventId?: string };
  if (body.rating !== stars || typeof body.eventId !== 'string') {
    w.tally.wrongAnswers++;
    note(w.tally, `PUT ${path} answered ${JSON.stringify(body)}`);
    return;
  }
  w.events.putEvents.set(body.eventId, { userId: user.userId, movieId, value: stars });
}

async function deleteRating(w: Writer): Promise<void> {
  const user = w.rng.pick(w.users);
  // Mostly a movie the user has a rating of (ingested or written), sometimes one they have not.
  const rated = [...user.ratings].filter(([, cell]) => cell.expected !== null).map(([id]) => id);
  const movieId =
    rated.length > 0 && w.rng.next() < 0.8 ? w.rng.pick(rated) : w.rng.pick(user.pool);
  const path = `/users/${user.userId}/ratings/${movieId}`;
  const outcome = outcomeOf(
    await w.client.send(ROUTES.delete, 'DELETE', path),
    w.tally,
    `DELETE ${path}`,
  );
  if (outcome === 'unknown') user.rating(movieId).unknown(null);
  if (outcome !== 'acknowledged') return;
  user.rating(movieId).acknowledge(null);
  w.tally.ratingDeletes++;
}

function newEvent(w: Writer, clientIds: boolean): SentEvent {
  const user = w.rng.pick(w.users);
  // Ratings most often: they are what lists fold in.
  const type = w.rng.next() < 0.3 ? 'rating' : w.rng.pick(EVENT_TYPES);
  const timestamp = w.events.nextTime();
  const base = {
    userId: user.userId,
    movieId: w.rng.pick(user.pool),
    type,
    timestamp,
    ...(clientIds ? { eventId: `lf-${w.runTag}-${timestamp}` } : {}),
  };
  if (type === 'rating') return { ...base, value: halfStar(w.rng) };
  // A like or dislike with value 0 takes it back; views carry a watched share now and then.
  if (type === 'like' || type === 'dislike')
    return w.rng.next() < 0.2 ? { ...base, value: 0 } : base;
  return w.rng.next() < 0.5 ? { ...base, value: Math.round(w.rng.next() * 100) / 100 } : base;
}

/** What a batch leaves in the cells: per (user, movie), its last rating and its last like. */
function batchEffects(w: Writer, events: readonly SentEvent[]) {
  const ratings = new Map<string, { user: UserLedger; movieId: number; value: Stars }>();
  const likes = new Map<string, { user: UserLedger; movieId: number; value: Liking }>();
  for (const e of events) {
    const user = w.users.find((u) => u.userId === e.userId)!;
    const key = `${e.userId}:${e.movieId}`;
    if (e.type === 'rating') ratings.set(key, { user, movieId: e.movieId, value: e.value! });
    if (e.type === 'like' || e.type === 'dislike') {
      likes.set(key, { user, movieId: e.movieId, value: e.value === 0 ? null : e.type === 'like' });
    }
  }
  return { ratings: [...ratings.values()], likes: [...likes.values()] };
}

async function postEvents(w: Writer): Promise<void> {
  const clientIds = w.rng.next() < 0.5;
  const events = Array.from({ length: 1 + w.rng.int(MAX_BATCH) }, () => newEvent(w, clientIds));
  for (const e of events) w.events.sent(e);
  const effects = batchEffects(w, events);
  const apply = (reply: Reply, sent: readonly SentEvent[]) => {
    const outcome = outcomeOf(reply, w.tally, `POST /events (${sent.length})`);
    if (outcome === 'refused') return false;
    for (const r of effects.ratings)
      r.user.rating(r.movieId)[outcome === 'unknown' ? 'unknown' : 'acknowledge'](r.value);
    for (const l of effects.likes)
      l.user.like(l.movieId)[outcome === 'unknown' ? 'unknown' : 'acknowledge'](l.value);
    if (outcome === 'unknown' || reply.kind !== 'answered') return false;
    const ids = (reply.body as { eventIds?: unknown }).eventIds;
    const expected = sent.map((e) => e.eventId);
    if (
      !Array.isArray(ids) ||
      ids.length !== sent.length ||
      expected.some((id, i) => id !== undefined && id !== ids[i])
    ) {
      w.tally.wrongAnswers++;
      note(w.tally, `POST /events answered ids ${JSON.stringify(ids)?.slice(0, 200)}`);
      return false;
    }
    w.events.acknowledged(sent, ids as string[]);
    w.tally.eventBatches++;
    w.tally.ratingUpserts += effects.ratings.length;
    w.tally.likeWrites += effects.likes.length;
    return true;
  };
  const send = (sent: readonly SentEvent[]) =>
    w.client.send(ROUTES.events, 'POST', '/events', { events: sent });
  // A client that gave up waiting and sent the batch again while the first was still in flight.
  const twice = clientIds && w.rng.next() < RESEND_AT_ONCE;
  const replies = await Promise.all(twice ? [send(events), send(events)] : [send(events)]);
  if (twice) w.tally.batchesSentTwiceAtOnce++;
  const answered = replies.map((reply) => apply(reply, events)).some(Boolean);
  if (!answered || w.rng.next() >= RESEND_AFTER_ANSWER) return;
  // A client that lost the answer and sends the batch again, with the ids it was given.
  const ids = events.map((e) => w.events.byTime.get(e.timestamp)!.eventId!);
  const again = events.map((e, i) => ({ ...e, eventId: ids[i]! }));
  w.tally.resentBatches++;
  apply(await send(again), again);
}

async function readRatings(w: Writer): Promise<void> {
  const user = w.rng.pick(w.users);
  const path = `/users/${user.userId}/ratings?limit=1000`;
  const reply = await w.client.send(ROUTES.ratings, 'GET', path);
  if (reply.kind !== 'answered') return;
  let mismatches: CellMismatch[];
  if (reply.status === 404) {
    // Right only for a user with no rating and no like at all.
    mismatches = user.compare(new Map(), new Map());
    if (mismatches.length === 0) w.tally.emptyUsers404++;
  } else if (reply.status === 200) {
    const body = reply.body as {
      items: { movieId: number; rating: number }[];
      likes: { movieId: number; liked: boolean }[];
    };
    mismatches = user.compare(
      new Map(body.items.map((m) => [m.movieId, m.rating])),
      new Map(body.likes.map((l) => [l.movieId, l.liked])),
    );
  } else return;
  w.tally.readsChecked++;
  if (mismatches.length > 0) {
    w.tally.staleReads++;
    note(w.tally, `stale read ${path}: ${JSON.stringify(mismatches.slice(0, 3))}`);
  }
}

async function readList(w: Writer): Promise<void> {
  const user = w.rng.pick(w.users);
  const path = `/users/${user.userId}/recommendations?limit=${LIST_LIMIT}`;
  const reply = await w.client.send(ROUTES.list, 'GET', path);
  if (!isOk(reply) || reply.kind !== 'answered' || !user.certain) return;
  checkList(w.tally, user, reply.body, path);
}

/** A list must leave out every movie the user rated, liked or disliked, and react to this run's writes. */
export function checkList(tally: RunTally, user: UserLedger, body: unknown, what: string): void {
  const { strategy, items } = body as { strategy: string; items: { movieId: number }[] };
  tally.listsChecked++;
  tally.strategies[strategy] = (tally.strategies[strategy] ?? 0) + 1;
  const leftOut = user.leftOut();
  const shown = items.map((m) => m.movieId).filter((id) => leftOut.has(id));
  if (shown.length > 0) {
    tally.listsShowingLeftOut++;
    note(tally, `${what} (${strategy}) shows rated or liked ${shown.join(',')}`);
  }
  const written = [...user.ratings.values(), ...user.likes.values()].some(
    (c) => c.acknowledged > 0,
  );
  if (written && (strategy === 'stored' || strategy === 'online')) {
    tally.listsNotReacting++;
    note(tally, `${what}: ${strategy} after this run wrote for the user`);
  }
}

export async function runWriter(w: Writer, deadline: number): Promise<void> {
  while (performance.now() < deadline) {
    const r = w.rng.next();
    if (r < MIX.put) await putRating(w);
    else if (r < MIX.put + MIX.delete) await deleteRating(w);
    else if (r < MIX.put + MIX.delete + MIX.events) await postEvents(w);
    else if (r < MIX.put + MIX.delete + MIX.events + MIX.ratings) await readRatings(w);
    else await readList(w);
  }
}

/** Reads only: lists of anyone (writers' users included), ratings of users the data set has. */
export async function runReader(
  client: LoadClient,
  rng: Rng,
  listUsers: readonly number[],
  ratedUsers: readonly number[],
  deadline: number,
): Promise<void> {
  while (performance.now() < deadline) {
    if (rng.next() < 0.6) {
      const path = `/users/${rng.pick(listUsers)}/recommendations?limit=${LIST_LIMIT}`;
      await client.send(ROUTES.list, 'GET', path);
    } else {
      await client.send(ROUTES.ratings, 'GET', `/users/${rng.pick(ratedUsers)}/ratings`);
    }
  }
}
