import {
  bestRatedFirst,
  newestLikesFirst,
  ratingSummary,
} from '../../../core/serving/user-activity.ts';
import { USER_RATINGS_LIMIT } from '../../../core/serving/input-limits.ts';
import { notFound } from '../api-error.ts';
import { readUserLikes } from '../feedback-store.ts';
import { movieSummary } from '../movie-views.ts';
import { ParameterReader } from '../parameter-reader.ts';
import type { ApiRoute } from '../route.ts';
import { readUserRatings, readUserSummary } from '../user-data.ts';

/**
 * A user's activity summary and rated movies, best rated (then most recent) first, and their
 * likes and dislikes (`likes`, newest first); 404 for a user nobody knows (no ratings, no likes
 * and no ingested summary).
 */
export const userRatingsRoute: ApiRoute = {
  method: 'GET',
  path: '/users/{userId}/ratings',
  async handle(request, { state, stores }) {
    const params = new ParameterReader(request.query, request.path);
    params.only('limit');
    const userId = params.pathId('userId');
    const limit = params.int('limit', USER_RATINGS_LIMIT);
    params.done();
    const { db } = stores();
    const [summary, ratings, likes, catalogue] = await Promise.all([
      readUserSummary(db, userId),
      readUserRatings(db, userId),
      readUserLikes(db, userId),
      state.catalogue(),
    ]);
    if (!summary && ratings.length === 0 && likes.length === 0) throw notFound(`user ${userId}`);
    return {
      body: {
        userId,
        ...ratingSummary(ratings),
        items: bestRatedFirst(ratings, limit).map((r) => {
          const movie = catalogue.get(r.movieId);
          return {
            ...(movie ? movieSummary(movie) : { movieId: r.movieId, title: null }),
            rating: r.rating,
            ratedAt: r.ratedAt,
          };
        }),
        likes: newestLikesFirst(likes, limit).map((l) => {
          const movie = catalogue.get(l.movieId);
          return {
            ...(movie ? movieSummary(movie) : { movieId: l.movieId, title: null }),
            liked: l.liked,
            at: l.at,
          };
        }),
      },
      cache: 'no-store',
    };
  },
};
