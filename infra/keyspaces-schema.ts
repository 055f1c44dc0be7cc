import type { aws_cassandra as keyspaces } from 'aws-cdk-lib';
import type { TableDefinition } from '../lambdas/core/schema/tables.ts';

export interface KeyspacesTableOptions {
  /**
   * Pre-warm the table to this many write units per second (Keyspaces warm throughput): a new
   * on-demand table otherwise sustains 4,000 until it has grown. Billed once, on the difference.
   */
  readonly warmWriteUnits?: number;
}

/**
 * Renders one table of the shared schema as Keyspaces table properties: on-demand, with PITR. A
 * provisioned bulk load is the ingest's own switch (statemachines/ingest.asl.json), never the
 * template's.
 */
export function keyspacesTableProps(
  keyspaceName: string,
  table: TableDefinition,
  options: KeyspacesTableOptions = {},
): keyspaces.CfnTableProps {
  const keyColumns = new Set([
    ...table.partitionKey,
    ...(table.clusteringKey ?? []).map((c) => c.name),
  ]);
  const column = (name: string) => {
    const columnType = table.columns[name];
    if (!columnType) throw new Error(`table ${table.name}: key column ${name} is not declared`);
    return { columnName: name, columnType };
  };
  return {
    keyspaceName,
    tableName: table.name,
    partitionKeyColumns: table.partitionKey.map(column),
    clusteringKeyColumns: (table.clusteringKey ?? []).map((c) => ({
      column: column(c.name),
      orderBy: c.order,
    })),
    regularColumns: Object.keys(table.columns)
      .filter((name) => !keyColumns.has(name))
      .map(column),
    billingMode: { mode: 'ON_DEMAND' },
    pointInTimeRecoveryEnabled: true,
    ...(table.clientSideTimestamps ? { clientSideTimestampsEnabled: true } : {}),
    ...(options.warmWriteUnits
      ? { warmThroughput: { writeUnitsPerSecond: options.warmWriteUnits } }
      : {}),
  };
}
