import type { ScoredMovie } from '../../core/als/index.ts';
import {
  displayTitle,
  movieLinks,
  type Catalogue,
  type Movie,
} from '../../core/serving/catalogue.ts';

/** Display titles by movie (movies are immutable): two regular expressions once, not per list. */
const displayTitles = new WeakMap<Movie, string>();

function displayTitleOf(movie: Movie): string {
  let title = displayTitles.get(movie);
  if (title === undefined) displayTitles.set(movie, (title = displayTitle(movie.title)));
  return title;
}

/** A movie as lists show it. */
export function movieSummary(movie: Movie) {
  return {
    movieId: movie.movieId,
    title: movie.title,
    displayTitle: displayTitleOf(movie),
    year: movie.year,
    genres: movie.genres,
    ratingCount: movie.ratingCount,
    ratingMean: movie.ratingMean === null ? null : Math.round(movie.ratingMean * 100) / 100,
  };
}

/** A movie's own page. */
export function movieDetails(movie: Movie) {
  return {
    ...movieSummary(movie),
    imdbId: movie.imdbId,
    tmdbId: movie.tmdbId,
    links: movieLinks(movie),
    topTags: movie.topTags,
    /** When `PUT /movies` added it (epoch ms); null for a movie that came with the data set. */
    addedAt: movie.addedAt ?? null,
  };
}

/** Scored ids joined with the catalogue; an id the catalogue lacks keeps only its id and score. */
export function scoredMovies(catalogue: Catalogue, list: readonly ScoredMovie[]) {
  return list.map(({ movieId, score }) => {
    const movie = catalogue.get(movieId);
    const rounded = Math.round(score * 10_000) / 10_000;
    return movie
      ? { ...movieSummary(movie), score: rounded }
      : { movieId, title: null, score: rounded };
  });
}
