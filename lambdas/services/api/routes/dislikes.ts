import { randomUUID } from 'node:crypto';
import { dislikeWrite } from '../../../core/feedback/resource-events.ts';
import { notFound } from '../api-error.ts';
import { asRetryable, writeEvents, writeLikes } from '../feedback-store.ts';
import { ParameterReader } from '../parameter-reader.ts';
import type { ApiRequest, ApiRoute, RouteDeps } from '../route.ts';

/**
 * "Not for me": a dislike as a resource. It is exactly a `dislike` event of `POST /events` (one
 * write path: the same `user_likes` row through `writeLikes`, the same marker with `liked_at`,
 * the same event row for online metrics), so a dislike sent either way is one row and the latest
 * write wins. The person's next list leaves the movie out and is folded in with it as a negative
 * signal (core/serving/dislikes.ts), which pushes its close neighbours down at once. What it writes
 * is `dislikeWrite` (core/feedback/resource-events.ts).
 */

const PATH = '/users/{userId}/dislikes/{movieId}';

async function writeDislike(request: ApiRequest, { state, stores }: RouteDeps, disliked: boolean) {
  const params = new ParameterReader(request.query, request.path);
  params.only();
  const userId = params.pathId('userId');
  const movieId = params.pathId('movieId');
  params.done();
  const catalogue = await state.catalogue();
  if (!catalogue.get(movieId)) throw notFound(`movie ${movieId}`);
  const now = Date.now();
  const { event, row } = dislikeWrite({ userId, movieId, eventId: randomUUID() }, disliked, now);
  const { db } = stores();
  await asRetryable(() => Promise.all([writeLikes(db, [row], now), writeEvents(db, [event], now)]));
  state.eventsWritten();
  return { body: { userId, movieId, disliked, eventId: event.eventId } };
}

/** `PUT /users/{userId}/dislikes/{movieId}`: idempotent; replaces a like of the same movie. */
export const putDislikeRoute: ApiRoute = {
  method: 'PUT',
  path: PATH,
  handle: (request, deps) => writeDislike(request, deps, true),
};

/**
 * `DELETE /users/{userId}/dislikes/{movieId}`: withdraws the person's like or dislike of the movie
 * (the one `user_likes` row, as a `dislike` event with value 0 does); idempotent.
 */
export const deleteDislikeRoute: ApiRoute = {
  method: 'DELETE',
  path: PATH,
  handle: (request, deps) => writeDislike(request, deps, false),
};
