import { CassandraStore } from '../adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../adapters/s3.ts';
import { faultSettingsFromEnv } from './faults/settings.ts';
import { storesWithFaults } from './faults/stores.ts';

/**
 * The adapters a Lambda container uses, made once from the environment (RECSYS_BUCKET, S3_ENDPOINT,
 * RECSYS_DB, RECSYS_KEYSPACE, CASSANDRA_CONTACT_POINTS, AWS_REGION) and reused by every invocation
 * the container serves: connecting to Cassandra costs more than most invocations. Only a test run
 * that sets RECSYS_FAULT_* variables gets fault-injecting ones (faults/settings.ts).
 */
export interface Stores {
  readonly s3: S3Store;
  readonly db: CassandraStore;
}

/**
 * By the Cassandra login they use: one per Lambda container on AWS, but a local worker thread serves
 * several functions in turn, each logging in as its own role (CASSANDRA_USERNAME).
 */
const storesByLogin = new Map<string, Stores>();

export function containerStores(env: NodeJS.ProcessEnv = process.env): Stores {
  const login = env.CASSANDRA_USERNAME ?? '';
  let stores = storesByLogin.get(login);
  if (!stores) {
    stores = storesFromEnv(env);
    storesByLogin.set(login, stores);
  }
  return stores;
}

function storesFromEnv(env: NodeJS.ProcessEnv): Stores {
  const faults = faultSettingsFromEnv(env);
  if (faults) return storesWithFaults(env, faults);
  return { s3: new S3Store(s3ConfigFromEnv(env)), db: CassandraStore.fromEnv(env) };
}
