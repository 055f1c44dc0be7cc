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
    const limit = params.int('limit', { min: 1, max: 1000, fallback: 50 });
    params.done();
    const { db } = stores();
    const [summary, ratings, likes, catalogue] = await Promise.all([
      readUserSummary(db, userId),
      readUserRatings(db, userId),
      readUserLikes(db, userId),
      state.catalogue(),
    ]);
    if (!summary && ratings.length === 0 && likes.length === 0) throw notFound(`user ${userId}`);
    const sorted = [...ratings].sort((a, b) => b.rating - a.rating || b.ratedAt - a.ratedAt);
    // From the ratings themselves rather than ingestion's summary row, which run-time ratings
    // (PUT /users/{id}/ratings/{movieId}, POST /events) do not update.
    const times = ratings.map((r) => r.ratedAt);
    const sum = ratings.reduce((total, r) => total + r.rating, 0);
    return {
      body: {
        userId,
        ratingCount: ratings.length,
        ratingMean: ratings.length > 0 ? sum / ratings.length : null,
        firstRatedAt: ratings.length > 0 ? Math.min(...times) : null,
        lastRatedAt: ratings.length > 0 ? Math.max(...times) : null,
        items: sorted.slice(0, limit).map((r) => {
          const movie = catalogue.get(r.movieId);
          return {
            ...(movie ? movieSummary(movie) : { movieId: r.movieId, title: null }),
            rating: r.rating,
            ratedAt: r.ratedAt,
          };
        }),
        likes: [...likes]
          .sort((a, b) => b.at - a.at || a.movieId - b.movieId)
          .slice(0, limit)
          .map((l) => {
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
