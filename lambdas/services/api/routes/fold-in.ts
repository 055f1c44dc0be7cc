import {
  candidatePoolSize,
  DEFAULT_DIVERSITY,
  diversify,
} from '../../../core/serving/diversity.ts';
import { parseFoldInBody } from '../../../core/serving/fold-in-body.ts';
import {
  catalogueGenres,
  foldInFallbackReason,
  foldInMovies,
} from '../../../core/serving/fold-in-request.ts';
import { recommendForProfileBatched } from '../../../core/serving/list-batcher.ts';
import { ratingUser } from '../../../core/serving/recommender.ts';
import { ratingProfile, withPredictedRatings } from '../../../core/serving/serving-bundle.ts';
import { ApiError } from '../api-error.ts';
import { scoredMovies } from '../movie-views.ts';
import type { ApiRoute } from '../route.ts';
import { issueList } from '../served-lists.ts';
import { explainedList } from './explanations.ts';
import {
  listFilters,
  listFromSources,
  listRequest,
  popularityFallback,
} from './recommendation-support.ts';

/**
 * Recommendations for someone the model has never seen, from a few ratings or favourites:
 * `recommendForProfile` (through the batcher: concurrent requests share one kernel pass), the code
 * `recsys evaluate --protocol users` measures — one user half-step
 * of ALS against the fixed item factors (fold-in), the neighbour model scored from the same
 * ratings, the two blended and ranked under the bundle's policy. Each item carries the stars the
 * bundle's rating model predicts from the same profile. Milliseconds, no retraining (the old
 * project refitted the whole model for this).
 */
export const foldInRoute: ApiRoute = {
  method: 'POST',
  path: '/recommendations',
  json: true,
  async handle(request, deps) {
    const { state } = deps;
    const body = parseFoldInBody(request.body);
    const catalogue = await state.catalogue();
    const genres = catalogueGenres(body.genres, catalogue.genres);
    const limit = body.limit ?? 10;
    const { given, unknown, noneKnown, skipped } = foldInMovies(
      body,
      (id) => catalogue.get(id) !== undefined,
    );
    if (noneKnown) {
      throw new ApiError(
        404,
        'not_found',
        `none of the movies is in the catalogue: ${unknown.slice(0, 10).join(', ')}`,
      );
    }
    const filters = listFilters(genres, body.exclude);
    const respond = async (
      modelId: string | null,
      strategy: 'fold-in' | 'popularity',
      fields: Record<string, unknown>,
      items: readonly { movieId: number; source?: string }[],
    ) => {
      // The served-list write goes out first and the explanations are worked out while it is in
      // flight; both are done before the answer leaves.
      const [recommendationId, explained] = await Promise.all([
        issueList(deps, {
          route: foldInRoute.path,
          strategy,
          modelId,
          userId: null,
          items,
        }),
        // explain: true → `because` per item, the exact split of its fold-in score (explanations.ts).
        explainedList(body.explain ?? false, serving, catalogue, strategy, items, () => profile),
      ]);
      return {
        body: { modelId, strategy, recommendationId, filters, ...fields, ...explained },
        cache: 'no-store' as const,
      };
    };

    const serving = await state.activeModel();
    const started = performance.now();
    const profile = { ratings: body.ratings, favourites: body.favorites, dislikes: body.dislikes };
    const rating = serving?.rating ?? null;
    const stars = () => (rating ? ratingUser(rating, null, ratingProfile(rating, profile)) : null);
    if (serving) {
      const { recommender } = serving;
      // With the diversity dial on, a pool of 10 × limit re-ranked by MMR to limit.
      const list = await recommendForProfileBatched(
        deps.lists,
        recommender,
        profile,
        listRequest(serving, catalogue, skipped, genres, candidatePoolSize(limit, body.diversity)),
      );
      if (list.used > 0) {
        // Cold movies (new or rarely rated) in a share of the places, scored by the folded-in
        // vector; trending then popular movies if the list is still short.
        const sourced = await listFromSources(state, serving, catalogue, {
          limit,
          genres,
          skip: async () => new Set(skipped),
          user: list.user!.vector,
          primary: {
            source: 'model',
            items: scoredMovies(
              catalogue,
              diversify(recommender.ranking, list.items, limit, body.diversity),
            ),
          },
        });
        const items = withPredictedRatings(sourced, rating, stars());
        return respond(
          serving.record.modelId,
          'fold-in',
          {
            used: list.used,
            ignored: given.filter((id) => recommender.ranking.itemIds.indexOf(id) < 0),
            ...(body.diversity !== DEFAULT_DIVERSITY ? { diversity: body.diversity } : {}),
            millis: Math.round((performance.now() - started) * 1000) / 1000,
          },
          items,
        );
      }
    }
    const fallback = popularityFallback(catalogue, {
      limit,
      genres,
      exclude: new Set(skipped),
    });
    return respond(
      serving?.record.modelId ?? null,
      'popularity',
      {
        reason: foldInFallbackReason(serving !== undefined),
        used: 0,
        ignored: given,
      },
      withPredictedRatings(
        fallback.map((item) => ({ ...item, source: 'popular' as const })),
        rating,
        stars(),
      ),
    );
  },
};
