import type { Catalogue } from '../../../core/serving/catalogue.ts';
import { movieSummary } from '../movie-views.ts';
import type { ServingModel } from '../serving-state.ts';

export const RECOMMENDATION_LIMIT = { min: 1, max: 100 } as const;

const masks = new WeakMap<ServingModel, Map<string, Uint8Array>>();

/** 1 for the ranking model's movies of `genre`; built once per model and genre. */
export function genreMask(serving: ServingModel, catalogue: Catalogue, genre: string): Uint8Array {
  let byGenre = masks.get(serving);
  if (!byGenre) masks.set(serving, (byGenre = new Map()));
  let mask = byGenre.get(genre);
  if (!mask) {
    const { itemIds } = serving.recommender.ranking;
    mask = new Uint8Array(itemIds.size);
    for (let i = 0; i < mask.length; i++) {
      if (catalogue.get(itemIds.ids[i]!)?.genres.includes(genre)) mask[i] = 1;
    }
    byGenre.set(genre, mask);
  }
  return mask;
}

/** The most rated movies with a score of their rating count, for users the model cannot rank. */
export function popularityFallback(
  catalogue: Catalogue,
  options: { limit: number; genre: string | undefined; exclude: ReadonlySet<number> },
) {
  return catalogue
    .popular({
      limit: options.limit,
      exclude: options.exclude,
      ...(options.genre ? { genre: options.genre } : {}),
    })
    .map((movie) => ({ ...movieSummary(movie), score: movie.ratingCount }));
}
