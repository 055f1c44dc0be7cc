import { randomUUID } from 'node:crypto';
import {
  latestLikes,
  latestRatings,
  parseEventsBody,
  parseRatingBody,
  type FeedbackEvent,
} from '../../../core/feedback/events.ts';
import { ratingWrite } from '../../../core/feedback/resource-events.ts';
import { notFound } from '../api-error.ts';
import {
  asRetryable,
  deleteRating,
  writeEvents,
  writeLikes,
  writeRatings,
} from '../feedback-store.ts';
import { ParameterReader } from '../parameter-reader.ts';
import type { ApiRequest, ApiRoute } from '../route.ts';

/**
 * Run-time feedback. Every write is an idempotent upsert at LOCAL_QUORUM and a route answers only
 * once all of its writes were acknowledged: a 200 means stored; a 503 (the database did not
 * answer in time) means send the same request again. Ratings go to ratings_by_user as ingestion
 * writes them, with the arrival time as write time (later than any ingested rating's), are
 * recorded by movie (rating_changes_by_movie, the audience route's raters since training), and
 * mark the user changed so their next list is folded in from their ratings.
 */

function ratingPath(request: ApiRequest) {
  const params = new ParameterReader(request.query, request.path);
  params.only();
  const userId = params.pathId('userId');
  const movieId = params.pathId('movieId');
  return { params, userId, movieId };
}

/** `PUT /users/{userId}/ratings/{movieId}` `{rating}`: upsert; also a `rating` event. */
export const putRatingRoute: ApiRoute = {
  method: 'PUT',
  path: '/users/{userId}/ratings/{movieId}',
  json: true,
  async handle(request, { state, stores }) {
    const { params, userId, movieId } = ratingPath(request);
    params.done();
    const rating = parseRatingBody(request.body);
    const catalogue = await state.catalogue();
    if (!catalogue.get(movieId)) throw notFound(`movie ${movieId}`);
    const now = Date.now();
    const { event, row } = ratingWrite({ userId, movieId, eventId: randomUUID() }, rating, now);
    const { db } = stores();
    await asRetryable(() =>
      Promise.all([writeRatings(db, [row], now), writeEvents(db, [event], now)]),
    );
    state.eventsWritten();
    return { body: { userId, movieId, rating, ratedAt: row.ratedAt, eventId: event.eventId } };
  },
};

/** `DELETE /users/{userId}/ratings/{movieId}`: idempotent; deleting a missing rating is a 200 too. */
export const deleteRatingRoute: ApiRoute = {
  method: 'DELETE',
  path: '/users/{userId}/ratings/{movieId}',
  async handle(request, { stores }) {
    const { params, userId, movieId } = ratingPath(request);
    params.done();
    const now = Date.now();
    await asRetryable(() => deleteRating(stores().db, userId, movieId, now));
    return { body: { userId, movieId, deleted: true } };
  },
};

/**
 * `POST /events` `{events: [...]}`: 1–100 events, all stored or none (one bad event refuses the
 * batch). An event without an `eventId` gets one, returned in order, so a client can resend the
 * batch with them; an event resent with its id is the same row and counts once. Ratings also go
 * where a rating PUT writes them; likes and dislikes to `user_likes` (the latest per movie wins), which the
 * user's lists fold in (likes as favourites) and leave out.
 */
export const postEventsRoute: ApiRoute = {
  method: 'POST',
  path: '/events',
  json: true,
  async handle(request, { state, stores }) {
    const now = Date.now();
    const catalogue = await state.catalogue();
    const parsed = parseEventsBody(request.body, {
      now,
      movieExists: (movieId) => catalogue.get(movieId) !== undefined,
    });
    const events: FeedbackEvent[] = parsed.map((e) => ({
      ...e,
      eventId: e.eventId ?? randomUUID(),
    }));
    const ratings = latestRatings(events);
    const likes = latestLikes(events);
    const { db } = stores();
    await asRetryable(() =>
      Promise.all([
        writeEvents(db, events, now),
        writeRatings(db, ratings, now),
        writeLikes(db, likes, now),
      ]),
    );
    state.eventsWritten();
    return {
      body: {
        accepted: events.length,
        ratingsWritten: ratings.length,
        likesWritten: likes.length,
        eventIds: events.map((e) => e.eventId),
      },
    };
  },
};
