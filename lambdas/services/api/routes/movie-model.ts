import { denseItemIndices } from '../../../core/als/index.ts';
import { similarToColdItem } from '../../../core/serving/cold-start.ts';
import {
  candidatePoolSize,
  DEFAULT_DIVERSITY,
  diversify,
} from '../../../core/serving/diversity.ts';
import { MAX_EXCLUDE_IDS, NEIGHBOUR_LIMIT } from '../../../core/serving/input-limits.ts';
import { audienceWithStars } from '../../../core/serving/audience.ts';
import { audienceForItem, similarWithSupport } from '../../../core/serving/neighbours.ts';
import {
  chooseSimilarStrategy,
  storedSimilarReadLimit,
} from '../../../core/serving/similar-strategy.ts';
import { readRankedList } from '../../models/registry.ts';
import { notFound } from '../api-error.ts';
import { scoredMovies } from '../movie-views.ts';
import { ParameterReader } from '../parameter-reader.ts';
import { CATALOGUE_CACHE, type ApiRequest, type ApiRoute, type RouteDeps } from '../route.ts';
import { issueList } from '../served-lists.ts';
import { readMovieRaters, readUserSummary } from '../user-data.ts';
import { genreMask, listFilters, readDiversity } from './recommendation-support.ts';

const SIMILAR_ROUTE = '/movies/{movieId}/similar';

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
 * Neighbours by cosine of the ranking model's item factors: the list training stored when it holds
 * enough movies past the filters (`genre`: any of several, `exclude`: ids), otherwise computed
 * here among movies with at least `SIMILAR_MIN_RATINGS` ratings — the same order either way. A
 * cold movie (one the model lacks or has fewer than the content model's `coldRatings` ratings for)
 * is placed by its content vector instead (`strategy: "content"`), so a movie added a minute ago
 * has similar movies too. Cacheable: fixed per model version and catalogue.
 */
export const similarMoviesRoute: ApiRoute = {
  method: 'GET',
  path: SIMILAR_ROUTE,
  async handle(request, deps) {
    const params = new ParameterReader(request.query, request.path);
    params.only('limit', 'genre', 'exclude', 'diversity');
    const movieId = params.pathId('movieId');
    const limit = params.int('limit', { ...NEIGHBOUR_LIMIT, fallback: 12 });
    const catalogue = await deps.state.catalogue();
    const genres = params.choices('genre', catalogue.genres);
    const exclude = params.idList('exclude', MAX_EXCLUDE_IDS);
    const diversity = readDiversity(params);
    params.done();
    // The diversity dial re-ranks a pool of 10 × limit neighbours (MMR); 0 leaves the list as is.
    const pool = candidatePoolSize(limit, diversity);
    if (!catalogue.get(movieId)) throw notFound(`movie ${movieId}`);
    const serving = await deps.state.activeModel();
    const filters = listFilters(genres, exclude);
    if (!serving) {
      return {
        body: { movieId, modelId: null, strategy: 'none', filters, items: [] },
        cache: 'no-store',
      };
    }
    const modelId = serving.record.modelId;
    const filtered = genres.length > 0 || exclude.length > 0;
    const skip = new Set(exclude);
    const passes = (id: number) => {
      if (skip.has(id)) return false;
      if (genres.length === 0) return true;
      const genresOf = catalogue.get(id)?.genres ?? [];
      return genres.some((g) => genresOf.includes(g));
    };
    const { ranking } = serving.recommender;
    const cold = serving.cold(catalogue);
    const content = cold !== null && cold.indexOf(movieId) >= 0;
    const stored = content
      ? []
      : (
          await readRankedList(
            deps.stores().db,
            'similar_movies',
            modelId,
            movieId,
            storedSimilarReadLimit(filtered, pool),
          )
        ).filter((m) => passes(m.movieId));
    const allowed = genres.length > 0 ? genreMask(serving, catalogue, genres) : undefined;
    const excluded = exclude.length > 0 ? new Set(denseItemIndices(ranking, exclude)) : undefined;
    const online = {
      n: pool,
      norms: serving.norms(),
      support: serving.recommender.support,
      minRatings: serving.similarMinRatings,
      ...(allowed ? { allowed } : {}),
      ...(excluded ? { exclude: excluded } : {}),
    };
    const strategy = chooseSimilarStrategy({
      cold: content,
      storedCount: stored.length,
      limit: pool,
    });
    const list =
      strategy === 'content'
        ? similarToColdItem(cold!, movieId, ranking, online)
        : strategy === 'stored'
          ? stored.slice(0, pool)
          : similarWithSupport(ranking, movieId, online);
    const items = scoredMovies(catalogue, diversify(ranking, list, limit, diversity));
    const recommendationId = await issueList(deps, {
      route: SIMILAR_ROUTE,
      strategy,
      modelId,
      userId: null,
      items,
    });
    return {
      body: {
        movieId,
        modelId,
        strategy,
        recommendationId,
        filters,
        ...(diversity !== DEFAULT_DIVERSITY ? { diversity } : {}),
        items,
      },
      cache: CATALOGUE_CACHE,
    };
  },
};

/**
 * Users most likely to enjoy a movie they have not rated yet, chosen by the active ranking model
 * (`score`), with the rating model's predicted stars for each (`predicted`). Who has rated it is
 * the model's raters index with the API's rating changes since its training (user-data.ts).
 */
export const movieAudienceRoute: ApiRoute = {
  method: 'GET',
  path: '/movies/{movieId}/audience',
  async handle(request, deps) {
    const { movieId, limit, serving } = await movieRequest(request, deps, 10);
    if (!serving) {
      return { body: { movieId, modelId: null, items: [] }, cache: 'no-store' };
    }
    const { db } = deps.stores();
    const raters = await readMovieRaters(db, serving, movieId);
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
        items: audienceWithStars(audience, serving.rating, movieId).map((member, i) => ({
          ...member,
          ratingCount: summaries[i]?.ratingCount ?? null,
        })),
      },
      cache: 'no-store',
    };
  },
};
