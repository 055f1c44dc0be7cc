import { CassandraStore, cassandraConfigFromEnv } from '../../../lambdas/adapters/cassandra.ts';

/**
 * Runs `work` with a store on `keyspace` (default RECSYS_KEYSPACE) and closes it however `work`
 * ends: what every command that only reads or writes a few rows needs.
 */
export async function withKeyspaceStore<T>(
  keyspace: string | undefined,
  work: (db: CassandraStore) => Promise<T>,
): Promise<T> {
  const env = keyspace ? { ...process.env, RECSYS_KEYSPACE: keyspace } : process.env;
  const db = new CassandraStore(cassandraConfigFromEnv(env));
  try {
    return await work(db);
  } finally {
    await db.shutdown();
  }
}
