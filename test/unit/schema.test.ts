import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCreateTable, renderSchemaCql } from '../../lambdas/core/schema/render-cql.ts';
import { TABLES, type TableDefinition } from '../../lambdas/core/schema/tables.ts';

describe('schema rendering', () => {
  it('renders a table with a composite partition key and clustering order', () => {
    const table: TableDefinition = {
      name: 'scores',
      purpose: "A user's scores",
      columns: { game: 'text', day: 'int', player: 'int', points: 'double' },
      partitionKey: ['game', 'day'],
      clusteringKey: [{ name: 'player', order: 'DESC' }],
    };
    expect(renderCreateTable('ks', table)).toBe(
      [
        'CREATE TABLE IF NOT EXISTS ks.scores (',
        '  game text,',
        '  day int,',
        '  player int,',
        '  points double,',
        '  PRIMARY KEY ((game, day), player)',
        ") WITH CLUSTERING ORDER BY (player DESC) AND comment = 'A user''s scores';",
      ].join('\n'),
    );
  });

  it('rejects keyspace names that would inject CQL', () => {
    expect(() => renderSchemaCql('recsys; DROP KEYSPACE x')).toThrow(/invalid keyspace/);
    expect(() => renderSchemaCql('Upper')).toThrow(/invalid keyspace/);
  });

  it('declares every key column and uses only Keyspaces-compatible DDL', () => {
    for (const table of TABLES) {
      const keys = [...table.partitionKey, ...(table.clusteringKey ?? []).map((c) => c.name)];
      for (const key of keys) expect(table.columns, `${table.name}.${key}`).toHaveProperty(key);
      expect(table.partitionKey.length).toBeGreaterThan(0);
    }
    const cql = renderSchemaCql('recsys').join('\n').toUpperCase();
    for (const unsupported of ['MATERIALIZED VIEW', 'CREATE INDEX', 'COUNTER', 'STATIC', 'BATCH']) {
      expect(cql).not.toContain(unsupported);
    }
  });

  it('keeps data/schema.cql in step with the schema module', () => {
    const committed = readFileSync(new URL('../../data/schema.cql', import.meta.url), 'utf8');
    expect(committed.trim()).toBe(renderSchemaCql('recsys').join('\n\n'));
  });
});
