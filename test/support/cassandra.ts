import { randomBytes } from 'node:crypto';
import {
  CassandraStore,
  LOCAL_SUPERUSER,
  cassandraConfigFromEnv,
} from '../../lambdas/adapters/cassandra.ts';

/** A store on keyspace `ks` whose driver never connects (port 1): for tests that stub its calls. */
export const unconnectedStore = (): CassandraStore =>
  new CassandraStore({
    credentials: LOCAL_SUPERUSER,
    mode: 'local',
    contactPoints: ['127.0.0.1:1'],
    localDataCenter: 'dc',
    keyspace: 'ks',
  });

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

/**
 * Stores a test file opens by keyspace name, all dropped and shut down together in afterAll.
 * `env` picks the server (the fault suite's own killable one) and anything else the adapter reads.
 */
export class TestKeyspaces {
  private readonly stores: CassandraStore[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  open(keyspace: string): CassandraStore {
    const store = new CassandraStore(
      cassandraConfigFromEnv({ ...this.env, RECSYS_KEYSPACE: keyspace }),
    );
    this.stores.push(store);
    return store;
  }

  async dropAll(): Promise<void> {
    for (const store of this.stores.splice(0)) {
      await store.dropKeyspace().catch(() => undefined);
      await store.shutdown();
    }
  }
}
