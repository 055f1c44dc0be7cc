import type { Stores } from '../runtime.ts';

/**
 * The `datasets` table, one row per data set ever ingested into a keyspace: every read and write
 * of it goes through this module (as models go through services/models/registry.ts), so its
 * columns and their meaning are in one place. Validate starts a row, Finish records the outcome,
 * `recsys ingest`, the stats route, training's plan and the retrain decision read it.
 */
type Db = Stores['db'];

/** What Validate records when an ingestion starts (status `ingesting`). */
export interface IngestionStart {
  readonly dataset: string;
  readonly sourcePrefix: string;
  readonly ratingsFormat: string;
  readonly minRatingsPerMovie: number;
  readonly quarantinePrefix: string;
  readonly at: Date;
}

export async function recordIngestionStart(db: Db, start: IngestionStart): Promise<void> {
  await db.execute(
    `INSERT INTO ${db.table('datasets')} (name, status, source_prefix, started_at, updated_at, ` +
      'ratings_format, min_ratings_per_movie, quarantine_prefix, error) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      start.dataset,
      'ingesting',
      start.sourcePrefix,
      start.at,
      start.at,
      start.ratingsFormat,
      start.minRatingsPerMovie,
      start.quarantinePrefix,
      null,
    ],
    { idempotent: true },
  );
}

/** What Finish records: the outcome (`ready` or `failed`), the counts, timings and error. */
export interface IngestionOutcome {
  readonly dataset: string;
  readonly status: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly rejected: Readonly<Record<string, number>>;
  readonly timings: Readonly<Record<string, number>>;
  readonly error: string | null;
  readonly at: Date;
}

export async function recordIngestionOutcome(db: Db, outcome: IngestionOutcome): Promise<void> {
  await db.execute(
    `UPDATE ${db.table('datasets')} SET status = ?, counts = ?, timings = ?, rejected = ?, ` +
      'updated_at = ?, error = ? WHERE name = ?',
    [
      outcome.status,
      outcome.counts,
      outcome.timings,
      outcome.rejected,
      outcome.at,
      outcome.error,
      outcome.dataset,
    ],
    { idempotent: true },
  );
}

/**
 * A `ready` row for ratings loaded without the ingestion pipeline (the train benchmark fills its
 * keyspaces directly), so the plan and the retrain decision see a data set as after an ingestion.
 */
export async function recordLoadedDataset(
  db: Db,
  dataset: string,
  counts: Readonly<Record<string, number>>,
): Promise<void> {
  await db.execute(
    `INSERT INTO ${db.table('datasets')} (name, status, counts, updated_at) VALUES (?, ?, ?, ?)`,
    [dataset, 'ready', counts, new Date()],
  );
}

/** The names of every data set in the keyspace. */
export async function datasetNames(db: Db): Promise<string[]> {
  const result = await db.execute(`SELECT name FROM ${db.table('datasets')}`);
  return result.rows.map((row) => String(row.get('name')));
}

export interface DatasetStatus {
  readonly dataset: string;
  readonly status: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly rejected: Readonly<Record<string, number>>;
  readonly timings: Readonly<Record<string, number>>;
  readonly minRatingsPerMovie: number | null;
  readonly ratingsFormat: string | null;
  readonly updatedAt: string | null;
  readonly error: string | null;
}

/**
 * The data set row the ingestion wrote: the named one, or else the most recently updated one that
 * is ready. Undefined when there is none.
 */
export async function readDatasetStatus(db: Db, name?: string): Promise<DatasetStatus | undefined> {
  const rows = await listDatasetStatuses(db);
  if (name !== undefined) return rows.find((row) => row.dataset === name);
  return rows.find((row) => row.status === 'ready');
}

/** Every data set row (one per data set ever ingested), the most recently updated first. */
export async function listDatasetStatuses(db: Db): Promise<DatasetStatus[]> {
  const result = await db.execute(
    'SELECT name, status, counts, rejected, timings, min_ratings_per_movie, ratings_format, ' +
      `updated_at, error FROM ${db.table('datasets')}`,
  );
  return result.rows
    .map((row) => ({
      dataset: String(row.get('name')),
      status: String(row.get('status')),
      counts: numbers(row.get('counts')),
      rejected: numbers(row.get('rejected')),
      timings: numbers(row.get('timings')),
      minRatingsPerMovie: (row.get('min_ratings_per_movie') as number | null) ?? null,
      ratingsFormat: (row.get('ratings_format') as string | null) ?? null,
      updatedAt: (row.get('updated_at') as Date | null)?.toISOString() ?? null,
      error: (row.get('error') as string | null) ?? null,
    }))
    .sort((a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? ''));
}

/** Counts by reading every row (slow on big tables; the ingestion's counts are exact already). */
export async function countStoredRows(db: Db): Promise<Record<string, number>> {
  const users = new Set<number>();
  let ratings = 0;
  for await (const row of db.rows(`SELECT user_id FROM ${db.table('ratings_by_user')}`)) {
    ratings++;
    users.add(row.get('user_id') as number);
  }
  let movies = 0;
  for await (const row of db.rows(`SELECT title FROM ${db.table('movies')}`)) {
    if (row.get('title') !== null) movies++;
  }
  let tags = 0;
  for await (const _row of db.rows(`SELECT movie_id FROM ${db.table('tags')}`)) tags++;
  return { ratings, movies, users: users.size, tags };
}

/** A map<text, bigint|double> column as plain numbers (the driver returns Long for bigint). */
function numbers(value: unknown): Record<string, number> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, v]) => [
      key,
      typeof v === 'object' && v !== null && 'toNumber' in v
        ? (v as { toNumber(): number }).toNumber()
        : Number(v),
    ]),
  );
}
