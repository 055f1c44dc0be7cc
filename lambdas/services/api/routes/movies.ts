import { notFound } from '../../../core/serving/api-error.ts';
import { ParameterReader } from '../../../core/serving/params.ts';
import { movieDetails, movieSummary } from '../movie-views.ts';
import { CATALOGUE_CACHE, type ApiRoute } from '../route.ts';

const LIST_LIMIT = { min: 1, max: 100 } as const;

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

export const popularMoviesRoute: ApiRoute = {
  method: 'GET',
  path: '/movies/popular',
  async handle(request, { state }) {
    const catalogue = await state.catalogue();
    const params = new ParameterReader(request.query);
    params.only('genre', 'limit');
    const genre = params.choice('genre', catalogue.genres);
    const limit = params.int('limit', { ...LIST_LIMIT, fallback: 20 });
    params.done();
    const movies = catalogue.popular({ limit, ...(genre ? { genre } : {}) });
    return {
      body: { genre: genre ?? null, items: movies.map(movieSummary) },
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
