import type { CassandraStore, Params, Row } from '../../adapters/cassandra.ts';
import { isTransientCassandraError } from '../../adapters/cassandra.ts';
import type {
  EventType,
  FeedbackEvent,
  LikeWrite,
  RatingWrite,
} from '../../core/feedback/events.ts';
import { dayOf, FEEDBACK_SHARDS, shardOf } from '../../core/feedback/keys.ts';
import type { Arm } from '../../core/experiments/assignment.ts';
import type { ExperimentList } from '../../core/experiments/report.ts';
import { liveWriteClock } from '../../core/ingest/write-time.ts';
import { markDataChanged } from '../data-changes.ts';
import {
  byUserParams,
  ratingChange,
  ratingChangeParams,
  ratingDelete,
  ratingUpsert,
} from '../rating-writes.ts';
import { ApiError } from './api-error.ts';

/**
 * The API's writes and the online-evaluation reads: run-time ratings (into ratings_by_user, as
 * ingestion writes them, and recorded by movie in rating_changes_by_movie, which the audience
 * route reads with the model's raters index), the per-user change marker, feedback events and served lists. Every
 * write is an idempotent upsert at LOCAL_QUORUM (retried on transient errors by the adapter); a
 * route answers only after all of its writes were acknowledged, so an acknowledged write is
 * stored and a failed request can simply be sent again.
 */

/** Writes in flight per request. */
const WRITES_IN_FLIGHT = 16;

/** One strictly increasing write-time source per container (core/ingest/write-time.ts). */
const nextWriteTime = liveWriteClock();

/**
 * Upserts ratings, records them by movie and marks their users changed, all at one write time.
 */
export async function writeRatings(
  db: CassandraStore,
  ratings: readonly RatingWrite[],
  nowMs: number,
): Promise<void> {
  if (ratings.length === 0) return;
  const writeTime = nextWriteTime(nowMs);
  await Promise.all([
    db.executeMany(
      ratingUpsert(db),
      ratings.map((r) => byUserParams(r.userId, r.movieId, r.rating, r.ratedAt, writeTime)),
      WRITES_IN_FLIGHT,
    ),
    db.executeMany(
      ratingChange(db),
      ratings.map((r) => ratingChangeParams(r.userId, r.movieId, true, nowMs, writeTime)),
      WRITES_IN_FLIGHT,
    ),
    markRatingsChanged(db, [...new Set(ratings.map((r) => r.userId))], nowMs, writeTime),
    markDataChanged(
      db,
      ratings.map((r) => r.userId),
      nowMs,
      writeTime,
    ),
  ]);
}

export async function deleteRating(
  db: CassandraStore,
  userId: number,
  movieId: number,
  nowMs: number,
): Promise<void> {
  const writeTime = nextWriteTime(nowMs);
  await Promise.all([
    db.execute(ratingDelete(db), [writeTime, userId, movieId], { idempotent: true }),
    db.execute(ratingChange(db), ratingChangeParams(userId, movieId, false, nowMs, writeTime), {
      idempotent: true,
    }),
    markRatingsChanged(db, [userId], nowMs, writeTime),
    markDataChanged(db, [userId], nowMs, writeTime),
  ]);
}

/** The marker rows, with the ratings' own write time: the latest change of a user wins. */
async function markRatingsChanged(
  db: CassandraStore,
  userIds: readonly number[],
  nowMs: number,
  writeTime: number,
  liked = false,
): Promise<void> {
  const cql = liked
    ? `INSERT INTO ${db.table('user_rating_changes')} (user_id, changed_at, liked_at) ` +
      'VALUES (?, ?, ?) USING TIMESTAMP ?'
    : `INSERT INTO ${db.table('user_rating_changes')} (user_id, changed_at) VALUES (?, ?) ` +
      'USING TIMESTAMP ?';
  const at = new Date(nowMs);
  await db.executeMany(
    cql,
    userIds.map((userId) => (liked ? [userId, at, at, writeTime] : [userId, at, writeTime])),
    WRITES_IN_FLIGHT,
  );
}

/**
 * Likes and dislikes (one row per user and movie, the latest wins by write time; a withdrawn one
 * deletes the row) and the users' markers, `liked_at` included: a user who ever liked or disliked
 * is folded in on every list request.
 */
export async function writeLikes(
  db: CassandraStore,
  likes: readonly LikeWrite[],
  nowMs: number,
): Promise<void> {
  if (likes.length === 0) return;
  const writeTime = nextWriteTime(nowMs);
  const upsert =
    `INSERT INTO ${db.table('user_likes')} (user_id, movie_id, liked, at) VALUES (?, ?, ?, ?) ` +
    'USING TIMESTAMP ?';
  const remove = `DELETE FROM ${db.table('user_likes')} USING TIMESTAMP ? WHERE user_id = ? AND movie_id = ?`;
  const kept = likes.filter((l) => l.liked !== null);
  const withdrawn = likes.filter((l) => l.liked === null);
  await Promise.all([
    db.executeMany(
      upsert,
      kept.map((l) => [l.userId, l.movieId, l.liked, new Date(l.at), writeTime]),
      WRITES_IN_FLIGHT,
    ),
    db.executeMany(
      remove,
      withdrawn.map((l) => [writeTime, l.userId, l.movieId]),
      WRITES_IN_FLIGHT,
    ),
    markRatingsChanged(db, [...new Set(likes.map((l) => l.userId))], nowMs, writeTime, true),
  ]);
}

export interface UserLike {
  readonly movieId: number;
  readonly liked: boolean;
  /** Epoch ms. */
  readonly at: number;
}

/** A user's likes and dislikes: one partition. */
export async function readUserLikes(
  db: CassandraStore,
  userId: number,
  consistency: 'one' | 'quorum' = 'one',
): Promise<UserLike[]> {
  const out: UserLike[] = [];
  const cql = `SELECT movie_id, liked, at FROM ${db.table('user_likes')} WHERE user_id = ?`;
  for await (const row of db.rows(cql, [userId], 5_000, consistency)) {
    out.push({
      movieId: row.get('movie_id') as number,
      liked: row.get('liked') === true,
      at: (row.get('at') as Date | null)?.getTime() ?? 0,
    });
  }
  return out;
}

export interface FeedbackMarker {
  /** When the API last changed the user's ratings or likes (epoch ms). */
  readonly changedAt: number | undefined;
  /** When the user last liked or disliked anything; undefined if they never did. */
  readonly likedAt: number | undefined;
}

/**
 * The user's marker row (both undefined if the API never wrote for them). Read at LOCAL_QUORUM:
 * the request after a write must see it.
 */
export async function readFeedbackMarker(
  db: CassandraStore,
  userId: number,
): Promise<FeedbackMarker> {
  const result = await db.execute(
    `SELECT changed_at, liked_at FROM ${db.table('user_rating_changes')} WHERE user_id = ?`,
    [userId],
    { consistency: 'quorum' },
  );
  const row = result.first();
  const time = (name: string) => (row?.get(name) as Date | null | undefined)?.getTime();
  return { changedAt: time('changed_at'), likedAt: time('liked_at') };
}

/** One row per event at (UTC day of its time, shard of its id, id): a resent event is one row. */
export async function writeEvents(
  db: CassandraStore,
  events: readonly FeedbackEvent[],
  receivedAtMs: number,
): Promise<void> {
  if (events.length === 0) return;
  const cql =
    `INSERT INTO ${db.table('events')} (day, shard, event_id, user_id, movie_id, type, value, ` +
    'event_at, received_at, recommendation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const received = new Date(receivedAtMs);
  const params: Params[] = events.map((e) => [
    dayOf(e.at),
    shardOf(e.eventId),
    e.eventId,
    e.userId,
    e.movieId,
    e.type,
    e.value,
    new Date(e.at),
    received,
    e.recommendationId,
  ]);
  await db.executeMany(cql, params, WRITES_IN_FLIGHT);
}

/** Every event of the given UTC days (each day's shards read in parallel). */
export async function readEvents(
  db: CassandraStore,
  days: readonly number[],
): Promise<FeedbackEvent[]> {
  const cql =
    'SELECT event_id, user_id, movie_id, type, value, event_at, recommendation_id ' +
    `FROM ${db.table('events')} WHERE day = ? AND shard = ?`;
  return readDays(db, cql, days, (row) => ({
    eventId: row.get('event_id') as string,
    userId: row.get('user_id') as number,
    movieId: row.get('movie_id') as number,
    type: row.get('type') as EventType,
    value: (row.get('value') as number | null) ?? null,
    at: (row.get('event_at') as Date).getTime(),
    recommendationId: (row.get('recommendation_id') as string | null) ?? null,
  }));
}

export interface ServedListRecord extends ExperimentList {
  readonly route: string;
  readonly strategy: string;
}

export async function writeServedList(db: CassandraStore, list: ServedListRecord): Promise<void> {
  await db.execute(
    `INSERT INTO ${db.table('served_lists')} (day, shard, recommendation_id, served_at, model_id, ` +
      'user_id, route, strategy, movie_ids, experiment, arm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      dayOf(list.servedAt),
      shardOf(list.recommendationId),
      list.recommendationId,
      new Date(list.servedAt),
      list.modelId,
      list.userId,
      list.route,
      list.strategy,
      [...list.movieIds],
      list.experiment,
      list.arm,
    ],
    { idempotent: true },
  );
}

export async function readServedLists(
  db: CassandraStore,
  days: readonly number[],
): Promise<ServedListRecord[]> {
  const cql =
    'SELECT recommendation_id, served_at, model_id, user_id, route, strategy, movie_ids, ' +
    'experiment, arm ' +
    `FROM ${db.table('served_lists')} WHERE day = ? AND shard = ?`;
  return readDays(db, cql, days, (row) => ({
    recommendationId: row.get('recommendation_id') as string,
    servedAt: (row.get('served_at') as Date).getTime(),
    modelId: (row.get('model_id') as string | null) ?? null,
    userId: (row.get('user_id') as number | null) ?? null,
    route: (row.get('route') as string | null) ?? '',
    strategy: (row.get('strategy') as string | null) ?? '',
    movieIds: (row.get('movie_ids') as number[] | null) ?? [],
    experiment: (row.get('experiment') as string | null) ?? null,
    arm: (row.get('arm') as Arm | null) ?? null,
  }));
}

async function readDays<T>(
  db: CassandraStore,
  cql: string,
  days: readonly number[],
  map: (row: Row) => T,
): Promise<T[]> {
  const parts = await Promise.all(
    days.flatMap((day) =>
      Array.from({ length: FEEDBACK_SHARDS }, async (_, shard) => {
        const out: T[] = [];
        for await (const row of db.rows(cql, [day, shard])) out.push(map(row));
        return out;
      }),
    ),
  );
  return parts.flat();
}

/**
 * A write that failed for a reason worth retrying (timeout, overload, throttling) becomes a 503
 * the client can resend: every write is idempotent, so resending stores each thing once.
 */
export async function asRetryable<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isTransientCassandraError(error)) {
      throw new ApiError(
        503,
        'unavailable',
        'the database did not acknowledge every write; send the same request again',
      );
    }
    throw error;
  }
}
