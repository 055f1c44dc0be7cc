import { notFound } from '../../../core/serving/api-error.ts';
import { audienceForItem, similarWithSupport } from '../../../core/serving/neighbours.ts';
import { ParameterReader } from '../../../core/serving/params.ts';
import { readRankedList } from '../../models/registry.ts';
import { scoredMovies } from '../movie-views.ts';
import { CATALOGUE_CACHE, type ApiRequest, type ApiRoute, type RouteDeps } from '../route.ts';
import { readMovieRaters, readUserSummary } from '../user-data.ts';

const NEIGHBOUR_LIMIT = { min: 1, max: 100 } as const;

async function movieRequest(request: ApiRequest, { state }: RouteDeps, fallbackLimit: number) {
  const params = new ParameterReader(request.query, request.path);
  params.only('limit');
  const movieId = params.pathId('movieId');
  const limit = params.int('limit', { ...NEIGHBOUR_LIMIT, fallback: fallbackLimit });
  params.done();
  const catalogue = await state.catalogue();
  if (!catalogue.get(movieId)) throw notFound(`movie ${movieId}`);
  return { movieId, limit, catalogue, serving: await state.activeModel() };
}

/**
 * Neighbours by cosine of the ranking model's item factors: the list training stored when it is
 * long enough, otherwise computed here among movies with at least `SIMILAR_MIN_RATINGS` ratings.
 * Cacheable: fixed per model version.
 */
export const similarMoviesRoute: ApiRoute = {
  method: 'GET',
  path: '/movies/{movieId}/similar',
  async handle(request, deps) {
    const { movieId, limit, catalogue, serving } = await movieRequest(request, deps, 12);
    if (!serving) {
      return { body: { movieId, modelId: null, strategy: 'none', items: [] }, cache: 'no-store' };
    }
    const modelId = serving.record.modelId;
    const stored = await readRankedList(
      deps.stores().db,
      'similar_movies',
      modelId,
      movieId,
      limit,
    );
    const list =
      stored.length >= limit
        ? stored
        : similarWithSupport(serving.recommender.ranking, movieId, {
            n: limit,
            norms: serving.norms(),
            support: serving.recommender.support,
            minRatings: serving.similarMinRatings,
          });
    return {
      body: {
        movieId,
        modelId,
        strategy: stored.length >= limit ? 'stored' : 'online',
        items: scoredMovies(catalogue, list),
      },
      cache: CATALOGUE_CACHE,
    };
  },
};

/** Users most likely to enjoy a movie they have not rated yet, by the active ranking model. */
export const movieAudienceRoute: ApiRoute = {
  method: 'GET',
  path: '/movies/{movieId}/audience',
  async handle(request, deps) {
    const { movieId, limit, serving } = await movieRequest(request, deps, 10);
    if (!serving) {
      return { body: { movieId, modelId: null, items: [] }, cache: 'no-store' };
    }
    const { db } = deps.stores();
    const raters = await readMovieRaters(db, movieId);
    const audience = audienceForItem(serving.recommender.ranking, movieId, {
      n: limit,
      exclude: raters,
    });
    const summaries = await Promise.all(audience.map((a) => readUserSummary(db, a.userId)));
    return {
      body: {
        movieId,
        modelId: serving.record.modelId,
        ratedBy: raters.size,
        items: audience.map((a, i) => ({
          userId: a.userId,
          predicted: Math.round(a.score * 1000) / 1000,
          ratingCount: summaries[i]?.ratingCount ?? null,
        })),
      },
      cache: 'no-store',
    };
  },
};
