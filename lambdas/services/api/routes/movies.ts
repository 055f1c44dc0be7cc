import type { LatestOrder, Movie } from '../../../core/serving/catalogue.ts';
import { blendSources } from '../../../core/serving/cold-start.ts';
import {
  MAX_EXCLUDE_IDS,
  MOVIE_LIST_LIMIT,
  TRENDING_DAYS,
} from '../../../core/serving/input-limits.ts';
import { knownGenres, parseMovieBody } from '../../../core/serving/movie-body.ts';
import { movieUpsert } from '../../../core/serving/movie-upsert.ts';
import { notFound } from '../api-error.ts';
import { asRetryable } from '../feedback-store.ts';
import { readMovieRow, writeMovie } from '../movie-store.ts';
import { movieDetails, movieSummary } from '../movie-views.ts';
import { ParameterReader } from '../parameter-reader.ts';
import { CATALOGUE_CACHE, type ApiRoute } from '../route.ts';
import { issueList } from '../served-lists.ts';
import { listFilters } from './recommendation-support.ts';

const POPULAR_ROUTE = '/movies/popular';
const LATEST_ROUTE = '/movies/latest';
const TRENDING_ROUTE = '/movies/trending';
const LATEST_ORDERS: readonly LatestOrder[] = ['added', 'year'];

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
    const limit = params.int('limit', { ...MOVIE_LIST_LIMIT, fallback: 20 });
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
    const limit = params.int('limit', { ...MOVIE_LIST_LIMIT, fallback: 20 });
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

/**
 * The newest movies: `by=added` (default) puts the movies `PUT /movies` added first, newest
 * first, then the rest by release year; `by=year` orders by release year alone. A list like the
 * others (genres, exclude, recommendationId).
 */
export const latestMoviesRoute: ApiRoute = {
  method: 'GET',
  path: LATEST_ROUTE,
  async handle(request, deps) {
    const catalogue = await deps.state.catalogue();
    const params = new ParameterReader(request.query);
    params.only('by', 'genre', 'limit', 'exclude');
    const by = (params.choice('by', LATEST_ORDERS) ?? 'added') as LatestOrder;
    const genres = params.choices('genre', catalogue.genres);
    const limit = params.int('limit', { ...MOVIE_LIST_LIMIT, fallback: 20 });
    const exclude = params.idList('exclude', MAX_EXCLUDE_IDS);
    params.done();
    const movies = catalogue.latest({ by, limit, genres, exclude: new Set(exclude) });
    const items = movies.map((movie) => ({
      ...movieSummary(movie),
      addedAt: movie.addedAt ?? null,
    }));
    const recommendationId = await issueList(deps, {
      route: LATEST_ROUTE,
      strategy: `latest-${by}`,
      modelId: null,
      userId: null,
      items,
    });
    return {
      body: { by, ...listFilters(genres, exclude), recommendationId, items },
      cache: 'no-store',
    };
  },
};

/**
 * What people turned to in the last `days` days (1–30, default 7): movies by the number of
 * distinct users with a rating, like, click or view event (core/feedback/trending.ts), read from
 * the events table (cached per container for RECSYS_TRENDING_TTL_SECONDS). Too few of them for
 * `limit` and the most popular movies fill the rest: each item's `source` says which.
 */
export const trendingMoviesRoute: ApiRoute = {
  method: 'GET',
  path: TRENDING_ROUTE,
  async handle(request, deps) {
    const catalogue = await deps.state.catalogue();
    const params = new ParameterReader(request.query);
    params.only('days', 'genre', 'limit', 'exclude');
    const days = params.int('days', TRENDING_DAYS);
    const genres = params.choices('genre', catalogue.genres);
    const limit = params.int('limit', { ...MOVIE_LIST_LIMIT, fallback: 20 });
    const exclude = params.idList('exclude', MAX_EXCLUDE_IDS);
    params.done();
    const skip = new Set(exclude);
    const passes = (movie: Movie | undefined): movie is Movie =>
      movie !== undefined &&
      !skip.has(movie.movieId) &&
      (genres.length === 0 || genres.some((g) => movie.genres.includes(g)));
    const trending = (await deps.state.trending(days)).flatMap((t) => {
      const movie = catalogue.get(t.movieId);
      return passes(movie) ? [{ ...movieSummary(movie), score: t.users }] : [];
    });
    const popular = catalogue
      .popular({ limit: limit * 2, genres, exclude: skip })
      .map((movie) => ({ ...movieSummary(movie), score: movie.ratingCount }));
    const items = blendSources(
      limit,
      0,
      { source: 'trending', items: trending },
      [],
      [{ source: 'popular', items: popular }],
    );
    const recommendationId = await issueList(deps, {
      route: TRENDING_ROUTE,
      strategy: 'trending',
      modelId: null,
      userId: null,
      items,
    });
    return {
      body: { days, ...listFilters(genres, exclude), recommendationId, items },
      cache: 'no-store',
    };
  },
};

/**
 * `PUT /movies/{movieId}` `{title, genres, year?, tags?}`: adds a movie, or replaces those fields
 * of one (201 added, 200 updated). The movies table is written at LOCAL_QUORUM; this container's
 * catalogue shows it at once, others within their catalogue TTL. A movie no model has rated is a
 * cold item: with a bundle that has a content model it is recommended and has similar movies from
 * its genres, year and tags straight away.
 */
export const putMovieRoute: ApiRoute = {
  method: 'PUT',
  path: '/movies/{movieId}',
  json: true,
  async handle(request, { state, stores }) {
    const params = new ParameterReader(request.query, request.path);
    params.only();
    const movieId = params.pathId('movieId');
    params.done();
    const catalogue = await state.catalogue();
    const body = parseMovieBody(request.body, {
      knownGenres: knownGenres(catalogue.genres),
      currentYear: new Date().getUTCFullYear(),
    });
    const { db } = stores();
    const existing = await asRetryable(() => readMovieRow(db, movieId));
    const { movie, created } = movieUpsert(movieId, body, existing, Date.now());
    await asRetryable(() => writeMovie(db, movieId, body, movie.addedAt ?? null));
    state.putMovie(movie);
    return { status: created ? 201 : 200, body: { created, movie: movieDetails(movie) } };
  },
};
