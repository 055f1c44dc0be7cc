import { notFound } from '../../../core/serving/api-error.ts';
import { MAX_EXCLUDE_IDS, ParameterReader } from '../../../core/serving/params.ts';
import { movieDetails, movieSummary } from '../movie-views.ts';
import { CATALOGUE_CACHE, type ApiRoute } from '../route.ts';
import { issueList } from '../served-lists.ts';
import { listFilters } from './recommendation-support.ts';

const LIST_LIMIT = { min: 1, max: 100 } as const;
const POPULAR_ROUTE = '/movies/popular';

/** Title search over the in-memory catalogue (see core/serving/catalogue.ts for why in memory). */
export const searchMoviesRoute: ApiRoute = {
  method: 'GET',
  path: '/movies',
  async handle(request, { state }) {
    const catalogue = await state.catalogue();
    const params = new ParameterReader(request.query);
    params.only('search', 'genre', 'limit');
    const search = params.text('search', 200);
    const genre = params.choice('genre', catalogue.genres);
    const limit = params.int('limit', { ...LIST_LIMIT, fallback: 20 });
    params.done();
    const movies = catalogue.search(search, { limit, ...(genre ? { genre } : {}) });
    return {
      body: { search: search ?? null, genre: genre ?? null, items: movies.map(movieSummary) },
      cache: CATALOGUE_CACHE,
    };
  },
};

/** The most rated movies (of any of several genres, skipping `exclude`): a list like the others. */
export const popularMoviesRoute: ApiRoute = {
  method: 'GET',
  path: POPULAR_ROUTE,
  async handle(request, deps) {
    const catalogue = await deps.state.catalogue();
    const params = new ParameterReader(request.query);
    params.only('genre', 'limit', 'exclude');
    const genres = params.choices('genre', catalogue.genres);
    const limit = params.int('limit', { ...LIST_LIMIT, fallback: 20 });
    const exclude = params.idList('exclude', MAX_EXCLUDE_IDS);
    params.done();
    const movies = catalogue.popular({ limit, genres, exclude: new Set(exclude) });
    const items = movies.map(movieSummary);
    const recommendationId = await issueList(deps, {
      route: POPULAR_ROUTE,
      strategy: 'popularity',
      modelId: null,
      userId: null,
      items,
    });
    return {
      body: { ...listFilters(genres, exclude), recommendationId, items },
      cache: CATALOGUE_CACHE,
    };
  },
};

export const genresRoute: ApiRoute = {
  method: 'GET',
  path: '/genres',
  async handle(request, { state }) {
    const params = new ParameterReader(request.query);
    params.only();
    params.done();
    const catalogue = await state.catalogue();
    return { body: { genres: catalogue.genres }, cache: CATALOGUE_CACHE };
  },
};

export const movieRoute: ApiRoute = {
  method: 'GET',
  path: '/movies/{movieId}',
  async handle(request, { state }) {
    const params = new ParameterReader(request.query, request.path);
    params.only();
    const movieId = params.pathId('movieId');
    params.done();
    const movie = (await state.catalogue()).get(movieId);
    if (!movie) throw notFound(`movie ${movieId}`);
    return { body: movieDetails(movie), cache: CATALOGUE_CACHE };
  },
};
