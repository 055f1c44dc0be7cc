import { MAX_BATCH_STATEMENTS, type BatchQuery } from '../../adapters/cassandra.ts';
import {
  parseLinksCsv,
  parseMoviesCsv,
  parseTagsCsv,
  type Link,
} from '../../core/formats/catalogue-files.ts';
import { interleavePartitions, partitionRuns } from '../../core/ingest/batching.ts';
import { pacedWrites, REAL_CLOCK, type PacerClock } from '../../core/ingest/pacer.ts';
import { mostFrequentTags } from '../../core/ingest/top-tags.ts';
import type { CatalogueResult, DatasetLayout } from '../../core/ingest/workflow-types.ts';
import { writerPace } from '../../core/ingest/write-budget.ts';
import type { Stores } from '../runtime.ts';

const WRITES_IN_FLIGHT = 32;
const TOP_TAGS_PER_MOVIE = 5;

/**
 * The small files: movies (with their links and most frequent tags) and tags. They are a few MB even
 * for ml-32m, so each is read whole. Movies rows are upserted column by column, so the rating
 * statistics the aggregate step writes into the same rows are left alone. On Keyspaces each table
 * is written at a new table's rate and each movie's tags at most at a partition's
 * (`layout.bulkWriteUnitsPerSecond`, write-budget.ts); `clock` is for tests.
 */
export async function ingestCatalogue(
  layout: DatasetLayout,
  { s3, db }: Stores,
  clock: PacerClock = REAL_CLOCK,
): Promise<CatalogueResult> {
  const started = performance.now();
  const [movies, links, tags] = await Promise.all([
    layout.moviesKey
      ? s3.getText(layout.moviesKey).then((t) => parseMoviesCsv(t, layout.moviesKey!))
      : [],
    layout.linksKey
      ? s3.getText(layout.linksKey).then((t) => parseLinksCsv(t, layout.linksKey!))
      : [],
    layout.tagsKey ? s3.getText(layout.tagsKey).then((t) => parseTagsCsv(t, layout.tagsKey!)) : [],
  ]);
  const linkOf = new Map<number, Link>(links.map((link) => [link.movieId, link]));
  const topTags = mostFrequentTags(tags, TOP_TAGS_PER_MOVIE);
  // This step is the only writer of movies and of tags while it runs, one table after the other.
  const pace = layout.bulkWriteUnitsPerSecond
    ? writerPace(layout.bulkWriteUnitsPerSecond, 1)
    : undefined;

  const insertMovie =
    `INSERT INTO ${db.table('movies')} (movie_id, title, year, genres, imdb_id, tmdb_id, top_tags) ` +
    'VALUES (?, ?, ?, ?, ?, ?, ?)';
  await db.executeMany(
    insertMovie,
    movies.map((movie) => {
      const link = linkOf.get(movie.movieId);
      return [
        movie.movieId,
        movie.title,
        movie.year,
        movie.genres,
        link?.imdbId ?? null,
        link?.tmdbId ?? null,
        topTags.get(movie.movieId) ?? [],
      ];
    }),
    WRITES_IN_FLIGHT,
    pacedWrites(pace, { clock }),
  );

  const insertTag = `INSERT INTO ${db.table('tags')} (movie_id, user_id, tagged_at, tag) VALUES (?, ?, ?, ?)`;
  const byMovie = [...tags.keys()].sort((a, b) => tags[a]!.movieId - tags[b]!.movieId || a - b);
  // One movie per batch, the movies taken in turn: a much-tagged movie is one partition, held to
  // a partition's rate on Keyspaces without holding the other movies up behind it.
  const movieOf = (i: number) => tags[i]!.movieId;
  const runs = interleavePartitions(partitionRuns(byMovie, movieOf, MAX_BATCH_STATEMENTS), movieOf);
  const batches = runs.map((run) =>
    run.map((i): BatchQuery => {
      const tag = tags[i]!;
      return { query: insertTag, params: [tag.movieId, tag.userId, tag.timestamp, tag.tag] };
    }),
  );
  await db.batchMany(
    batches,
    WRITES_IN_FLIGHT,
    undefined,
    pacedWrites(pace, { clock, partitionOf: (batch) => movieOf(runs[batch]![0]!) }),
  );

  return {
    movies: movies.length,
    links: links.length,
    tags: tags.length,
    seconds: (performance.now() - started) / 1000,
  };
}
