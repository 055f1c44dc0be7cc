import type { CassandraStore } from '../../adapters/cassandra.ts';
import type { AlsModel } from '../../core/als/index.ts';
import {
  DEFAULT_CONTENT_SETTINGS,
  fitContentForRanking,
  type ContentModel,
  type MovieContent,
} from '../../core/content/content-model.ts';

/** Every movie's content (genres, year, top tags) from the movies table: one paged scan. */
export async function readMovieContent(db: CassandraStore): Promise<Map<number, MovieContent>> {
  const content = new Map<number, MovieContent>();
  const cql = `SELECT movie_id, title, genres, year, top_tags FROM ${db.table('movies')}`;
  for await (const row of db.rows(cql)) {
    // Rows without a title hold statistics only (a rating of a movie the catalogue lacks).
    if (row.get('title') === null) continue;
    content.set(row.get('movie_id') as number, {
      genres: (row.get('genres') as string[] | null) ?? [],
      year: (row.get('year') as number | null) ?? null,
      tags: (row.get('top_tags') as string[] | null) ?? [],
    });
  }
  return content;
}

/**
 * The bundle's content model: the ridge regression from each well-rated movie's content to its
 * ranking factors (lambdas/core/content/), fitted once per run in Publish on the final factors.
 * Null when the catalogue is (nearly) empty.
 */
export async function fitRunContentModel(
  db: CassandraStore,
  ranking: AlsModel,
  support: ArrayLike<number>,
): Promise<ContentModel | null> {
  const content = await readMovieContent(db);
  return fitContentForRanking(ranking, support, (id) => content.get(id), DEFAULT_CONTENT_SETTINGS);
}
