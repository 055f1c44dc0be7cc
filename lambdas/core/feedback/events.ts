import { MAX_ID } from '../serving/input-limits.ts';
import { InvalidInputError, type ParameterProblem } from '../serving/invalid-input.ts';
import { EVENT_ID, RECOMMENDATION_ID } from './keys.ts';

/** What a person did with a movie. `rating` also writes the ratings tables. */
export const EVENT_TYPES = ['rating', 'like', 'dislike', 'view', 'click', 'impression'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Events per `POST /events` (Personalize's PutEvents takes 10; Gorse's insert-feedback more). */
export const MAX_EVENTS_PER_REQUEST = 100;

/**
 * How far an event's own `timestamp` may lie from the time it arrives: back 30 days (a client's
 * offline queue), ahead 5 minutes (clock skew). Older history belongs in a bulk ingest.
 */
export const EVENT_MAX_AGE_MS = 30 * 86_400_000;
export const EVENT_MAX_AHEAD_MS = 5 * 60_000;

/** One event as stored: every field resolved (the time given, or when it arrived). */
export interface FeedbackEvent {
  readonly eventId: string;
  readonly userId: number;
  readonly movieId: number;
  readonly type: EventType;
  /** Stars for a rating (0.5–5 in half steps); an optional number for the other types. */
  readonly value: number | null;
  /** Epoch milliseconds: the event's `timestamp`, else the time the API received it. */
  readonly at: number;
  readonly recommendationId: string | null;
}

/** An event as parsed, before the API gives the ones that came without an id one. */
export type ParsedEvent = Omit<FeedbackEvent, 'eventId'> & { readonly eventId: string | null };

const EVENT_FIELDS = new Set([
  'userId',
  'movieId',
  'type',
  'value',
  'timestamp',
  'recommendationId',
  'eventId',
]);

export const isId = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_ID;

/** Ratings use MovieLens' scale: 0.5 to 5 in half-star steps, as ingestion requires. */
export function isStarRating(v: unknown): v is number {
  return typeof v === 'number' && v >= 0.5 && v <= 5 && Number.isInteger(v * 2);
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An epoch-millisecond integer or an ISO 8601 time with a zone; undefined if neither. */
export function parseEventTime(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? raw : undefined;
  if (typeof raw !== 'string' || !ISO_TIME.test(raw)) return undefined;
  const ms = Date.parse(raw);
  return Number.isFinite(ms) ? ms : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface EventContext {
  /** Receipt time, epoch ms. */
  readonly now: number;
  /** Whether a movie exists (the catalogue); unknown movies are refused by name. */
  readonly movieExists: (movieId: number) => boolean;
}

/**
 * Validates `{events: [{userId, movieId, type, value?, timestamp?, recommendationId?, eventId?}]}`
 * (1 to 100 events), naming each bad field by its path (`events.3.value`). All or nothing: one bad
 * event refuses the batch, so a client never has to work out which half was stored.
 */
export function parseEventsBody(body: unknown, context: EventContext): ParsedEvent[] {
  const problems: ParameterProblem[] = [];
  const problem = (parameter: string, message: string) =>
    void problems.push({ parameter, message });
  if (!isPlainObject(body)) {
    throw new InvalidInputError([
      { parameter: 'body', message: 'expected a JSON object {events: [...]}' },
    ]);
  }
  for (const key of Object.keys(body)) {
    if (key !== 'events') problem(key, 'unknown field; expected events');
  }
  const list = body.events;
  if (!Array.isArray(list)) {
    problem('events', 'expected a list of events');
    throw new InvalidInputError(problems);
  }
  if (list.length === 0 || list.length > MAX_EVENTS_PER_REQUEST) {
    problem('events', `expected 1 to ${MAX_EVENTS_PER_REQUEST} events, got ${list.length}`);
    throw new InvalidInputError(problems);
  }
  const events: ParsedEvent[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry: unknown, i) => {
    const at = `events.${i}`;
    if (!isPlainObject(entry)) return problem(at, 'expected an event object');
    const before = problems.length;
    for (const key of Object.keys(entry)) {
      if (!EVENT_FIELDS.has(key)) {
        problem(`${at}.${key}`, `unknown field; expected ${[...EVENT_FIELDS].join(', ')}`);
      }
    }
    const { userId, movieId, type, value, timestamp, recommendationId, eventId } = entry;
    if (!isId(userId)) problem(`${at}.userId`, 'expected a positive integer user id');
    if (!isId(movieId)) problem(`${at}.movieId`, 'expected a positive integer movie id');
    else if (!context.movieExists(movieId)) problem(`${at}.movieId`, `no movie ${movieId}`);
    const known = EVENT_TYPES.includes(type as EventType);
    if (!known) problem(`${at}.type`, `expected one of ${EVENT_TYPES.join(', ')}`);
    if (type === 'rating') {
      if (!isStarRating(value)) {
        problem(`${at}.value`, 'a rating needs value 0.5 to 5 in half-star steps');
      }
    } else if (value !== undefined && value !== null) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        problem(`${at}.value`, 'expected a finite number or nothing');
      }
    }
    let time = context.now;
    if (timestamp !== undefined) {
      const parsed = parseEventTime(timestamp);
      if (parsed === undefined) {
        problem(`${at}.timestamp`, 'expected epoch milliseconds or an ISO 8601 time with a zone');
      } else if (
        parsed < context.now - EVENT_MAX_AGE_MS ||
        parsed > context.now + EVENT_MAX_AHEAD_MS
      ) {
        problem(
          `${at}.timestamp`,
          'must lie within the last 30 days (and at most 5 minutes ahead)',
        );
      } else {
        time = parsed;
      }
    }
    if (
      recommendationId !== undefined &&
      recommendationId !== null &&
      (typeof recommendationId !== 'string' || !RECOMMENDATION_ID.test(recommendationId))
    ) {
      problem(`${at}.recommendationId`, 'expected a recommendationId this API returned');
    }
    if (eventId !== undefined && (typeof eventId !== 'string' || !EVENT_ID.test(eventId))) {
      problem(`${at}.eventId`, 'expected 1-64 characters: letters, digits, "._:-"');
    } else if (typeof eventId === 'string') {
      const first = seen.get(eventId);
      if (first !== undefined) problem(`${at}.eventId`, `repeats events.${first}.eventId`);
      else seen.set(eventId, i);
    }
    if (problems.length > before) return;
    events.push({
      eventId: (eventId as string | undefined) ?? null,
      userId: userId as number,
      movieId: movieId as number,
      type: type as EventType,
      value: typeof value === 'number' ? value : null,
      at: time,
      recommendationId: (recommendationId as string | null | undefined) ?? null,
    });
  });
  if (problems.length > 0) throw new InvalidInputError(problems);
  return events;
}

/** `PUT /users/{userId}/ratings/{movieId}` body: `{rating}`, 0.5–5 in half steps. */
export function parseRatingBody(body: unknown): number {
  if (!isPlainObject(body)) {
    throw new InvalidInputError([
      { parameter: 'body', message: 'expected a JSON object {rating}' },
    ]);
  }
  const problems: ParameterProblem[] = [];
  for (const key of Object.keys(body)) {
    if (key !== 'rating')
      problems.push({ parameter: key, message: 'unknown field; expected rating' });
  }
  if (!isStarRating(body.rating)) {
    problems.push({ parameter: 'rating', message: 'expected 0.5 to 5 in half-star steps' });
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return body.rating as number;
}

export interface RatingWrite {
  readonly userId: number;
  readonly movieId: number;
  readonly rating: number;
  /** Seconds since the epoch (the ratings tables' `rated_at`). */
  readonly ratedAt: number;
}

/**
 * Per (user, movie), the latest of the events `kept` keeps, by event time (a later entry of the
 * batch winning a tie); in the order each pair first appears.
 */
function latestPerPair(
  events: readonly FeedbackEvent[],
  kept: (event: FeedbackEvent) => boolean,
): FeedbackEvent[] {
  const latest = new Map<string, FeedbackEvent>();
  for (const event of events) {
    if (!kept(event)) continue;
    const key = `${event.userId}:${event.movieId}`;
    const earlier = latest.get(key);
    if (!earlier || event.at >= earlier.at) latest.set(key, event);
  }
  return [...latest.values()];
}

/**
 * The ratings a batch writes: one per (user, movie), the latest by event time (a later entry of
 * the batch winning a tie). All of a batch's ratings share one write time, so two ratings of the
 * same pair in one batch must be settled here rather than by Cassandra.
 */
export function latestRatings(events: readonly FeedbackEvent[]): RatingWrite[] {
  const ratings = latestPerPair(events, (e) => e.type === 'rating' && e.value !== null);
  return ratings.map((e) => ({
    userId: e.userId,
    movieId: e.movieId,
    rating: e.value!,
    ratedAt: Math.floor(e.at / 1000),
  }));
}

/**
 * Feedback that says a person wanted the movie: a rating of 4 or more, a like (not one withdrawn
 * with value 0), a click.
 */
export function isPositive(event: Pick<FeedbackEvent, 'type' | 'value'>): boolean {
  if (event.type === 'like') return event.value !== 0;
  if (event.type === 'click') return true;
  return event.type === 'rating' && event.value !== null && event.value >= 4;
}

export interface LikeWrite {
  readonly userId: number;
  readonly movieId: number;
  /** true: a like; false: a dislike; null: withdrawn (a like or dislike event with value 0). */
  readonly liked: boolean | null;
  /** Epoch ms of the event. */
  readonly at: number;
}

/**
 * The likes a batch writes: one per (user, movie), the latest like or dislike by event time (a
 * later entry of the batch winning a tie), as `latestRatings` settles ratings. A like or dislike
 * with `value: 0` withdraws it (the person took their ♥ back): the row is deleted.
 */
export function latestLikes(events: readonly FeedbackEvent[]): LikeWrite[] {
  const likes = latestPerPair(events, (e) => e.type === 'like' || e.type === 'dislike');
  return likes.map((e) => ({
    userId: e.userId,
    movieId: e.movieId,
    liked: e.value === 0 ? null : e.type === 'like',
    at: e.at,
  }));
}
