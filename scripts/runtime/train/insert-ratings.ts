import {
  MAX_BATCH_STATEMENTS,
  type BatchQuery,
  type CassandraStore,
} from '../../../lambdas/adapters/cassandra.ts';
import type { RatingsTable } from '../../../lambdas/core/ratings.ts';

/**
 * Writes a ratings table straight into ratings_by_user (one single-partition batch per run of a
 * user's rows): how tests and benchmarks put a data set in Cassandra without the whole ingestion.
 */
export async function insertRatings(
  db: CassandraStore,
  table: RatingsTable,
  concurrency = 32,
): Promise<void> {
  const cql = `INSERT INTO ${db.table('ratings_by_user')} (user_id, movie_id, rating, rated_at) VALUES (?, ?, ?, ?)`;
  const byUser = new Map<number, number[]>();
  for (let i = 0; i < table.length; i++) {
    const rows = byUser.get(table.userIds[i]!);
    if (rows) rows.push(i);
    else byUser.set(table.userIds[i]!, [i]);
  }
  const batches: BatchQuery[][] = [];
  for (const rows of byUser.values()) {
    for (let from = 0; from < rows.length; from += MAX_BATCH_STATEMENTS) {
      batches.push(
        rows.slice(from, from + MAX_BATCH_STATEMENTS).map((i) => ({
          query: cql,
          params: [table.userIds[i], table.movieIds[i], table.ratings[i], table.timestamps[i]],
        })),
      );
    }
  }
  await db.batchMany(batches, concurrency);
}
