import { api, type MovieDetails, type MovieSummary } from '../api.ts';
import { errorBox, h, replace } from '../dom.ts';
import { movieList, movieTitle } from './movie-list.ts';

interface Audience {
  ratedBy?: number;
  /** Why the API could not name an audience (a model published without a raters index: 409). */
  unavailable?: string;
  /** predicted: the rating model's stars (null without one); score: the ranking model's x·y. */
  items: { userId: number; predicted: number | null; score: number; ratingCount: number | null }[];
}

/** One movie: facts, links, tags, neighbours by the model, and who would enjoy it. */
export async function movieView(root: HTMLElement, movieId: string): Promise<void> {
  replace(root, h('p', { class: 'muted' }, 'Loading…'));
  try {
    const [movie, similar, audience] = await Promise.all([
      api<MovieDetails>(`/movies/${encodeURIComponent(movieId)}`),
      api<{ items: MovieSummary[]; strategy: string }>(
        `/movies/${encodeURIComponent(movieId)}/similar?limit=12`,
      ),
      // The movie page stands without its audience: a model trained before raters indexes has none.
      api<Audience>(`/movies/${encodeURIComponent(movieId)}/audience?limit=10`).catch(
        (error: unknown): Audience => ({
          items: [],
          unavailable: error instanceof Error ? error.message : String(error),
        }),
      ),
    ]);
    const links = [
      movie.links.imdb
        ? h(
            'a',
            {
              href: movie.links.imdb,
              target: '_blank',
              rel: 'noopener',
              'data-testid': 'imdb-link',
            },
            'IMDb',
          )
        : null,
      movie.links.tmdb
        ? h(
            'a',
            {
              href: movie.links.tmdb,
              target: '_blank',
              rel: 'noopener',
              'data-testid': 'tmdb-link',
            },
            'TMDB',
          )
        : null,
    ];
    replace(
      root,
      h(
        'section',
        { class: 'panel wide', 'data-testid': 'movie-page' },
        h(
          'h1',
          { 'data-testid': 'movie-title' },
          movieTitle(movie),
          movie.year ? h('span', { class: 'muted' }, ` (${movie.year})`) : null,
        ),
        h('p', {}, (movie.genres ?? []).join(' · ')),
        h(
          'p',
          { class: 'muted' },
          `${movie.ratingCount ?? 0} ratings`,
          movie.ratingMean ? `, mean ★ ${movie.ratingMean.toFixed(2)}` : '',
        ),
        h('p', { class: 'links' }, ...links),
        movie.topTags.length > 0
          ? h('ul', { class: 'chips' }, ...movie.topTags.map((t) => h('li', { class: 'chip' }, t)))
          : null,
      ),
      h(
        'div',
        { class: 'grid' },
        h(
          'section',
          { class: 'panel' },
          h('h2', {}, 'Similar movies'),
          movieList(similar.items, {
            empty: 'The model has no neighbours for this movie.',
            testId: 'similar-list',
            scoreLabel: 'cos',
          }),
        ),
        h(
          'section',
          { class: 'panel' },
          h('h2', {}, 'Likely audience'),
          h(
            'p',
            { class: 'muted small' },
            `Users who have not rated it yet, most likely to watch it first by the ranking model's score, with the stars the rating model predicts they would give it (${audience.ratedBy ?? 0} rated it).`,
          ),
          audience.unavailable !== undefined
            ? h('p', { class: 'muted' }, audience.unavailable)
            : audience.items.length === 0
              ? h('p', { class: 'muted' }, 'No model yet.')
              : h(
                  'ol',
                  { class: 'movies' },
                  ...audience.items.map((a) =>
                    h(
                      'li',
                      { class: 'movie' },
                      h('a', { href: `#/user/${a.userId}` }, `user ${a.userId}`),
                      h(
                        'span',
                        { class: 'muted small' },
                        (a.predicted === null ? '' : ` predicted ★ ${a.predicted.toFixed(2)} ·`) +
                          ` score ${a.score.toFixed(3)} · ${a.ratingCount ?? '?'} ratings`,
                      ),
                    ),
                  ),
                ),
        ),
      ),
    );
  } catch (error) {
    replace(root, errorBox(error));
  }
}
