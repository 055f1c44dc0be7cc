import type { Stores } from '../runtime.ts';

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
export async function readDatasetStatus(
  db: Stores['db'],
  name?: string,
): Promise<DatasetStatus | undefined> {
  const rows = await listDatasetStatuses(db);
  if (name !== undefined) return rows.find((row) => row.dataset === name);
  return rows.find((row) => row.status === 'ready');
}

/** Every data set row (one per data set ever ingested), the most recently updated first. */
export async function listDatasetStatuses(db: Stores['db']): Promise<DatasetStatus[]> {
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
export async function countStoredRows(db: Stores['db']): Promise<Record<string, number>> {
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
