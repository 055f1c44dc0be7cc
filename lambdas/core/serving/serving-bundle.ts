import type { AlsModel, UserVector } from '../als/index.ts';
import type { ModelBundle } from '../recommender/bundle.ts';
import { supportByItem } from './ranking.ts';
import {
  predictedStars,
  prepareRecommender,
  type Profile,
  type Recommender,
} from './recommender.ts';

/**
 * On-line similar movies (past the stored list) skip movies with fewer ratings than this: the
 * factors of a movie rated a handful of times are mostly regularization noise and crowd out the
 * neighbours people recognise. The ranking policy's own threshold is tuned for top-N lists, where
 * the blend already discounts such movies; a cosine has no such guard.
 */
export const SIMILAR_MIN_RATINGS = 20;

/**
 * The recommender the API serves from a published bundle: the ranking policy's support is the
 * catalogue's rating count of each movie of `bundle.ranking` (ingestion's counts over all ratings,
 * the data the model was fitted on). Without counts (a catalogue loaded before ingestion finished
 * its statistics) every movie would fail the support filter, so the filter is dropped then.
 */
export function servingRecommender(
  bundle: ModelBundle,
  ratingCount: (movieId: number) => number | undefined,
): { recommender: Recommender; hasCounts: boolean } {
  const support = supportByItem(bundle.ranking, ratingCount);
  const hasCounts = support.some((count) => count > 0);
  const recommender = prepareRecommender({
    ranking: bundle.ranking,
    neighbours: bundle.neighbours,
    blend: bundle.neighbours ? bundle.blend : 0,
    support,
    policy: hasCounts ? bundle.policy : { ...bundle.policy, minRatings: 0 },
  });
  return { recommender, hasCounts };
}

/**
 * A profile as the rating model reads it: stars as given, favourites as the model's top rating
 * (`ratingMax`), a later entry for the same movie winning.
 */
export function ratingProfile(
  rating: AlsModel,
  profile: Profile,
): { movieId: number; rating: number }[] {
  const byMovie = new Map<number, number>();
  for (const { movieId, rating: stars } of profile.ratings) byMovie.set(movieId, stars);
  for (const movieId of profile.favourites ?? []) byMovie.set(movieId, rating.options.ratingMax);
  return [...byMovie].map(([movieId, stars]) => ({ movieId, rating: stars }));
}

/**
 * `predictedRating` of each list item: the rating model's stars for the person, rounded to 0.01;
 * null for every item when the bundle has no rating model or nothing is known about the person.
 * It never reorders a list (the ranking model decides the order).
 */
export function withPredictedRatings<T extends { movieId: number }>(
  items: readonly T[],
  rating: AlsModel | null,
  user: UserVector | null,
): (T & { predictedRating: number | null })[] {
  const stars =
    rating && user
      ? predictedStars(
          rating,
          user,
          items.map((item) => item.movieId),
        )
      : null;
  return items.map((item, k) => ({
    ...item,
    predictedRating: stars ? Math.round(stars[k]! * 100) / 100 : null,
  }));
}
