import type { Movie } from './catalogue.ts';
import type { MovieBody } from './movie-body.ts';

/**
 * What `PUT /movies/{id}` makes of its body and the movie's row as stored (no I/O here). A row
 * without a title holds only rating counts (ratings of a movie the catalogue never listed): the
 * movie is new. A listed movie keeps its links, counts and `addedAt` (null for one ingested with
 * the data set); a new one is added at `now`. The body replaces title, year, genres and tags.
 */
export type StoredMovieRow =
  Movie | { movieId: number; title: null; ratingCount: number; ratingMean: number | null };

export interface MovieUpsert {
  readonly movie: Movie;
  /** No listed movie had this id: answered 201 (else 200). */
  readonly created: boolean;
}

export function movieUpsert(
  movieId: number,
  body: MovieBody,
  existing: StoredMovieRow | undefined,
  now: number,
): MovieUpsert {
  const listed = existing !== undefined && existing.title !== null ? existing : undefined;
  const addedAt = listed ? (listed.addedAt ?? null) : now;
  return {
    movie: {
      movieId,
      title: body.title,
      year: body.year,
      genres: body.genres,
      imdbId: listed?.imdbId ?? null,
      tmdbId: listed?.tmdbId ?? null,
      ratingCount: existing?.ratingCount ?? 0,
      ratingMean: existing?.ratingMean ?? null,
      topTags: body.tags,
      addedAt,
    },
    created: !listed,
  };
}
