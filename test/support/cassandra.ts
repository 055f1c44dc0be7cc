import { randomBytes } from 'node:crypto';
import { CassandraStore, cassandraConfigFromEnv } from '../../lambdas/adapters/cassandra.ts';

/**
 * A store on the Cassandra the integration global setup started, in a keyspace of its own so test
 * files and repeated runs never see each other's rows. Call `drop()` in afterAll.
 */
export async function freshStore(
  label: string,
): Promise<CassandraStore & { drop(): Promise<void> }> {
  const keyspace = `it_${label}_${randomBytes(4).toString('hex')}`;
  const store = new CassandraStore(
    cassandraConfigFromEnv({ ...process.env, RECSYS_KEYSPACE: keyspace }),
  );
  await store.migrate();
  return Object.assign(store, {
    async drop() {
      await store.dropKeyspace();
      await store.shutdown();
    },
  });
}
