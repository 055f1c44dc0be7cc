import { denseItemIndices, userVector } from '../../../core/als/index.ts';
import type { Catalogue } from '../../../core/serving/catalogue.ts';
import { ParameterReader } from '../../../core/serving/params.ts';
import {
  ratingUser,
  recommendForProfile,
  recommendForVector,
  type ListRequest,
} from '../../../core/serving/recommender.ts';
import { withPredictedRatings } from '../../../core/serving/serving-bundle.ts';
import { readRankedList } from '../../models/registry.ts';
import { scoredMovies } from '../movie-views.ts';
import type { ApiRoute } from '../route.ts';
import type { ServingModel } from '../serving-state.ts';
import { readUserRatings, type UserRating } from '../user-data.ts';
import { genreMask, popularityFallback, RECOMMENDATION_LIMIT } from './recommendation-support.ts';

/**
 * A known user's top-N. Fast path: the list training stored (one partition read). Filters (genre,
 * excludeRated=false) or a limit past the stored list score on-line: the user's trained ranking
 * vector and their stored ratings (for the neighbour model) through `recommendForVector`. A user
 * the model never saw is folded in from their stored ratings (`recommendForProfile`) when they
 * have some, and otherwise gets the most popular movies; `strategy` says which happened. Every
 * item carries the stars the bundle's rating model predicts for this user (`predictedRating`).
 */
export const userRecommendationsRoute: ApiRoute = {
  method: 'GET',
  path: '/users/{userId}/recommendations',
  async handle(request, { state, stores }) {
    const catalogue = await state.catalogue();
    const params = new ParameterReader(request.query, request.path);
    params.only('limit', 'genre', 'excludeRated');
    const userId = params.pathId('userId');
    const limit = params.int('limit', { ...RECOMMENDATION_LIMIT, fallback: 10 });
    const genre = params.choice('genre', catalogue.genres);
    const excludeRated = params.bool('excludeRated', true);
    params.done();

    const { db } = stores();
    const serving = await state.activeModel();
    const filters = { genre: genre ?? null, excludeRated };
    // Read at most once, and only when a path needs them (the stored fast path usually does not).
    let ratings: Promise<UserRating[]> | undefined;
    const userRatings = () => (ratings ??= readUserRatings(db, userId));
    const respond = async (
      strategy: string,
      items: readonly { movieId: number }[],
      extra: Record<string, unknown> = {},
    ) => ({
      body: {
        userId,
        modelId: serving?.record.modelId ?? null,
        strategy,
        filters,
        ...extra,
        items: await predicted(serving, userId, items, userRatings),
      },
      cache: 'no-store' as const,
    });

    const ranking = serving?.recommender.ranking;
    const known = ranking ? userVector(ranking, userId) : null;
    if (serving && known && !genre && excludeRated) {
      const stored = await readRankedList(
        db,
        'recommendations',
        serving.record.modelId,
        userId,
        limit,
      );
      if (stored.length >= limit) return respond('stored', scoredMovies(catalogue, stored));
    }

    const rated = await userRatings();
    const options = { limit, genre, excludeRated };
    if (serving && known) {
      const list = recommendForVector(
        serving.recommender,
        known,
        rated,
        listRequest(serving, catalogue, rated, options),
      );
      return respond('online', scoredMovies(catalogue, list));
    }
    if (serving && rated.length > 0) {
      const folded = recommendForProfile(
        serving.recommender,
        { ratings: rated },
        listRequest(serving, catalogue, rated, options),
      );
      if (folded.used > 0) {
        return respond('fold-in', scoredMovies(catalogue, folded.items), {
          reason: 'user rated movies after the model was trained',
        });
      }
    }
    const exclude = new Set(excludeRated ? rated.map((r) => r.movieId) : []);
    return respond('popularity', popularityFallback(catalogue, { limit, genre, exclude }), {
      reason: serving ? 'the model has no data for this user' : 'no model is active yet',
    });
  },
};

/** n, the rated movies to skip (unless excludeRated=false) and the genre mask, as dense items. */
function listRequest(
  serving: ServingModel,
  catalogue: Catalogue,
  ratings: readonly { movieId: number }[],
  options: { limit: number; genre: string | undefined; excludeRated: boolean },
): ListRequest {
  const exclude = new Set(
    options.excludeRated
      ? denseItemIndices(
          serving.recommender.ranking,
          ratings.map((r) => r.movieId),
        )
      : [],
  );
  const allowed = options.genre ? genreMask(serving, catalogue, options.genre) : undefined;
  return { n: options.limit, exclude, ...(allowed ? { allowed } : {}) };
}

/**
 * The list with `predictedRating` from the bundle's rating model: a user it was trained on uses
 * their trained vector (no read); anyone else is folded in from their stored ratings.
 */
async function predicted<T extends { movieId: number }>(
  serving: ServingModel | undefined,
  userId: number,
  items: readonly T[],
  ratings: () => Promise<readonly UserRating[]>,
) {
  const rating = serving?.rating ?? null;
  if (!rating || items.length === 0) return withPredictedRatings(items, null, null);
  const user = userVector(rating, userId) ?? ratingUser(rating, null, await ratings());
  return withPredictedRatings(items, rating, user);
}
