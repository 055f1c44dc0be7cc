/**
 * Read consistency (issue 15, finding 10): on Keyspaces a LOCAL_ONE read may come from a replica
 * that has not seen a write of a moment ago. Reads that steer the pipelines and the API (data set
 * and model registries, the active model) and Aggregate's counts read at LOCAL_QUORUM.
 */
import cassandra from 'cassandra-driver';
import { describe, expect, it, vi } from 'vitest';
import { QUORUM_READ_TABLES, statementConsistency } from '../../lambdas/adapters/cassandra.ts';
import type { DatasetLayout } from '../../lambdas/core/ingest/workflow-types.ts';
import { aggregateDataset } from '../../lambdas/services/ingest/aggregate.ts';
import type { Stores } from '../../lambdas/services/runtime.ts';
import { unconnectedStore } from '../support/cassandra.ts';

const { localOne, localQuorum } = cassandra.types.consistencies;

describe('statementConsistency', () => {
  it('reads the registries, the active model and experiments at LOCAL_QUORUM, other tables at LOCAL_ONE', () => {
    expect([...QUORUM_READ_TABLES].sort()).toEqual([
      'active_model',
      'datasets',
      'experiments',
      'models',
    ]);
    for (const table of QUORUM_READ_TABLES) {
      expect(statementConsistency(`SELECT * FROM ks.${table} WHERE x = ?`, undefined)).toBe(
        localQuorum,
      );
      expect(statementConsistency(`select name\n  from ${table}`, 'one')).toBe(localQuorum);
    }
    expect(statementConsistency('SELECT movie_id, title FROM ks.movies', undefined)).toBe(localOne);
    expect(statementConsistency('SELECT model_id FROM ks.models_archive', undefined)).toBe(
      localOne,
    );
    expect(statementConsistency('SELECT * FROM ks.movies', 'quorum')).toBe(localQuorum);
    expect(statementConsistency('INSERT INTO ks.movies (movie_id) VALUES (?)', 'one')).toBe(
      localQuorum,
    );
  });

  it('is what the adapter sends the driver, paging included', async () => {
    const store = unconnectedStore();
    const sent: { cql: string; consistency: number | undefined }[] = [];
    const client = (store as unknown as { client: cassandra.Client }).client;
    vi.spyOn(client, 'execute').mockImplementation((async (
      cql: string,
      _params: unknown,
      options: cassandra.QueryOptions,
    ) => {
      sent.push({ cql, consistency: options.consistency });
      return { rows: [], pageState: null, first: () => null };
    }) as never);
    await store.execute(`SELECT model_id FROM ${store.table('active_model')} WHERE slot = ?`, [1]);
    await store.execute(`SELECT * FROM ${store.table('movies')}`);
    for await (const _ of store.rows(`SELECT * FROM ${store.table('tags')}`, [], 10, 'quorum'));
    expect(sent.map((s) => s.consistency)).toEqual([localQuorum, localOne, localQuorum]);
    await store.shutdown();
  });
});

describe('Aggregate', () => {
  it('counts what it reads back at LOCAL_QUORUM: ratings, movies and tags', async () => {
    const reads: { cql: string; consistency: string | undefined }[] = [];
    const db = {
      keyspace: 'ks',
      table: (name: string) => `ks.${name}`,
      tokenRangeScans: async (table: string) => [
        { cql: `SELECT user_id FROM ks.${table} WHERE token(user_id) > ?`, params: ['0'] },
      ],
      async *rows(cql: string, _params?: unknown, _fetchSize?: number, consistency?: string) {
        reads.push({ cql, consistency });
        yield* [];
      },
      executeMany: async () => {},
    };
    const s3 = { putObject: async () => {}, getText: async () => '' };
    const layout = { dataset: 'd', minRatingsPerMovie: 1 } as unknown as DatasetLayout;
    const result = await aggregateDataset({ layout, chunks: [] }, {
      db,
      s3,
    } as unknown as Stores);
    expect(result.counts.ratings).toBe(0);
    const tables = reads.map((r) => /FROM ks\.(\w+)/.exec(r.cql)![1]).sort();
    expect(tables).toEqual(['movies', 'ratings_by_user', 'tags']);
    for (const read of reads) expect(read.consistency, read.cql).toBe('quorum');
  });
});
