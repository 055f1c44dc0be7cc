import { denseItemIndices } from '../../../core/als/index.ts';
import type { Catalogue } from '../../../core/serving/catalogue.ts';
import { blendSources, coldCandidates, type ItemSource } from '../../../core/serving/cold-start.ts';
import {
  DEFAULT_DIVERSITY,
  DIVERSITY_PROBLEM,
  parseDiversityText,
} from '../../../core/serving/diversity.ts';
import type { ListRequest } from '../../../core/serving/recommender.ts';
import { logger } from '../../logger.ts';
import { movieSummary, scoredMovies } from '../movie-views.ts';
import type { ParameterReader } from '../parameter-reader.ts';
import type { ServingModel, ServingState } from '../serving-state.ts';

const masks = new WeakMap<
  ServingModel,
  { catalogue: Catalogue; byGenre: Map<string, Uint8Array> }
>();

/**
 * 1 for the ranking model's movies of any of `genres`; built once per model, catalogue version
 * (a `PUT /movies` may change a movie's genres) and genre set: a handful of genre combinations ×
 * one byte per movie.
 */
export function genreMask(
  serving: ServingModel,
  catalogue: Catalogue,
  genres: readonly string[],
): Uint8Array {
  let entry = masks.get(serving);
  if (entry?.catalogue !== catalogue)
    masks.set(serving, (entry = { catalogue, byGenre: new Map() }));
  const byGenre = entry.byGenre;
  const key = [...genres].sort().join('|');
  let mask = byGenre.get(key);
  if (!mask) {
    const { itemIds } = serving.recommender.ranking;
    mask = new Uint8Array(itemIds.size);
    for (let i = 0; i < mask.length; i++) {
      const movie = catalogue.get(itemIds.ids[i]!);
      if (movie && genres.some((g) => movie.genres.includes(g))) mask[i] = 1;
    }
    byGenre.set(key, mask);
  }
  return mask;
}

/**
 * n, the movies to skip (as dense items of the ranking model) and the genre mask: the request
 * `recommendForVector` and `recommendForProfile` take.
 */
export function listRequest(
  serving: ServingModel,
  catalogue: Catalogue,
  skipped: Iterable<number>,
  genres: readonly string[],
  limit: number,
): ListRequest {
  const exclude = new Set(denseItemIndices(serving.recommender.ranking, [...skipped]));
  const allowed = genres.length > 0 ? genreMask(serving, catalogue, genres) : undefined;
  return { n: limit, exclude, ...(allowed ? { allowed } : {}) };
}

/** The `diversity` query parameter (the MMR dial, core/serving/diversity.ts); off when absent. */
export function readDiversity(params: ParameterReader): number {
  return params.parsed('diversity', parseDiversityText, DIVERSITY_PROBLEM, DEFAULT_DIVERSITY);
}

/** The most rated movies with a score of their rating count, for users the model cannot rank. */
export function popularityFallback(
  catalogue: Catalogue,
  options: { limit: number; genres: readonly string[]; exclude: ReadonlySet<number> },
) {
  return catalogue
    .popular({ limit: options.limit, exclude: options.exclude, genres: options.genres })
    .map((movie) => ({ ...movieSummary(movie), score: movie.ratingCount }));
}

/** The filters a list response echoes: `genre` as given (comma-joined, canonical) and parsed. */
export function listFilters(genres: readonly string[], exclude: readonly number[]) {
  return { genre: genres.length > 0 ? genres.join(',') : null, genres, exclude };
}

/** Trending movies read for filling lists: the last week. */
export const FILL_TRENDING_DAYS = 7;

type Listed = { movieId: number; score: number } & Record<string, unknown>;

/**
 * A personal list from its sources: the ranking model's items (`primary`), cold movies scored by
 * the person's vector in the cold slots (the serving state's share; none without a content model
 * or a vector), and — when the result is still short of `limit` (narrow filters, a small
 * catalogue) — trending then popular movies. `skip`: movie ids no source may add (rated, liked,
 * disliked, excluded); `genres`: any of them, for the added movies too.
 */
export async function listFromSources(
  state: ServingState,
  serving: ServingModel | undefined,
  catalogue: Catalogue,
  options: {
    limit: number;
    genres: readonly string[];
    /** Movie ids no added source may use; asked for only when a cold or fill source runs. */
    skip: () => Promise<ReadonlySet<number>>;
    user: ArrayLike<number> | null;
    primary: { source: ItemSource; items: readonly Listed[] };
  },
): Promise<(Listed & { source: ItemSource })[]> {
  const { limit, genres, user, primary } = options;
  const share = state.coldStartShare;
  const cold = serving && user && share > 0 ? serving.cold(catalogue) : null;
  const short = primary.items.length < limit;
  if (!cold && (!short || primary.source !== 'model')) {
    return primary.items.slice(0, limit).map((item) => ({ ...item, source: primary.source }));
  }
  const skip = await options.skip();
  const passes = (movieId: number) => {
    if (skip.has(movieId)) return false;
    if (genres.length === 0) return true;
    const movie = catalogue.get(movieId);
    return movie !== undefined && genres.some((g) => movie.genres.includes(g));
  };
  const coldItems = cold ? scoredMovies(catalogue, coldCandidates(cold, user!, limit, passes)) : [];
  const blended = blendSources(limit, share, primary, coldItems);
  if (blended.length >= limit || primary.source !== 'model') return blended;
  const used = new Set(blended.map((item) => item.movieId));
  const fresh = (movieId: number) => passes(movieId) && !used.has(movieId);
  let trending: Listed[] = [];
  try {
    trending = (await state.trending(FILL_TRENDING_DAYS))
      .filter((t) => fresh(t.movieId) && catalogue.get(t.movieId))
      .slice(0, limit)
      .map((t) => ({ ...movieSummary(catalogue.get(t.movieId)!), score: t.users }));
  } catch (error) {
    logger.warn('trending movies unavailable for filling a list', { error: String(error) });
  }
  const popular = catalogue
    .popular({ limit: limit * 2, genres, exclude: new Set([...skip, ...used]) })
    .map((movie) => ({ ...movieSummary(movie), score: movie.ratingCount }));
  return blendSources(limit, share, primary, coldItems, [
    { source: 'trending', items: trending },
    { source: 'popular', items: popular },
  ]);
}
