import type { CassandraStore } from '../../adapters/cassandra.ts';
import type { Movie } from '../../core/serving/catalogue.ts';

/** Reads the whole movies table (one paged scan); rows without a title are statistics-only. */
export async function loadCatalogue(db: CassandraStore): Promise<Movie[]> {
  const movies: Movie[] = [];
  const cql =
    'SELECT movie_id, title, year, genres, imdb_id, tmdb_id, rating_count, rating_mean, top_tags, ' +
    'added_at ' +
    `FROM ${db.table('movies')}`;
  for await (const row of db.rows(cql)) {
    const title = row.get('title') as string | null;
    if (title === null) continue;
    movies.push({
      movieId: row.get('movie_id') as number,
      title,
      year: (row.get('year') as number | null) ?? null,
      genres: (row.get('genres') as string[] | null) ?? [],
      imdbId: (row.get('imdb_id') as string | null) ?? null,
      tmdbId: (row.get('tmdb_id') as number | null) ?? null,
      ratingCount: (row.get('rating_count') as number | null) ?? 0,
      ratingMean: (row.get('rating_mean') as number | null) ?? null,
      topTags: (row.get('top_tags') as string[] | null) ?? [],
      addedAt: (row.get('added_at') as Date | null)?.getTime() ?? null,
    });
  }
  return movies;
}
