import type { Command } from 'commander';
import { CassandraStore, cassandraConfigFromEnv } from '../../../lambdas/adapters/cassandra.ts';
import { renderSchemaCql } from '../../../lambdas/core/schema/render-cql.ts';
import { migrateWithRoles } from '../../runtime/cassandra/roles.ts';
import { action } from '../lib/cli-support.ts';

export function registerDbCommands(program: Command): void {
  const db = program
    .command('db')
    .description('Schema of the local Cassandra (Keyspaces: the CDK stack)');

  db.command('migrate')
    .description('create the keyspace, tables and function roles if missing (idempotent)')
    .option('--keyspace <name>', 'keyspace to create (default: $RECSYS_KEYSPACE or recsys)')
    .action(
      action(async (opts: { keyspace?: string }) => {
        const env = opts.keyspace
          ? { ...process.env, RECSYS_KEYSPACE: opts.keyspace }
          : process.env;
        const store = new CassandraStore(cassandraConfigFromEnv(env));
        try {
          const started = performance.now();
          const count = await migrateWithRoles(store);
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          console.log(
            `schema ready in keyspace ${store.keyspace}: ${count} statements, ${seconds} s`,
          );
        } finally {
          await store.shutdown();
        }
      }),
    );

  db.command('cql')
    .description('print the CQL the schema renders to')
    .option('--keyspace <name>', 'keyspace name', 'recsys')
    .action(
      action((opts: { keyspace: string }) => {
        console.log(renderSchemaCql(opts.keyspace).join('\n\n'));
      }),
    );
}
