import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../lambdas/core/schema/tables.ts';
import { freshStore } from '../support/cassandra.ts';

let store: Awaited<ReturnType<typeof freshStore>>;

beforeAll(async () => {
  store = await freshStore('adapter');
});

afterAll(async () => {
  await store?.drop();
});

describe('CassandraStore against a real Cassandra', () => {
  it('talks to Cassandra 5', async () => {
    const version = await store.releaseVersion();
    console.log(`[integration] adapter connected, release_version ${version}`);
    expect(version).toMatch(/^5\./);
  });

  it('creates every schema table and migrates idempotently', async () => {
    await store.migrate();
    const result = await store.execute(
      'SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?',
      [store.keyspace],
    );
    const names = result.rows.map((r) => String(r.get('table_name'))).sort();
    expect(names).toEqual(TABLES.map((t) => t.name).sort());
  });

  it('writes with bounded concurrency and pages through every row of a partition', async () => {
    const insert = `INSERT INTO ${store.table('ratings_by_user')} (user_id, movie_id, rating, rated_at) VALUES (?, ?, ?, ?)`;
    const rows = Array.from({ length: 250 }, (_, i) => [7, i + 1, (i % 10) / 2 + 0.5, 1_000 + i]);
    await store.executeMany(insert, rows, 16);
    // Writing the same rows again must change nothing: ingestion retries rely on it.
    await store.executeMany(insert, rows, 16);

    const seen: number[] = [];
    const select = `SELECT movie_id, rating FROM ${store.table('ratings_by_user')} WHERE user_id = ?`;
    for await (const row of store.rows(select, [7], 37)) seen.push(Number(row.get('movie_id')));
    expect(seen).toEqual(rows.map((r) => r[1]));
  });

  it('reports CQL errors without retrying them', async () => {
    await expect(store.execute(`SELECT nope FROM ${store.table('movies')}`)).rejects.toThrow(
      /nope/i,
    );
  });
});
