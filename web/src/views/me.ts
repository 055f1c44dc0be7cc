import { api, ApiFailure, type MovieSummary, type Recommendations } from '../api.ts';
import { debounce, errorBox, h, replace } from '../dom.ts';
import { movieList, movieTitle, strategyNote } from './movie-list.ts';

/** Which user this browser is: kept in localStorage, everything else lives in the database. */
const ME_STORAGE = 'recsys.meUserId';
const RATING_CHOICES = [5, 4.5, 4, 3.5, 3, 2.5, 2, 1.5, 1, 0.5];
/** New ids are drawn above MovieLens' users (ml-32m has ~200k) so they never collide with one. */
const NEW_ID_MIN = 10_000_000;
const NEW_ID_SPAN = 1_000_000_000;

interface MeData {
  ratings: Map<number, { movie: MovieSummary; rating: number }>;
  likes: Map<number, { movie: MovieSummary; liked: boolean }>;
}

interface UserRatingsReply {
  items: (MovieSummary & { rating: number })[];
  likes?: (MovieSummary & { liked: boolean })[];
}

export function meUserId(): string {
  return localStorage.getItem(ME_STORAGE) ?? '';
}

/**
 * "Me": be a user — pick an id or make a new one — then rate and like movies and watch your list
 * change. Every rating goes through `PUT`/`DELETE /users/{id}/ratings/{movieId}`, every ♥
 * through `POST /events` (a like; taking it back sends a like with value 0) and every ✕ ("not for
 * me", on recommended and searched movies) through `PUT`/`DELETE /users/{id}/dislikes/{movieId}`,
 * so a reload, another browser or the API itself sees the same profile.
 */
export function meView(root: HTMLElement, fromHash: string | undefined): void {
  if (fromHash && /^\d+$/.test(fromHash)) localStorage.setItem(ME_STORAGE, fromHash);
  const data: MeData = { ratings: new Map(), likes: new Map() };
  const idInput = h('input', {
    type: 'number',
    min: 1,
    placeholder: 'your user id',
    value: meUserId(),
    'aria-label': 'Your user id',
    'data-testid': 'me-id-input',
  });
  const who = h('p', { class: 'muted small', 'data-testid': 'me-user-id' });
  const search = h('input', {
    type: 'search',
    placeholder: 'Search titles to rate or like',
    'aria-label': 'Search movies to rate',
    'data-testid': 'me-search',
    autocomplete: 'off',
  });
  const results = h('div', { class: 'panel-body', 'data-testid': 'me-search-results' });
  const mine = h('div', { class: 'panel-body', 'data-testid': 'me-profile' });
  const recs = h('div', { class: 'panel-body', 'data-testid': 'me-recommendations' });
  const status = h('p', {
    class: 'muted small',
    'data-testid': 'me-status',
    'aria-live': 'polite',
  });
  let lastResults: MovieSummary[] = [];

  const userId = () => meUserId();
  const path = () => `/users/${encodeURIComponent(userId())}`;

  const choose = (id: string) => {
    localStorage.setItem(ME_STORAGE, id);
    idInput.value = id;
    if (location.hash !== `#/me/${id}`) history.replaceState(null, '', `#/me/${id}`);
    void reload();
  };

  const reload = async () => {
    const id = userId();
    replace(who, id ? `You are user ${id}.` : 'Pick a user id or make a new one.');
    data.ratings.clear();
    data.likes.clear();
    if (!id) {
      replace(mine, h('p', { class: 'muted' }, 'No user chosen.'));
      replace(recs);
      return;
    }
    try {
      const reply = await api<UserRatingsReply>(`${path()}/ratings?limit=1000`);
      for (const { rating, ...movie } of reply.items)
        data.ratings.set(movie.movieId, { movie, rating });
      for (const { liked, ...movie } of reply.likes ?? [])
        data.likes.set(movie.movieId, { movie, liked });
    } catch (error) {
      // A new id has nothing stored yet: 404 is an empty profile.
      if (!(error instanceof ApiFailure && error.status === 404)) replace(mine, errorBox(error));
    }
    renderProfile();
    renderResults();
    await refreshList();
  };

  const refreshList = async () => {
    if (!userId()) return;
    try {
      const result = await api<Recommendations>(`${path()}/recommendations?limit=10&explain=true`);
      replace(
        recs,
        strategyNote(result),
        movieList(result.items, {
          empty: 'No recommendation.',
          testId: 'me-recommendation-list',
          row: (movie) => h('div', { class: 'controls' }, sourceBadge(movie), notForMe(movie)),
        }),
      );
    } catch (error) {
      replace(recs, errorBox(error));
    }
  };

  const write = async (what: string, request: () => Promise<unknown>) => {
    replace(status, `Saving ${what}…`);
    try {
      await request();
      replace(status, `Saved ${what}.`);
    } catch (error) {
      replace(status, errorBox(error));
    }
    renderProfile();
    renderResults();
    await refreshList();
  };

  const rate = (movie: MovieSummary, value: string) =>
    write(`rating of ${movieTitle(movie)}`, async () => {
      if (value === '') {
        await api(`${path()}/ratings/${movie.movieId}`, { method: 'DELETE' });
        data.ratings.delete(movie.movieId);
      } else {
        const rating = Number(value);
        await api(`${path()}/ratings/${movie.movieId}`, { method: 'PUT', body: { rating } });
        data.ratings.set(movie.movieId, { movie, rating });
      }
    });

  const like = (movie: MovieSummary) =>
    write(`♥ of ${movieTitle(movie)}`, async () => {
      const liked = data.likes.get(movie.movieId)?.liked === true;
      await api('/events', {
        method: 'POST',
        body: {
          events: [
            {
              userId: Number(userId()),
              movieId: movie.movieId,
              type: 'like',
              ...(liked ? { value: 0 } : {}),
            },
          ],
        },
      });
      if (liked) data.likes.delete(movie.movieId);
      else data.likes.set(movie.movieId, { movie, liked: true });
    });

  /** "Not for me": `PUT /users/{id}/dislikes/{movieId}`; taking it back is the `DELETE`. */
  const dislike = (movie: MovieSummary, disliked: boolean) =>
    write(`"not for me" on ${movieTitle(movie)}`, async () => {
      const method = disliked ? 'PUT' : 'DELETE';
      await api(`${path()}/dislikes/${movie.movieId}`, { method });
      if (disliked) data.likes.set(movie.movieId, { movie, liked: false });
      else data.likes.delete(movie.movieId);
    });

  function notForMe(movie: MovieSummary): Node {
    const disliked = data.likes.get(movie.movieId)?.liked === false;
    return h(
      'button',
      {
        type: 'button',
        class: disliked ? 'fav on' : 'fav',
        'aria-pressed': disliked ? 'true' : 'false',
        title: disliked
          ? 'Take "not for me" back'
          : 'Not for me: never show it again, and show less like it',
        'aria-label': `Not for me: ${movieTitle(movie)}`,
        'data-testid': 'me-not-for-me',
        onclick: () => void dislike(movie, !disliked),
      },
      '✕',
    );
  }

  function controls(movie: MovieSummary): Node {
    const liked = data.likes.get(movie.movieId)?.liked === true;
    const rating = data.ratings.get(movie.movieId)?.rating;
    const heart = h(
      'button',
      {
        type: 'button',
        class: liked ? 'fav on' : 'fav',
        'aria-pressed': liked ? 'true' : 'false',
        title: liked ? 'Take the like back' : 'Like',
        'data-testid': 'me-like',
        onclick: () => void like(movie),
      },
      '♥',
    );
    const select = h(
      'select',
      {
        'aria-label': `Rate ${movieTitle(movie)}`,
        'data-testid': 'me-rate',
        onchange: () => void rate(movie, select.value),
      },
      h('option', { value: '' }, 'rate'),
      ...RATING_CHOICES.map((r) => h('option', { value: r, selected: rating === r }, `${r} ★`)),
    );
    return h('div', { class: 'controls' }, heart, notForMe(movie), select);
  }

  function sourceBadge(movie: MovieSummary): Node | undefined {
    const source = (movie as MovieSummary & { source?: string }).source;
    if (!source || source === 'model') return undefined;
    const label = source === 'cold-start' ? 'new / rarely rated' : source;
    return h('span', { class: 'badge', 'data-testid': `source-${source}` }, label);
  }

  function renderProfile() {
    const movies = new Map<number, MovieSummary>();
    for (const [id, r] of data.ratings) movies.set(id, r.movie);
    for (const [id, l] of data.likes) movies.set(id, l.movie);
    if (movies.size === 0) {
      replace(mine, h('p', { class: 'muted' }, 'Nothing rated or liked yet.'));
      return;
    }
    replace(
      mine,
      movieList([...movies.values()], { empty: '', testId: 'me-profile-list', row: controls }),
    );
  }

  function renderResults() {
    replace(
      results,
      lastResults.length === 0 && !search.value.trim()
        ? h('p', { class: 'muted' }, 'Search for movies you have seen.')
        : movieList(lastResults, {
            empty: 'No movie matches.',
            testId: 'me-results',
            row: controls,
          }),
    );
  }

  const runSearch = async () => {
    const query = search.value.trim();
    if (!query) {
      lastResults = [];
      renderResults();
      return;
    }
    try {
      const reply = await api<{ items: MovieSummary[] }>(
        `/movies?${new URLSearchParams({ search: query, limit: '10' })}`,
      );
      lastResults = reply.items;
      renderResults();
    } catch (error) {
      replace(results, errorBox(error));
    }
  };
  search.addEventListener(
    'input',
    debounce(() => void runSearch(), 250),
  );

  const idForm = h(
    'form',
    {
      class: 'row',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const id = idInput.value.trim();
        if (/^[1-9]\d{0,9}$/.test(id) && Number(id) <= 2 ** 31 - 1) choose(id);
        else
          replace(status, errorBox(new Error('A user id is a whole number from 1 to 2147483647.')));
      },
    },
    idInput,
    h('button', { type: 'submit', 'data-testid': 'me-use-id' }, 'Use this id'),
    h(
      'button',
      {
        type: 'button',
        'data-testid': 'me-new-id',
        onclick: () => choose(String(NEW_ID_MIN + Math.floor(Math.random() * NEW_ID_SPAN))),
      },
      'New user',
    ),
  );

  replace(
    root,
    h(
      'section',
      { class: 'panel wide', 'data-testid': 'me-page' },
      h('h2', {}, 'Me'),
      idForm,
      who,
      status,
    ),
    h(
      'div',
      { class: 'grid' },
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Rate and like'),
        h('div', { class: 'row' }, search),
        results,
        h('h2', {}, 'My ratings and likes'),
        mine,
      ),
      h('section', { class: 'panel' }, h('h2', {}, 'Recommended for me'), recs),
    ),
  );
  renderResults();
  void reload();
}
