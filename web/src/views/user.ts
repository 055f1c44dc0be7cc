import { api, genreList, type MovieSummary, type Recommendations } from '../api.ts';
import { errorBox, h, replace } from '../dom.ts';
import { movieList, strategyNote } from './movie-list.ts';

interface UserRatings {
  userId: number;
  ratingCount: number;
  ratingMean: number | null;
  items: MovieSummary[];
}

/** A user's stored recommendations (with filters) beside what they rated. */
export function userView(root: HTMLElement, userId: string | undefined): void {
  const input = h('input', {
    type: 'number',
    min: 1,
    placeholder: 'user id, e.g. 1',
    value: userId ?? '',
    'aria-label': 'User id',
    'data-testid': 'user-id',
  });
  const genre = h('select', { 'aria-label': 'Genre' }, h('option', { value: '' }, 'Any genre'));
  const excludeRated = h('input', { type: 'checkbox', checked: true, id: 'exclude-rated' });
  // The diversity dial: 0 (the model's order) … 1 (each next movie the least like the list).
  const diversityValue = h('output', { 'data-testid': 'diversity-value' }, '0.0');
  const diversity = h('input', {
    type: 'range',
    min: 0,
    max: 1,
    step: 0.1,
    value: 0,
    'aria-label': 'Diversity',
    'data-testid': 'diversity',
    oninput: () => (diversityValue.textContent = Number(diversity.value).toFixed(1)),
    onchange: () => void load(),
  });
  const recs = h('div', { class: 'panel-body', 'data-testid': 'user-recommendations' });
  const rated = h('div', { class: 'panel-body', 'data-testid': 'user-ratings' });
  void genreList()
    .then((list) => list.forEach((g) => genre.append(h('option', { value: g }, g))))
    .catch(() => undefined);

  const load = async () => {
    const id = input.value.trim();
    if (!id) return;
    if (location.hash !== `#/user/${id}`) history.replaceState(null, '', `#/user/${id}`);
    const params = new URLSearchParams({
      limit: '20',
      excludeRated: String(excludeRated.checked),
      explain: 'true',
    });
    if (genre.value) params.set('genre', genre.value);
    if (Number(diversity.value) > 0) params.set('diversity', diversity.value);
    replace(recs, h('p', { class: 'muted' }, 'Loading…'));
    replace(rated, h('p', { class: 'muted' }, 'Loading…'));
    const [r, u] = await Promise.allSettled([
      api<Recommendations>(`/users/${encodeURIComponent(id)}/recommendations?${params}`),
      api<UserRatings>(`/users/${encodeURIComponent(id)}/ratings?limit=100`),
    ]);
    replace(
      recs,
      ...(r.status === 'fulfilled'
        ? [
            strategyNote(r.value),
            movieList(r.value.items, { empty: 'No recommendation.', scoreLabel: 'score' }),
          ]
        : [errorBox(r.reason)]),
    );
    replace(
      rated,
      ...(u.status === 'fulfilled'
        ? [
            h(
              'p',
              { class: 'muted small' },
              `${u.value.ratingCount} ratings, mean ${u.value.ratingMean?.toFixed(2) ?? '–'}`,
            ),
            movieList(u.value.items, { empty: 'No ratings.' }),
          ]
        : [errorBox(u.reason)]),
    );
  };

  const form = h(
    'form',
    { class: 'row', onsubmit: (event: Event) => (event.preventDefault(), void load()) },
    input,
    genre,
    h('label', { for: 'exclude-rated', class: 'small' }, excludeRated, ' hide rated'),
    h(
      'label',
      { class: 'small', title: 'Re-rank by maximal marginal relevance' },
      'diversity ',
      diversity,
      ' ',
      diversityValue,
    ),
    h('button', { type: 'submit' }, 'Look up'),
  );
  replace(
    root,
    h('section', { class: 'panel wide' }, h('h2', {}, 'User lookup'), form),
    h(
      'div',
      { class: 'grid' },
      h('section', { class: 'panel' }, h('h2', {}, 'Recommendations'), recs),
      h('section', { class: 'panel' }, h('h2', {}, 'Rated movies'), rated),
    ),
  );
  if (userId) void load().catch((error: unknown) => replace(recs, errorBox(error)));
}
