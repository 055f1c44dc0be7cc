import type { FoldInBody } from './fold-in-body.ts';
import { InvalidInputError } from './invalid-input.ts';

/**
 * What `POST /recommendations` decides from its body and the catalogue before any model runs
 * (no I/O here): the genres in the catalogue's spelling, which of the given movies the catalogue
 * lacks, and what never comes back in the list.
 */

/**
 * The catalogue's spelling of each asked genre (matched ignoring case), each once, in the order
 * asked; a genre the catalogue lacks refuses the request (400, parameter `genre`).
 */
export function catalogueGenres(names: readonly string[], known: readonly string[]): string[] {
  const genres: string[] = [];
  for (const name of names) {
    const genre = known.find((g) => g.toLowerCase() === name.toLowerCase());
    if (!genre)
      throw new InvalidInputError([{ parameter: 'genre', message: `unknown genre "${name}"` }]);
    if (!genres.includes(genre)) genres.push(genre);
  }
  return genres;
}

export interface FoldInMovies {
  /** The profile's own movies: rated, then favourites. */
  readonly given: number[];
  /** Given movies the catalogue lacks. */
  readonly unknown: number[];
  /** The catalogue knows none of the given movies (a 404: nothing to fold in). */
  readonly noneKnown: boolean;
  /** Never recommended: the profile's own movies, `exclude` and the dislikes. */
  readonly skipped: number[];
}

export function foldInMovies(
  body: Pick<FoldInBody, 'ratings' | 'favorites' | 'exclude' | 'dislikes'>,
  inCatalogue: (movieId: number) => boolean,
): FoldInMovies {
  const given = [...body.ratings.map((r) => r.movieId), ...body.favorites];
  const unknown = given.filter((id) => !inCatalogue(id));
  return {
    given,
    unknown,
    noneKnown: unknown.length === given.length,
    skipped: [...given, ...body.exclude, ...body.dislikes],
  };
}

/** Why a fold-in request fell back to the most popular movies. */
export function foldInFallbackReason(hasModel: boolean): string {
  return hasModel ? 'the model knows none of these movies' : 'no model is active yet';
}
