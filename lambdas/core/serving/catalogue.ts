/**
 * The movie catalogue as serving holds it: every movie in memory, searched and filtered here.
 * Keyspaces has no secondary indexes or LIKE, and a title search by partition key is impossible,
 * so the API loads the movies table once per container (ml-latest-small 9.7k rows, ~1.5 MB;
 * ml-32m 87k rows, ~15 MB) and answers search, genre and popularity queries from memory.
 */
export interface Movie {
  readonly movieId: number;
  readonly title: string;
  readonly year: number | null;
  readonly genres: readonly string[];
  readonly imdbId: string | null;
  readonly tmdbId: number | null;
  readonly ratingCount: number;
  readonly ratingMean: number | null;
  readonly topTags: readonly string[];
  /** When `PUT /movies/{id}` first added it (epoch ms); absent or null for ingested movies. */
  readonly addedAt?: number | null;
}

/** How `GET /movies/latest` orders: newest added first (then by year), or by year alone. */
export type LatestOrder = 'added' | 'year';

export interface MovieLinks {
  readonly imdb: string | null;
  readonly tmdb: string | null;
}

export function movieLinks(movie: Movie): MovieLinks {
  return {
    imdb: movie.imdbId ? `https://www.imdb.com/title/tt${movie.imdbId.padStart(7, '0')}/` : null,
    tmdb: movie.tmdbId ? `https://www.themoviedb.org/movie/${movie.tmdbId}` : null,
  };
}

/** Lower case, accents and punctuation removed, single spaces: "Léon: The Professional" → "leon the professional". */
export function normalizeTitle(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** MovieLens moves leading articles to the end ("American President, The (1995)"); undo that. */
export function displayTitle(title: string): string {
  const withoutYear = title.replace(/\s*\(\d{4}\)\s*$/, '');
  const match = /^(.*), (The|A|An|Les|Le|La|L'|Il|Das|Der|Die|El)$/.exec(withoutYear);
  return match ? `${match[2]} ${match[1]}` : withoutYear;
}

interface TitleKey {
  readonly text: string;
  readonly words: readonly string[];
}

export interface IndexedMovie {
  readonly movie: Movie;
  /** Normalized title as listed and with its article moved back to the front, split once. */
  readonly keys: readonly TitleKey[];
}

export class Catalogue {
  private readonly byId = new Map<number, Movie>();
  private readonly indexed: IndexedMovie[];
  /** Movie ids, most rated first (ties: higher mean, then lower id). */
  private readonly popularOrder: Movie[];
  private readonly latestOrders = new Map<LatestOrder, Movie[]>();
  readonly genres: readonly string[];

  /** `reuse`: title keys already computed (by movie id and title), so a copy is cheap. */
  constructor(movies: Iterable<Movie>, reuse?: ReadonlyMap<number, IndexedMovie>) {
    const list = [...movies];
    for (const movie of list) this.byId.set(movie.movieId, movie);
    this.indexed = list.map((movie) => {
      const previous = reuse?.get(movie.movieId);
      if (previous && previous.movie.title === movie.title) return { movie, keys: previous.keys };
      return {
        movie,
        keys: [
          ...new Set([normalizeTitle(movie.title), normalizeTitle(displayTitle(movie.title))]),
        ].map((text) => ({ text, words: text.split(' ') })),
      };
    });
    this.popularOrder = [...list].sort(
      (a, b) =>
        b.ratingCount - a.ratingCount ||
        (b.ratingMean ?? 0) - (a.ratingMean ?? 0) ||
        a.movieId - b.movieId,
    );
    const genres = new Set<string>();
    for (const movie of list) for (const genre of movie.genres) genres.add(genre);
    this.genres = [...genres].sort();
  }

  /**
   * A catalogue with `movie` added or replaced (what `PUT /movies/{id}` shows its own container
   * at once); title keys of the other movies are reused.
   */
  withMovie(movie: Movie): Catalogue {
    const movies = [...this.byId.values()].filter((m) => m.movieId !== movie.movieId);
    movies.push(movie);
    return new Catalogue(
      movies,
      new Map(this.indexed.map((entry) => [entry.movie.movieId, entry])),
    );
  }

  /** Every movie, in no particular order. */
  movies(): IterableIterator<Movie> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }

  get(movieId: number): Movie | undefined {
    return this.byId.get(movieId);
  }

  /**
   * Movies whose title contains every word of `query` as a word prefix, best first: exact titles,
   * then titles starting with the query, then the most rated. Without a query: the most rated.
   */
  search(query: string | undefined, options: { genre?: string; limit: number }): Movie[] {
    const words = query ? normalizeTitle(query).split(' ').filter(Boolean) : [];
    if (words.length === 0) return this.popular(options);
    const phrase = words.join(' ');
    const scored: { movie: Movie; rank: number }[] = [];
    for (const { movie, keys } of this.indexed) {
      if (options.genre && !movie.genres.includes(options.genre)) continue;
      let best = -1;
      for (const { text, words: titleWords } of keys) {
        // Substring first (native and cheap); the word-prefix test only runs on the few that pass.
        if (!words.every((w) => text.includes(w))) continue;
        if (!words.every((w) => titleWords.some((t) => t.startsWith(w)))) continue;
        const withoutYear = text.replace(/ \d{4}$/, '');
        const rank =
          withoutYear === phrase ? 3 : text.startsWith(phrase) ? 2 : text.includes(phrase) ? 1 : 0;
        best = Math.max(best, rank);
      }
      if (best >= 0) scored.push({ movie, rank: best });
    }
    scored.sort(
      (a, b) =>
        b.rank - a.rank ||
        b.movie.ratingCount - a.movie.ratingCount ||
        a.movie.movieId - b.movie.movieId,
    );
    return scored.slice(0, options.limit).map((s) => s.movie);
  }

  /** The most rated movies, optionally of one genre or of any of `genres`, skipping `exclude`. */
  popular(options: {
    genre?: string;
    genres?: readonly string[];
    limit: number;
    exclude?: ReadonlySet<number>;
  }): Movie[] {
    const out: Movie[] = [];
    const genres = options.genres ?? [];
    for (const movie of this.popularOrder) {
      if (out.length >= options.limit) break;
      if (options.genre && !movie.genres.includes(options.genre)) continue;
      if (genres.length > 0 && !genres.some((g) => movie.genres.includes(g))) continue;
      if (options.exclude?.has(movie.movieId)) continue;
      out.push(movie);
    }
    return out;
  }

  /**
   * The newest movies: by `added`, the movies `PUT /movies` added (newest first) ahead of the
   * rest by release year; by `year`, release year alone (newest first). Ties: the higher id (a
   * later addition to MovieLens). Movies without a year come last.
   */
  latest(options: {
    by: LatestOrder;
    genres?: readonly string[];
    limit: number;
    exclude?: ReadonlySet<number>;
  }): Movie[] {
    let order = this.latestOrders.get(options.by);
    if (!order) {
      const added = (m: Movie) => (options.by === 'added' ? (m.addedAt ?? -Infinity) : 0);
      const year = (m: Movie) => m.year ?? -Infinity;
      order = [...this.byId.values()].sort(
        (a, b) =>
          compareDesc(added(a), added(b)) || compareDesc(year(a), year(b)) || b.movieId - a.movieId,
      );
      this.latestOrders.set(options.by, order);
    }
    const out: Movie[] = [];
    const genres = options.genres ?? [];
    for (const movie of order) {
      if (out.length >= options.limit) break;
      if (genres.length > 0 && !genres.some((g) => movie.genres.includes(g))) continue;
      if (options.exclude?.has(movie.movieId)) continue;
      out.push(movie);
    }
    return out;
  }
}

/** b before a when b is larger; equal (−∞ included) is 0. */
function compareDesc(a: number, b: number): number {
  return a === b ? 0 : b > a ? 1 : -1;
}
