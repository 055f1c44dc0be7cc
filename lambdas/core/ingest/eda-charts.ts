import type { RatingAggregator } from './aggregates.ts';
import { mean } from './aggregates.ts';

/**
 * The exploratory charts of the old project, as JSON documents the API serves and the web UI draws.
 * Scatter charts keep at most `maxPoints` points, chosen by a hash of the id so the same data set
 * always gives the same sample (a re-run writes identical documents).
 */

export interface CatalogueMovie {
  readonly movieId: number;
  readonly genres: readonly string[];
}

export interface ChartInput {
  readonly aggregates: RatingAggregator;
  readonly movies: readonly CatalogueMovie[];
  readonly tagsPerMovie: ReadonlyMap<number, number>;
  readonly maxPoints: number;
}

export const DEFAULT_MAX_SCATTER_POINTS = 2_000;

/** The old project's intervals of ratings per movie. */
const RATING_COUNT_BINS = [
  { label: '0-50', min: 0, max: 50 },
  { label: '50-100', min: 50, max: 100 },
  { label: '100-200', min: 100, max: 200 },
  { label: '200+', min: 200, max: Number.POSITIVE_INFINITY },
] as const;

const TAG_COUNT_BINS = [
  { label: '0', min: 0, max: 1 },
  { label: '1', min: 1, max: 2 },
  { label: '2-5', min: 2, max: 6 },
  { label: '6-10', min: 6, max: 11 },
  { label: '11-50', min: 11, max: 51 },
  { label: '51+', min: 51, max: Number.POSITIVE_INFINITY },
] as const;

export type ChartName =
  | 'movies_per_rating_count'
  | 'movie_rating_count_vs_mean'
  | 'user_rating_count_vs_mean'
  | 'tags_per_movie'
  | 'mean_rating_vs_tag_count'
  | 'genre_counts'
  | 'rating_values';

export function buildCharts(input: ChartInput): Record<ChartName, unknown> {
  const { aggregates, movies, tagsPerMovie, maxPoints } = input;
  const ratingCount = (movieId: number) => aggregates.movies.get(movieId)?.count ?? 0;
  const round = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

  const ratedMovies = movies.filter((m) => ratingCount(m.movieId) > 0);
  const genreMovies = new Map<string, number>();
  const genreRatings = new Map<string, number>();
  for (const movie of movies) {
    for (const genre of movie.genres.length > 0 ? movie.genres : ['(no genres listed)']) {
      genreMovies.set(genre, (genreMovies.get(genre) ?? 0) + 1);
      genreRatings.set(genre, (genreRatings.get(genre) ?? 0) + ratingCount(movie.movieId));
    }
  }

  return {
    movies_per_rating_count: {
      bins: RATING_COUNT_BINS.map((bin) => ({
        label: bin.label,
        min: bin.min,
        max: Number.isFinite(bin.max) ? bin.max : null,
        movies: movies.filter((m) => inBin(ratingCount(m.movieId), bin)).length,
      })),
    },
    movie_rating_count_vs_mean: {
      total: ratedMovies.length,
      points: sample(ratedMovies, (m) => m.movieId, maxPoints).map((m) => ({
        movieId: m.movieId,
        count: ratingCount(m.movieId),
        mean: round(mean(aggregates.movies.get(m.movieId))),
      })),
    },
    user_rating_count_vs_mean: {
      total: aggregates.users.size,
      points: sample([...aggregates.users.keys()], (id) => id, maxPoints).map((userId) => {
        const sums = aggregates.users.get(userId)!;
        return { userId, count: sums.count, mean: round(mean(sums)) };
      }),
    },
    tags_per_movie: {
      bins: TAG_COUNT_BINS.map((bin) => ({
        label: bin.label,
        movies: movies.filter((m) => inBin(tagsPerMovie.get(m.movieId) ?? 0, bin)).length,
      })),
      mostTagged: [...tagsPerMovie.entries()]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, 20)
        .map(([movieId, tags]) => ({ movieId, tags })),
    },
    mean_rating_vs_tag_count: {
      total: ratedMovies.length,
      points: sample(ratedMovies, (m) => m.movieId, maxPoints).map((m) => ({
        movieId: m.movieId,
        tags: tagsPerMovie.get(m.movieId) ?? 0,
        mean: round(mean(aggregates.movies.get(m.movieId))),
      })),
    },
    genre_counts: {
      genres: [...genreMovies.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([genre, count]) => ({ genre, movies: count, ratings: genreRatings.get(genre) ?? 0 })),
    },
    rating_values: {
      values: [...aggregates.ratingValues.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([rating, count]) => ({ rating, count })),
    },
  };
}

function inBin(value: number, bin: { min: number; max: number }): boolean {
  return value >= bin.min && value < bin.max;
}

/** Up to `max` items, those whose ids hash lowest, returned in id order. */
export function sample<T>(items: readonly T[], idOf: (item: T) => number, max: number): T[] {
  const chosen =
    items.length <= max
      ? [...items]
      : [...items].sort((a, b) => mix32(idOf(a)) - mix32(idOf(b))).slice(0, max);
  return chosen.sort((a, b) => idOf(a) - idOf(b));
}

/** A 32-bit integer hash with good avalanche (murmur3's finaliser), as an unsigned number. */
function mix32(id: number): number {
  let h = id | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
