import type { MovieSummary } from '../api.ts';
import { h } from '../dom.ts';

export function movieTitle(movie: MovieSummary): string {
  return movie.displayTitle ?? movie.title ?? `movie ${movie.movieId}`;
}

/**
 * One line of a movie list: linked title, year, genres, support, the predicted stars when the
 * list carries them (recommendations); `extra` adds controls.
 */
export function movieRow(
  movie: MovieSummary,
  options: { extra?: Node; scoreLabel?: string; testId?: string } = {},
): HTMLLIElement {
  const meta = [
    movie.year ?? null,
    movie.genres?.slice(0, 3).join(', ') || null,
    movie.ratingCount !== undefined ? `${movie.ratingCount} ratings` : null,
    movie.ratingMean ? `★ ${movie.ratingMean.toFixed(2)}` : null,
  ].filter((part) => part !== null);
  return h(
    'li',
    { class: 'movie', 'data-movie-id': movie.movieId, 'data-testid': options.testId },
    h(
      'div',
      { class: 'movie-text' },
      h('a', { href: `#/movie/${movie.movieId}`, class: 'movie-title' }, movieTitle(movie)),
      h('span', { class: 'muted small' }, meta.join(' · ')),
      movie.rating !== undefined ? h('span', { class: 'badge' }, `rated ${movie.rating}`) : null,
      typeof movie.predictedRating === 'number'
        ? h(
            'span',
            {
              class: 'badge predicted',
              title: 'Stars the model predicts you would give it',
              'data-testid': 'predicted-rating',
            },
            `★ ${movie.predictedRating.toFixed(1)} predicted`,
          )
        : null,
      movie.because && movie.because.length > 0 ? becauseLine(movie.because) : null,
      options.scoreLabel && movie.score !== undefined
        ? h('span', { class: 'badge' }, `${options.scoreLabel} ${movie.score.toFixed(2)}`)
        : null,
    ),
    options.extra ?? null,
  );
}

/**
 * "because you rated X, Y": the person's movies that contributed most to a recommendation (the
 * API's `because`, explain=true), each movie's share of the score in its tooltip.
 */
function becauseLine(because: NonNullable<MovieSummary['because']>): HTMLElement {
  const name = (b: (typeof because)[number]) => b.displayTitle ?? b.title ?? `movie ${b.movieId}`;
  return h(
    'span',
    {
      class: 'because muted small',
      'data-testid': 'because',
      title: because.map((b) => `${name(b)}: ${Math.round(b.share * 100)} %`).join('\n'),
    },
    `because you rated ${because.map(name).join(', ')}`,
  );
}

export function movieList(
  movies: readonly MovieSummary[],
  options: {
    empty: string;
    testId?: string;
    scoreLabel?: string;
    row?: (m: MovieSummary) => Node | undefined;
  } = {
    empty: 'Nothing to show.',
  },
): HTMLElement {
  if (movies.length === 0)
    return h('p', { class: 'muted', 'data-testid': options.testId }, options.empty);
  return h(
    'ol',
    { class: 'movies', 'data-testid': options.testId },
    ...movies.map((movie) => {
      const extra = options.row?.(movie);
      return movieRow(movie, {
        ...(extra ? { extra } : {}),
        ...(options.scoreLabel ? { scoreLabel: options.scoreLabel } : {}),
      });
    }),
  );
}

export function strategyNote(result: {
  strategy: string;
  reason?: string;
  millis?: number;
  modelId: string | null;
  diversity?: number;
}): HTMLElement {
  const parts = [`strategy: ${result.strategy}`];
  if (result.diversity !== undefined) parts.push(`diversity ${result.diversity}`);
  if (result.millis !== undefined) parts.push(`fold-in ${result.millis.toFixed(2)} ms`);
  if (result.modelId) parts.push(`model ${result.modelId}`);
  if (result.reason) parts.push(result.reason);
  return h('p', { class: 'muted small', 'data-testid': 'strategy' }, parts.join(' · '));
}
