import { RatingAggregator, mean } from '../../core/ingest/aggregates.ts';
import { isRecommendable } from '../../core/ingest/cleaning.ts';
import { pacedWrites, REAL_CLOCK, type PacerClock } from '../../core/ingest/pacer.ts';
import { writerPace } from '../../core/ingest/write-budget.ts';
import {
  buildCharts,
  DEFAULT_MAX_SCATTER_POINTS,
  type CatalogueMovie,
} from '../../core/ingest/eda-charts.ts';
import {
  addCounts,
  firstLines,
  quarantineKey,
  renumberQuarantine,
  type RejectCounts,
} from '../../core/ingest/quarantine.ts';
import type { AggregateRequest, AggregateResult } from '../../core/ingest/workflow-types.ts';
import type { Stores } from '../runtime.ts';

/** Token ranges scanned at once: enough to hide per-page latency on Keyspaces. */
const SCAN_SPLITS = 8;
const WRITES_IN_FLIGHT = 32;

/**
 * After every chunk: reads the stored ratings back at LOCAL_QUORUM (so duplicates that met across
 * chunks are counted once, and no write of a moment ago is missed), writes per-user and per-movie
 * statistics, the exploratory charts and the quarantine files with file-wide line numbers, and
 * returns the exact counts. On Keyspaces the users and movies rows are written at a new table's
 * rate (`layout.bulkWriteUnitsPerSecond`, write-budget.ts); `clock` is for tests.
 */
export async function aggregateDataset(
  { layout, chunks }: AggregateRequest,
  { s3, db }: Stores,
  clock: PacerClock = REAL_CLOCK,
): Promise<AggregateResult> {
  const started = performance.now();
  const [aggregates, movies, tagsPerMovie] = await Promise.all([
    scanRatings(db),
    scanMovies(db),
    scanTagCounts(db),
  ]);
  // The only writer of users, then of movies, while it runs; one row per partition.
  const pace = layout.bulkWriteUnitsPerSecond
    ? writerPace(layout.bulkWriteUnitsPerSecond, 1)
    : undefined;

  await db.executeMany(
    `INSERT INTO ${db.table('users')} (user_id, rating_count, rating_mean, first_rated_at, ` +
      'last_rated_at) VALUES (?, ?, ?, ?, ?)',
    [...aggregates.users].map(([userId, u]) => [
      userId,
      u.count,
      mean(u),
      u.firstRatedAt,
      u.lastRatedAt,
    ]),
    WRITES_IN_FLIGHT,
    pacedWrites(pace, { clock }),
  );
  await db.executeMany(
    `UPDATE ${db.table('movies')} SET rating_count = ?, rating_mean = ? WHERE movie_id = ?`,
    movies.map((movie) => {
      const sums = aggregates.movies.get(movie.movieId);
      return [sums?.count ?? 0, mean(sums), movie.movieId];
    }),
    WRITES_IN_FLIGHT,
    pacedWrites(pace, { clock }),
  );
  // A dozen chart rows: not a bulk write, left unpaced.

  const charts = buildCharts({
    aggregates,
    movies,
    tagsPerMovie,
    maxPoints: DEFAULT_MAX_SCATTER_POINTS,
  });
  await db.executeMany(
    `INSERT INTO ${db.table('dataset_stats')} (dataset, chart, data) VALUES (?, ?, ?)`,
    Object.entries(charts).map(([chart, data]) => [layout.dataset, chart, JSON.stringify(data)]),
  );

  const { rejected, keys } = await finishQuarantine(s3, layout.dataset, chunks);
  const catalogueIds = new Set(movies.map((m) => m.movieId));
  const ratedMovies = movies.filter((m) => aggregates.movies.has(m.movieId)).length;
  let ratingsOfUnknownMovies = 0;
  if (movies.length > 0) {
    for (const [movieId, sums] of aggregates.movies) {
      if (!catalogueIds.has(movieId)) ratingsOfUnknownMovies += sums.count;
    }
  }
  const rowsAccepted = chunks.reduce((sum, c) => sum + c.rows, 0);
  const counts = {
    ratings: aggregates.ratings,
    users: aggregates.users.size,
    movies: movies.length,
    tags: [...tagsPerMovie.values()].reduce((a, b) => a + b, 0),
    ratedMovies,
    moviesWithoutRatings: movies.length - ratedMovies,
    recommendableMovies: movies.filter((m) =>
      isRecommendable(aggregates.movies.get(m.movieId)?.count ?? 0, layout.minRatingsPerMovie),
    ).length,
    ratingsOfUnknownMovies,
    lines: chunks.reduce((sum, c) => sum + c.lines, 0),
    rowsAccepted,
    duplicatesSuperseded: Math.max(0, rowsAccepted - aggregates.ratings),
    rejectedRows: Object.values(rejected).reduce((a, b) => a + b, 0),
    skippedLines: chunks.reduce((sum, c) => sum + c.skippedLines, 0),
    chunks: chunks.length,
  };
  return {
    counts,
    rejected,
    quarantineKeys: keys,
    charts: Object.keys(charts),
    seconds: (performance.now() - started) / 1000,
  };
}

async function scanRatings(db: Stores['db']): Promise<RatingAggregator> {
  const scans = await db.tokenRangeScans(
    'ratings_by_user',
    ['user_id', 'movie_id', 'rating', 'rated_at'],
    ['user_id'],
    SCAN_SPLITS,
  );
  const parts = await Promise.all(
    scans.map(async ({ cql, params }) => {
      const part = new RatingAggregator();
      for await (const row of db.rows(cql, params, undefined, 'quorum')) {
        const ratedAt = row.get('rated_at') as { toNumber(): number } | null;
        part.add(
          row.get('user_id') as number,
          row.get('movie_id') as number,
          row.get('rating') as number,
          ratedAt?.toNumber() ?? 0,
        );
      }
      return part;
    }),
  );
  const total = new RatingAggregator();
  for (const part of parts) total.merge(part);
  return total;
}

async function scanMovies(db: Stores['db']): Promise<CatalogueMovie[]> {
  const movies: CatalogueMovie[] = [];
  const cql = `SELECT movie_id, title, genres FROM ${db.table('movies')}`;
  for await (const row of db.rows(cql, [], undefined, 'quorum')) {
    // A row without a title only holds statistics of a movie the catalogue does not list.
    if (row.get('title') === null) continue;
    movies.push({
      movieId: row.get('movie_id') as number,
      genres: (row.get('genres') as string[] | null) ?? [],
    });
  }
  return movies.sort((a, b) => a.movieId - b.movieId);
}

async function scanTagCounts(db: Stores['db']): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for await (const row of db.rows(
    `SELECT movie_id FROM ${db.table('tags')}`,
    [],
    undefined,
    'quorum',
  )) {
    const movieId = row.get('movie_id') as number;
    counts.set(movieId, (counts.get(movieId) ?? 0) + 1);
  }
  return counts;
}

/**
 * Writes each chunk's rejected rows with file-wide line numbers to quarantine/<name>/<chunk>.csv,
 * from the staged copies (which stay, so running this again gives the same files), and a report.
 */
async function finishQuarantine(
  s3: Stores['s3'],
  dataset: string,
  chunks: AggregateRequest['chunks'],
): Promise<{ rejected: RejectCounts; keys: string[] }> {
  const ordered = [...chunks].sort((a, b) => a.index - b.index);
  const starts = firstLines(ordered.map((c) => c.lines));
  const rejected: RejectCounts = {};
  const keys: string[] = [];
  for (const [i, chunk] of ordered.entries()) {
    addCounts(rejected, chunk.rejected);
    if (chunk.stagedQuarantineKey === null) continue;
    const key = quarantineKey(dataset, chunk.index);
    const staged = await s3.getText(chunk.stagedQuarantineKey);
    await s3.putObject(key, renumberQuarantine(staged, starts[i]!), 'text/csv');
    keys.push(key);
  }
  const report = { dataset, rejected, files: keys };
  await s3.putObject(
    `quarantine/${dataset}/report.json`,
    JSON.stringify(report, null, 2) + '\n',
    'application/json',
  );
  return { rejected, keys };
}
