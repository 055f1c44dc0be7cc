import { CassandraStore, cassandraConfigFromEnv } from '../../adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../adapters/s3.ts';
import { CassandraFaults, CassandraStoreWithFaults } from './cassandra-faults.ts';
import { S3StoreWithFaults } from './s3-faults.ts';
import type { FaultSettings } from './settings.ts';

/**
 * The container's adapters, each replaced by its fault-injecting subclass when the settings ask
 * for faults in it (settings.ts).
 */
export function storesWithFaults(
  env: NodeJS.ProcessEnv,
  settings: FaultSettings,
): { s3: S3Store; db: CassandraStore } {
  const s3Config = s3ConfigFromEnv(env);
  const dbConfig = cassandraConfigFromEnv(env);
  return {
    s3:
      settings.s3ReadOnce.length > 0 && settings.dir !== undefined
        ? new S3StoreWithFaults(s3Config, settings.s3ReadOnce, settings.dir)
        : new S3Store(s3Config),
    db:
      settings.cassandraRate > 0
        ? new CassandraStoreWithFaults(dbConfig, new CassandraFaults(settings))
        : new CassandraStore(dbConfig),
  };
}
