import { denseItemIndices, foldInUser } from '../../../core/als/index.ts';
import { ApiError, badRequest } from '../../../core/serving/api-error.ts';
import { parseFoldInBody } from '../../../core/serving/fold-in-body.ts';
import { rankForVector } from '../../../core/serving/ranking.ts';
import { scoredMovies } from '../movie-views.ts';
import type { ApiRoute } from '../route.ts';
import { genreMask, popularityFallback } from './recommendation-support.ts';

/**
 * Recommendations for someone the model has never seen, from a few ratings or favourites: one
 * user half-step of ALS against the fixed item factors (fold-in), then the same ranking as for
 * known users. Milliseconds, no retraining (the old project refitted the whole model for this).
 */
export const foldInRoute: ApiRoute = {
  method: 'POST',
  path: '/recommendations',
  json: true,
  async handle(request, { state }) {
    const body = parseFoldInBody(request.body);
    const catalogue = await state.catalogue();
    const genre = body.genre
      ? catalogue.genres.find((g) => g.toLowerCase() === body.genre!.toLowerCase())
      : undefined;
    if (body.genre && !genre) {
      throw badRequest([{ parameter: 'genre', message: `unknown genre "${body.genre}"` }]);
    }
    const limit = body.limit ?? 10;
    const given = [...body.ratings.map((r) => r.movieId), ...body.favorites];
    const unknown = given.filter((id) => !catalogue.get(id));
    if (unknown.length === given.length) {
      throw new ApiError(
        404,
        'not_found',
        `none of the movies is in the catalogue: ${unknown.slice(0, 10).join(', ')}`,
      );
    }

    const serving = await state.activeModel();
    const started = performance.now();
    if (serving) {
      const input = { ratings: body.ratings, favourites: body.favorites };
      const user = foldInUser(serving.model, input, serving.foldInOptions());
      if (user.used > 0) {
        const allowed = genre ? genreMask(serving, catalogue, genre) : undefined;
        const list = rankForVector(serving.model, user, {
          n: limit,
          support: serving.support,
          policy: serving.policy,
          exclude: new Set(denseItemIndices(serving.model, given)),
          ...(allowed ? { allowed } : {}),
        });
        return {
          body: {
            modelId: serving.record.modelId,
            strategy: 'fold-in',
            used: user.used,
            ignored: given.filter((id) => serving.model.itemIds.indexOf(id) < 0),
            millis: Math.round((performance.now() - started) * 1000) / 1000,
            items: scoredMovies(catalogue, list),
          },
          cache: 'no-store',
        };
      }
    }
    return {
      body: {
        modelId: serving?.record.modelId ?? null,
        strategy: 'popularity',
        reason: serving ? 'the model knows none of these movies' : 'no model is active yet',
        used: 0,
        ignored: given,
        items: popularityFallback(catalogue, { limit, genre, exclude: new Set(given) }),
      },
      cache: 'no-store',
    };
  },
};
