import {
  latestLikes,
  latestRatings,
  type FeedbackEvent,
  type LikeWrite,
  type RatingWrite,
} from './events.ts';

/**
 * The feedback routes that name one resource (`PUT /users/{u}/ratings/{m}`,
 * `PUT|DELETE /users/{u}/dislikes/{m}`) are each one event of `POST /events`, written the same way:
 * the event row, and the rating or like row `latestRatings` / `latestLikes` settle from it. So a
 * rating or dislike sent either way is one row, and the latest write wins.
 */
export interface ResourceWrite<Row> {
  readonly event: FeedbackEvent;
  readonly row: Row;
}

/** `PUT /users/{u}/ratings/{m}` `{rating}` at `at` (epoch ms): a `rating` event and its rating row. */
export function ratingWrite(
  ids: { userId: number; movieId: number; eventId: string },
  rating: number,
  at: number,
): ResourceWrite<RatingWrite> {
  const event: FeedbackEvent = {
    ...ids,
    type: 'rating',
    value: rating,
    at,
    recommendationId: null,
  };
  return { event, row: latestRatings([event])[0]! };
}

/**
 * `PUT /users/{u}/dislikes/{m}` (`disliked`) or its `DELETE` (withdrawn): a `dislike` event, value 0
 * withdrawing, and its like row (`liked: false`, or null to delete the person's like or dislike).
 */
export function dislikeWrite(
  ids: { userId: number; movieId: number; eventId: string },
  disliked: boolean,
  at: number,
): ResourceWrite<LikeWrite> {
  const event: FeedbackEvent = {
    ...ids,
    type: 'dislike',
    value: disliked ? null : 0,
    at,
    recommendationId: null,
  };
  return { event, row: latestLikes([event])[0]! };
}
