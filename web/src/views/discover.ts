import { api, genreList, type MovieSummary, type Recommendations } from '../api.ts';
import { debounce, errorBox, h, replace } from '../dom.ts';
import { movieList, movieTitle, strategyNote } from './movie-list.ts';

/** A profile built in this browser: favourites count as top ratings for the fold-in. */
interface Pick {
  movie: MovieSummary;
  rating: number | 'favorite';
}

const picks = new Map<number, Pick>();
const RATING_CHOICES = [5, 4.5, 4, 3.5, 3, 2.5, 2, 1.5, 1, 0.5];

/** Search, pick favourites or rate, and watch fold-in recommendations update. */
export function discoverView(root: HTMLElement): void {
  const search = h('input', {
    type: 'search',
    placeholder: 'Search titles, e.g. toy story',
    'aria-label': 'Search movies',
    'data-testid': 'search',
    autocomplete: 'off',
  });
  const genre = h(
    'select',
    { 'aria-label': 'Genre', 'data-testid': 'search-genre' },
    h('option', { value: '' }, 'All genres'),
  );
  const results = h('div', { class: 'panel-body' });
  const profile = h('div', { class: 'panel-body', 'data-testid': 'profile' });
  const recs = h('div', { class: 'panel-body', 'data-testid': 'recommendations' });
  const recGenre = h(
    'select',
    { 'aria-label': 'Recommendation genre' },
    h('option', { value: '' }, 'Any genre'),
  );

  void genreList()
    .then((list) => {
      for (const g of list) {
        genre.append(h('option', { value: g }, g));
        recGenre.append(h('option', { value: g }, g));
      }
    })
    .catch(() => undefined);

  const runSearch = async () => {
    const params = new URLSearchParams({ limit: '15' });
    if (search.value.trim()) params.set('search', search.value.trim());
    if (genre.value) params.set('genre', genre.value);
    try {
      const result = await api<{ items: MovieSummary[] }>(`/movies?${params}`);
      replace(
        results,
        movieList(result.items, {
          empty: 'No movie matches.',
          testId: 'search-results',
          row: pickControls,
        }),
      );
    } catch (error) {
      replace(results, errorBox(error));
    }
  };

  const refresh = async () => {
    renderProfile();
    if (picks.size === 0) {
      replace(recs, h('p', { class: 'muted' }, 'Pick a few favourites or rate some movies.'));
      return;
    }
    const favorites = [...picks.values()]
      .filter((p) => p.rating === 'favorite')
      .map((p) => p.movie.movieId);
    const ratings = [...picks.values()]
      .filter((p) => p.rating !== 'favorite')
      .map((p) => ({ movieId: p.movie.movieId, rating: p.rating as number }));
    try {
      const result = await api<Recommendations>('/recommendations', {
        method: 'POST',
        body: {
          favorites,
          ratings,
          limit: 15,
          explain: true,
          ...(recGenre.value ? { genre: recGenre.value } : {}),
        },
      });
      replace(
        recs,
        strategyNote(result),
        movieList(result.items, {
          empty: 'No recommendation.',
          testId: 'recommendation-list',
          scoreLabel: 'score',
        }),
      );
    } catch (error) {
      replace(recs, errorBox(error));
    }
  };

  function pickControls(movie: MovieSummary): Node {
    const current = picks.get(movie.movieId);
    const favourite = h(
      'button',
      {
        type: 'button',
        class: current?.rating === 'favorite' ? 'fav on' : 'fav',
        'aria-pressed': current?.rating === 'favorite' ? 'true' : 'false',
        title: 'Favourite',
        'data-testid': 'favorite',
        onclick: () => {
          if (picks.get(movie.movieId)?.rating === 'favorite') picks.delete(movie.movieId);
          else picks.set(movie.movieId, { movie, rating: 'favorite' });
          favourite.classList.toggle('on', picks.get(movie.movieId)?.rating === 'favorite');
          void refresh();
        },
      },
      '♥',
    );
    const rate = h(
      'select',
      {
        'aria-label': `Rate ${movieTitle(movie)}`,
        'data-testid': 'rate',
        onchange: () => {
          if (rate.value === '') picks.delete(movie.movieId);
          else picks.set(movie.movieId, { movie, rating: Number(rate.value) });
          favourite.classList.remove('on');
          void refresh();
        },
      },
      h('option', { value: '' }, 'rate'),
      ...RATING_CHOICES.map((r) =>
        h(
          'option',
          { value: r, selected: typeof current?.rating === 'number' && current.rating === r },
          `${r} ★`,
        ),
      ),
    );
    return h('div', { class: 'controls' }, favourite, rate);
  }

  function renderProfile() {
    if (picks.size === 0) {
      replace(profile, h('p', { class: 'muted' }, 'Your picks appear here.'));
      return;
    }
    replace(
      profile,
      h(
        'ul',
        { class: 'chips' },
        ...[...picks.values()].map((p) =>
          h(
            'li',
            { class: 'chip' },
            `${p.rating === 'favorite' ? '♥' : `${p.rating} ★`} ${movieTitle(p.movie)}`,
            h(
              'button',
              {
                type: 'button',
                'aria-label': `Remove ${movieTitle(p.movie)}`,
                onclick: () => {
                  picks.delete(p.movie.movieId);
                  void refresh();
                  void runSearch();
                },
              },
              '×',
            ),
          ),
        ),
      ),
    );
  }

  const searchSoon = debounce(() => void runSearch(), 250);
  search.addEventListener('input', searchSoon);
  genre.addEventListener('change', () => void runSearch());
  recGenre.addEventListener('change', () => void refresh());

  replace(
    root,
    h(
      'div',
      { class: 'grid' },
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Find movies'),
        h('div', { class: 'row' }, search, genre),
        results,
      ),
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Your profile'),
        profile,
        h('div', { class: 'row' }, h('h2', {}, 'Recommended for you'), recGenre),
        recs,
      ),
    ),
  );
  void runSearch();
  void refresh();
}
