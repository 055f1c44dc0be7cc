import {
  denseItemIndices,
  foldInUser,
  userVector,
  type UserVector,
} from '../../../core/als/index.ts';
import type { Catalogue } from '../../../core/serving/catalogue.ts';
import { ParameterReader } from '../../../core/serving/params.ts';
import { rankForVector } from '../../../core/serving/ranking.ts';
import { readRankedList } from '../../models/registry.ts';
import { scoredMovies } from '../movie-views.ts';
import type { ApiRoute } from '../route.ts';
import type { ServingModel } from '../serving-state.ts';
import { readUserRatings } from '../user-data.ts';
import { genreMask, popularityFallback, RECOMMENDATION_LIMIT } from './recommendation-support.ts';

/**
 * A known user's top-N. Fast path: the list training stored (one partition read). Filters (genre,
 * excludeRated=false) or a limit past the stored list score on-line against the item factors held
 * in memory. A user the model never saw is folded in from their stored ratings when they have
 * some, and otherwise gets the most popular movies; `strategy` says which happened.
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
    const respond = (strategy: string, items: unknown[], extra: Record<string, unknown> = {}) => ({
      body: {
        userId,
        modelId: serving?.record.modelId ?? null,
        strategy,
        filters,
        ...extra,
        items,
      },
      cache: 'no-store' as const,
    });

    if (serving && !genre && excludeRated && serving.model.userIds.indexOf(userId) >= 0) {
      const stored = await readRankedList(
        db,
        'recommendations',
        serving.record.modelId,
        userId,
        limit,
      );
      if (stored.length >= limit) return respond('stored', scoredMovies(catalogue, stored));
    }

    const ratings = await readUserRatings(db, userId);
    const known = serving ? userVector(serving.model, userId) : null;
    if (serving && known) {
      return respond(
        'online',
        online(serving, catalogue, known, ratings, { limit, genre, excludeRated }),
      );
    }
    if (serving && ratings.length > 0) {
      const folded = foldInUser(serving.model, { ratings }, serving.foldInOptions());
      if (folded.used > 0) {
        return respond(
          'fold-in',
          online(serving, catalogue, folded, ratings, { limit, genre, excludeRated }),
          {
            reason: 'user rated movies after the model was trained',
          },
        );
      }
    }
    const exclude = new Set(excludeRated ? ratings.map((r) => r.movieId) : []);
    return respond('popularity', popularityFallback(catalogue, { limit, genre, exclude }), {
      reason: serving ? 'the model has no data for this user' : 'no model is active yet',
    });
  },
};

function online(
  serving: ServingModel,
  catalogue: Catalogue,
  user: UserVector,
  ratings: readonly { movieId: number }[],
  options: { limit: number; genre: string | undefined; excludeRated: boolean },
) {
  const { model, support, policy } = serving;
  const exclude = new Set(
    options.excludeRated
      ? denseItemIndices(
          model,
          ratings.map((r) => r.movieId),
        )
      : [],
  );
  const allowed = options.genre ? genreMask(serving, catalogue, options.genre) : undefined;
  const list = rankForVector(model, user, {
    n: options.limit,
    support,
    policy,
    exclude,
    ...(allowed ? { allowed } : {}),
  });
  return scoredMovies(catalogue, list);
}
