import type { CassandraStore } from '../../adapters/cassandra.ts';
import type { MovieBody } from '../../core/serving/movie-body.ts';
import type { StoredMovieRow } from '../../core/serving/movie-upsert.ts';

/**
 * The API's one catalogue write, `PUT /movies/{movieId}`: the movie's own columns (title, year,
 * genres, tags as `top_tags`, when it was added) into the movies table ingestion fills, as one
 * idempotent upsert at LOCAL_QUORUM. Columns it does not name — rating statistics, IMDb/TMDB
 * links — are left as they are.
 */
export async function writeMovie(
  db: CassandraStore,
  movieId: number,
  body: MovieBody,
  addedAt: number | null,
): Promise<void> {
  await db.execute(
    `INSERT INTO ${db.table('movies')} (movie_id, title, year, genres, top_tags, added_at) ` +
      'VALUES (?, ?, ?, ?, ?, ?)',
    [
      movieId,
      body.title,
      body.year,
      body.genres,
      body.tags,
      addedAt === null ? null : new Date(addedAt),
    ],
    { idempotent: true },
  );
}

/** One movie row as stored, read at LOCAL_QUORUM (a PUT decides "added" or "updated" by it). */
export async function readMovieRow(
  db: CassandraStore,
  movieId: number,
): Promise<StoredMovieRow | undefined> {
  const result = await db.execute(
    'SELECT movie_id, title, year, genres, imdb_id, tmdb_id, rating_count, rating_mean, top_tags, ' +
      `added_at FROM ${db.table('movies')} WHERE movie_id = ?`,
    [movieId],
    { consistency: 'quorum' },
  );
  const row = result.first();
  if (!row) return undefined;
  const ratingCount = (row.get('rating_count') as number | null) ?? 0;
  const ratingMean = (row.get('rating_mean') as number | null) ?? null;
  const title = row.get('title') as string | null;
  // A row without a title holds statistics only (ratings of a movie the catalogue lacked).
  if (title === null) return { movieId, title: null, ratingCount, ratingMean };
  return {
    movieId,
    title,
    year: (row.get('year') as number | null) ?? null,
    genres: (row.get('genres') as string[] | null) ?? [],
    imdbId: (row.get('imdb_id') as string | null) ?? null,
    tmdbId: (row.get('tmdb_id') as number | null) ?? null,
    ratingCount,
    ratingMean,
    topTags: (row.get('top_tags') as string[] | null) ?? [],
    addedAt: (row.get('added_at') as Date | null)?.getTime() ?? null,
  };
}
