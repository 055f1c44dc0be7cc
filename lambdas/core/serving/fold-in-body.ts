import { parseEventTime } from '../feedback/events.ts';
import { DEFAULT_DIVERSITY, DIVERSITY_PROBLEM, isDiversity } from './diversity.ts';
import { MAX_EXCLUDE_IDS, MAX_ID, MAX_LIST_VALUES, RECOMMENDATION_LIMIT } from './input-limits.ts';
import { InvalidInputError, type ParameterProblem } from './invalid-input.ts';

/**
 * A profile can be a whole history: MovieLens users reach thousands of ratings (ml-latest-small's
 * most active has 2,698; held-out users of the evaluation protocol send 80 % of theirs). 5,000
 * ratings fold in in ~20 ms at rank 64 (n·d² to form the system) and fit in the body limit.
 */
export const MAX_PROFILE_MOVIES = 5000;
/** `limit`: the range `GET /users/{id}/recommendations` takes too. */
export const MAX_RECOMMENDATIONS = RECOMMENDATION_LIMIT.max;

export interface FoldInBody {
  /**
   * `timestamp`: when the rating was made, epoch milliseconds (as `POST /events`), on every rating
   * or on none; the fold-in trusts the recent ones more (FOLD_IN_RECENCY). Only their order
   * counts, so epoch seconds (MovieLens files) work as well.
   */
  readonly ratings: readonly { movieId: number; rating: number; timestamp?: number }[];
  readonly favorites: readonly number[];
  readonly limit: number | undefined;
  /** Genre names as given (the route matches them with the catalogue's); any of them passes. */
  readonly genres: readonly string[];
  /** Movies never to recommend, beside the profile's own. */
  readonly exclude: readonly number[];
  /** "Not for me": never recommended, and a negative signal in the fold-in (dislikes.ts). */
  readonly dislikes: readonly number[];
  /** Each item with `because`: the profile's movies that contributed most (explain.ts). */
  readonly explain?: boolean;
  /** The diversity dial in [0, 1] (core/serving/diversity.ts); 0 when absent. */
  readonly diversity: number;
}

const FIELDS = new Set([
  'ratings',
  'favorites',
  'dislikes',
  'limit',
  'genre',
  'exclude',
  'explain',
  'diversity',
]);

/**
 * Validates `{ratings?: [{movieId, rating, timestamp?}], favorites?: [movieId], dislikes?: [movieId],
 * limit?, genre?, exclude?, explain?, diversity?}`,
 * naming each bad field by its path (`ratings.2.rating`). `genre` is one name, several
 * comma-separated ("Comedy,Drama") or a list of names; `exclude` a list of movie ids. Written by
 * hand rather than with a schema library: five fields do not justify ~450 KB in the Lambda bundle
 * and its cold start.
 */
export function parseFoldInBody(body: unknown): FoldInBody {
  const problems: ParameterProblem[] = [];
  const problem = (parameter: string, message: string) =>
    void problems.push({ parameter, message });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError([{ parameter: 'body', message: 'expected a JSON object' }]);
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!FIELDS.has(key)) {
      problem(key, `unknown field; expected ${[...FIELDS].join(', ')}`);
    }
  }
  const isId = (v: unknown): v is number =>
    Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_ID;

  const ratings: { movieId: number; rating: number; timestamp?: number }[] = [];
  let timed = 0;
  if (record.ratings !== undefined) {
    if (!Array.isArray(record.ratings)) problem('ratings', 'expected a list of {movieId, rating}');
    else if (record.ratings.length > MAX_PROFILE_MOVIES)
      problem('ratings', `at most ${MAX_PROFILE_MOVIES} ratings`);
    else {
      record.ratings.forEach((entry: unknown, i) => {
        const item = entry as Record<string, unknown> | null;
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
          return problem(`ratings.${i}`, 'expected {movieId, rating}');
        }
        for (const key of Object.keys(item)) {
          if (key !== 'movieId' && key !== 'rating' && key !== 'timestamp')
            problem(`ratings.${i}.${key}`, 'unknown field');
        }
        const { movieId, rating } = item;
        if (!isId(movieId)) problem(`ratings.${i}.movieId`, 'expected a positive integer movie id');
        if (typeof rating !== 'number' || !(rating >= 0.5 && rating <= 5)) {
          problem(`ratings.${i}.rating`, 'expected a number from 0.5 to 5');
        }
        const timestamp = item.timestamp === undefined ? undefined : parseEventTime(item.timestamp);
        if (item.timestamp !== undefined) {
          timed++;
          if (timestamp === undefined) {
            problem(
              `ratings.${i}.timestamp`,
              'expected epoch milliseconds or an ISO 8601 time with a zone',
            );
          }
        }
        if (isId(movieId) && typeof rating === 'number') {
          ratings.push({ movieId, rating, ...(timestamp === undefined ? {} : { timestamp }) });
        }
      });
      if (timed > 0 && timed < record.ratings.length) {
        problem('ratings', 'give a timestamp on every rating or on none');
      }
    }
  }

  const idList = (field: string, max: number, what: string): number[] => {
    const ids: number[] = [];
    const value = record[field];
    if (value === undefined) return ids;
    if (!Array.isArray(value)) problem(field, 'expected a list of movie ids');
    else if (value.length > max) problem(field, `at most ${max} ${what}`);
    else {
      value.forEach((id: unknown, i) => {
        if (isId(id)) ids.push(id);
        else problem(`${field}.${i}`, 'expected a positive integer movie id');
      });
    }
    return ids;
  };
  const favorites = idList('favorites', MAX_PROFILE_MOVIES, 'favorites');
  const dislikes = idList('dislikes', MAX_PROFILE_MOVIES, 'dislikes');
  if (problems.length === 0 && ratings.length + favorites.length === 0) {
    problem('ratings', 'give at least one of ratings or favorites');
  }

  const exclude = idList('exclude', MAX_EXCLUDE_IDS, 'movie ids');

  const { limit, genre, explain } = record;
  if (explain !== undefined && typeof explain !== 'boolean') {
    problem('explain', 'expected true or false');
  }
  if (
    limit !== undefined &&
    !(
      Number.isInteger(limit) &&
      (limit as number) >= RECOMMENDATION_LIMIT.min &&
      (limit as number) <= MAX_RECOMMENDATIONS
    )
  ) {
    problem(
      'limit',
      `expected an integer from ${RECOMMENDATION_LIMIT.min} to ${MAX_RECOMMENDATIONS}`,
    );
  }
  const names =
    typeof genre === 'string'
      ? genre.split(',')
      : Array.isArray(genre) && genre.every((g) => typeof g === 'string')
        ? (genre as string[])
        : undefined;
  const genres = (names ?? []).map((g) => g.trim()).filter(Boolean);
  if (
    genre !== undefined &&
    (names === undefined || genres.length > MAX_LIST_VALUES || genres.some((g) => g.length > 100))
  ) {
    problem(
      'genre',
      `expected a genre name, comma-separated names or a list of at most ${MAX_LIST_VALUES}`,
    );
  }
  if (record.diversity !== undefined && !isDiversity(record.diversity)) {
    problem('diversity', DIVERSITY_PROBLEM);
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return {
    ratings,
    favorites,
    limit: limit as number | undefined,
    genres: [...new Set(genres)],
    exclude,
    dislikes,
    ...(explain === true ? { explain: true } : {}),
    diversity: (record.diversity as number | undefined) ?? DEFAULT_DIVERSITY,
  };
}
