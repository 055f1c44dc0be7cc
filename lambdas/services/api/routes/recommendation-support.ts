import type { Catalogue } from '../../../core/serving/catalogue.ts';
import { movieSummary } from '../movie-views.ts';
import type { ServingModel } from '../serving-state.ts';

export const RECOMMENDATION_LIMIT = { min: 1, max: 100 } as const;

const masks = new WeakMap<ServingModel, Map<string, Uint8Array>>();

/**
 * 1 for the ranking model's movies of any of `genres`; built once per model and genre set. Masks
 * are kept for the model's life: a handful of genre combinations × one byte per movie.
 */
export function genreMask(
  serving: ServingModel,
  catalogue: Catalogue,
  genres: readonly string[],
): Uint8Array {
  let byGenre = masks.get(serving);
  if (!byGenre) masks.set(serving, (byGenre = new Map()));
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
