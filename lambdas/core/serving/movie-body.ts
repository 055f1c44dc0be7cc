import { normalizeTag } from '../content/content-model.ts';
import { InvalidInputError, type ParameterProblem } from './invalid-input.ts';

/** MovieLens' genres (its README), accepted for a new movie even before any movie uses them. */
export const MOVIELENS_GENRES: readonly string[] = [
  'Action',
  'Adventure',
  'Animation',
  'Children',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'IMAX',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

export const MOVIE_TITLE_MAX = 300;
export const MOVIE_GENRES_MAX = 10;
export const MOVIE_TAGS_MAX = 20;
export const MOVIE_TAG_MAX_LENGTH = 60;
/** The first films (Roundhay Garden Scene, 1888) to a few years ahead (announced releases). */
export const MOVIE_YEAR_MIN = 1870;
export const MOVIE_YEAR_AHEAD = 10;

/** `PUT /movies/{movieId}` as validated: canonical genre spellings, tags normalized. */
export interface MovieBody {
  readonly title: string;
  readonly genres: string[];
  readonly year: number | null;
  readonly tags: string[];
}

const FIELDS = ['title', 'genres', 'year', 'tags'];
// Control characters (C0, DEL, C1) are refused in titles and tags: they break logs and CSV exports.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates `{title, genres, year?, tags?}`: a title of 1–300 characters; 0–10 genres, each one
 * of `knownGenres` (matched without regard to case; the catalogue's genres and MovieLens' list);
 * a whole year from 1870 to this year + 10, or null; up to 20 tags of 1–60 characters (stored
 * lower case, repeats dropped). One 400 names every bad field (`genres.2`, `tags.0`).
 */
export function parseMovieBody(
  body: unknown,
  context: { knownGenres: readonly string[]; currentYear: number },
): MovieBody {
  if (!isPlainObject(body)) {
    throw new InvalidInputError([
      { parameter: 'body', message: 'expected a JSON object {title, genres, year?, tags?}' },
    ]);
  }
  const problems: ParameterProblem[] = [];
  const problem = (parameter: string, message: string) =>
    void problems.push({ parameter, message });
  for (const key of Object.keys(body)) {
    if (!FIELDS.includes(key)) problem(key, `unknown field; expected ${FIELDS.join(', ')}`);
  }

  let title = '';
  if (typeof body.title !== 'string') problem('title', 'expected a string');
  else {
    title = body.title.trim();
    if (title.length === 0) problem('title', 'must not be empty');
    else if (title.length > MOVIE_TITLE_MAX)
      problem('title', `longer than ${MOVIE_TITLE_MAX} characters`);
    else if (CONTROL.test(title)) problem('title', 'contains control characters');
  }

  const genres: string[] = [];
  if (!Array.isArray(body.genres)) problem('genres', 'expected a list of genre names');
  else if (body.genres.length > MOVIE_GENRES_MAX)
    problem('genres', `at most ${MOVIE_GENRES_MAX} genres`);
  else {
    body.genres.forEach((raw: unknown, i) => {
      const name = typeof raw === 'string' ? raw.trim() : undefined;
      const found =
        name === undefined
          ? undefined
          : context.knownGenres.find((g) => g.toLowerCase() === name.toLowerCase());
      if (found === undefined) {
        const shown = typeof raw === 'string' ? `"${raw.slice(0, 40)}"` : 'not a string';
        problem(`genres.${i}`, `unknown genre ${shown}; one of: ${context.knownGenres.join(', ')}`);
      } else if (!genres.includes(found)) genres.push(found);
    });
  }

  let year: number | null = null;
  if (body.year !== undefined && body.year !== null) {
    const max = context.currentYear + MOVIE_YEAR_AHEAD;
    if (
      !Number.isInteger(body.year) ||
      (body.year as number) < MOVIE_YEAR_MIN ||
      (body.year as number) > max
    ) {
      problem('year', `expected a whole year from ${MOVIE_YEAR_MIN} to ${max}, or null`);
    } else year = body.year as number;
  }

  const tags: string[] = [];
  if (body.tags !== undefined && body.tags !== null) {
    if (!Array.isArray(body.tags)) problem('tags', 'expected a list of tags');
    else if (body.tags.length > MOVIE_TAGS_MAX) problem('tags', `at most ${MOVIE_TAGS_MAX} tags`);
    else {
      body.tags.forEach((raw: unknown, i) => {
        if (typeof raw !== 'string') return problem(`tags.${i}`, 'expected a string');
        const tag = normalizeTag(raw);
        if (tag.length === 0) return problem(`tags.${i}`, 'must not be empty');
        if (tag.length > MOVIE_TAG_MAX_LENGTH)
          return problem(`tags.${i}`, `longer than ${MOVIE_TAG_MAX_LENGTH} characters`);
        if (CONTROL.test(tag)) return problem(`tags.${i}`, 'contains control characters');
        if (!tags.includes(tag)) tags.push(tag);
      });
    }
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return { title, genres, year, tags };
}

/** The genres a new movie may use: the catalogue's and MovieLens', sorted, without repeats. */
export function knownGenres(catalogueGenres: readonly string[]): string[] {
  return [...new Set([...MOVIELENS_GENRES, ...catalogueGenres])].sort();
}
