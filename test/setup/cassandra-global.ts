import type { TestProject } from 'vitest/node';
import { ensureCassandra, stopCassandra } from '../../scripts/runtime/cassandra/local-cassandra.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `host:port` of the Cassandra the integration tests share. */
    cassandraContactPoint: string;
  }
}

/**
 * One real Cassandra 5 for the whole integration run: reuses a running one (a developer's
 * `npm run cassandra:start`) and otherwise starts it, stopping it afterwards only if it started it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (msg: string): void => console.log(`[integration] ${msg}`);
  const result = await ensureCassandra({ log });
  const how = result.startedByUs ? `started in ${result.seconds.toFixed(1)} s` : 'already running';
  log(`Cassandra release_version ${result.releaseVersion} at ${result.contactPoint} (${how})`);
  project.provide('cassandraContactPoint', result.contactPoint);
  // Also as an environment variable, for code under test that reads its configuration from env.
  process.env.CASSANDRA_CONTACT_POINTS = result.contactPoint;

  return async () => {
    if (!result.startedByUs) return;
    if (process.env.RECSYS_KEEP_CASSANDRA === '1') {
      log(`leaving Cassandra running at ${result.contactPoint} (RECSYS_KEEP_CASSANDRA=1)`);
      return;
    }
    await stopCassandra({ log });
    log('stopped the Cassandra this run started');
  };
}
