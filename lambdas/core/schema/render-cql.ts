import { TABLES, type TableDefinition } from './tables.ts';

const IDENTIFIER = /^[a-z][a-z0-9_]{0,47}$/;

/** Keyspace names come from configuration, so they are checked before being spliced into CQL. */
export function assertIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(`invalid keyspace/table name "${name}": use lowercase letters, digits and _`);
  }
  return name;
}

export function renderCreateKeyspace(keyspace: string, replicationFactor = 1): string {
  return (
    `CREATE KEYSPACE IF NOT EXISTS ${assertIdentifier(keyspace)} ` +
    `WITH replication = {'class': 'SimpleStrategy', 'replication_factor': ${replicationFactor}};`
  );
}

export function renderCreateTable(keyspace: string, table: TableDefinition): string {
  const columns = Object.entries(table.columns).map(([name, type]) => `  ${name} ${type}`);
  const partition =
    table.partitionKey.length === 1 ? table.partitionKey[0] : `(${table.partitionKey.join(', ')})`;
  const clustering = table.clusteringKey ?? [];
  const primaryKey = [partition, ...clustering.map((c) => c.name)].join(', ');
  const options = [`comment = '${table.purpose.replaceAll("'", "''")}'`];
  if (clustering.length > 0) {
    const order = clustering.map((c) => `${c.name} ${c.order}`).join(', ');
    options.unshift(`CLUSTERING ORDER BY (${order})`);
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${assertIdentifier(keyspace)}.${assertIdentifier(table.name)} (`,
    ...columns.map((c) => `${c},`),
    `  PRIMARY KEY (${primaryKey})`,
    `) WITH ${options.join(' AND ')};`,
  ].join('\n');
}

/** Every statement needed to create the schema, each idempotent. */
export function renderSchemaCql(keyspace: string, replicationFactor = 1): string[] {
  return [
    renderCreateKeyspace(keyspace, replicationFactor),
    ...TABLES.map((t) => renderCreateTable(keyspace, t)),
  ];
}
