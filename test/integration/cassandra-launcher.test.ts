import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_SUPERUSER } from '../../lambdas/adapters/cassandra.ts';
import { cassandraStatus } from '../../scripts/runtime/cassandra/local-cassandra.ts';

describe('local Cassandra launcher', () => {
  const contactPoint = inject('cassandraContactPoint');
  const colon = contactPoint.lastIndexOf(':');
  const host = contactPoint.slice(0, colon);
  const port = Number(contactPoint.slice(colon + 1));
  let client: cassandra.Client;

  beforeAll(async () => {
    client = new cassandra.Client({
      contactPoints: [host],
      protocolOptions: { port },
      localDataCenter: 'datacenter1',
      // The local server enforces logins (cassandra.yaml); tools log in as its superuser.
      authProvider: new cassandra.auth.PlainTextAuthProvider(
        LOCAL_SUPERUSER.username,
        LOCAL_SUPERUSER.password,
      ),
    });
    await client.connect();
  });

  afterAll(async () => {
    await client?.shutdown();
  });

  it('serves CQL from Apache Cassandra 5', async () => {
    const result = await client.execute('SELECT release_version FROM system.local');
    const version: unknown = result.first()?.get('release_version');
    expect(typeof version).toBe('string');
    expect(version as string).toMatch(/^5\./);
  });

  it('round-trips a write through a throwaway keyspace', async () => {
    const keyspace = `launcher_${process.pid}`;
    await client.execute(
      `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    try {
      await client.execute(`CREATE TABLE ${keyspace}.kv (k int PRIMARY KEY, v text)`);
      await client.execute(`INSERT INTO ${keyspace}.kv (k, v) VALUES (?, ?)`, [1, 'one'], {
        prepare: true,
      });
      const row = (
        await client.execute(`SELECT v FROM ${keyspace}.kv WHERE k = ?`, [1], { prepare: true })
      ).first();
      expect(row?.get('v')).toBe('one');
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    }
  });

  it('reports the server as running with its release_version', async () => {
    const status = await cassandraStatus();
    expect(status.running).toBe(true);
    expect(status.releaseVersion).toMatch(/^5\./);
  });
});
