import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { ensureCassandra } from '../../runtime/cassandra/local-cassandra.ts';
import { API_ROLE, roleEnvironment } from '../../../statemachines/function-roles.ts';
import { migrateWithRoles } from '../../runtime/cassandra/roles.ts';
import { action, intOption } from '../lib/cli-support.ts';
import { ensureS3 } from '../../runtime/s3/local-s3.ts';
import { buildWeb, REPO_ROOT } from '../../../web/build/build-web.ts';
import { startLocalServer, defaultBenchResultsDir } from '../../runtime/serve/local-server.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the API and the web UI locally (API key from $RECSYS_API_KEY)')
    .option('--port <port>', 'port to listen on', intOption(0, 65_535), 3000)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--keyspace <name>', 'keyspace (default: $RECSYS_KEYSPACE or recsys)')
    .action(
      action(async (opts: { port: number; host: string; keyspace?: string }) => {
        const log = (line: string) => void process.stderr.write(line + '\n');
        const [s3, cassandra, web] = await Promise.all([
          ensureS3({ log }),
          ensureCassandra({ log }),
          buildWeb(),
        ]);
        process.env.S3_ENDPOINT = s3.endpoint;
        process.env.CASSANDRA_CONTACT_POINTS = cassandra.contactPoint;
        process.env.RECSYS_DB = 'local';
        if (opts.keyspace) process.env.RECSYS_KEYSPACE = opts.keyspace;
        if (!process.env.RECSYS_API_KEY?.trim()) {
          process.env.RECSYS_API_KEY = randomBytes(16).toString('hex');
          log(`RECSYS_API_KEY is not set; this run's key is ${process.env.RECSYS_API_KEY}`);
        }
        // A keyspace created before the live-feedback tables (events, served lists, rating
        // changes) gets them here: creating what exists is a no-op, and the write routes need them.
        // The API then logs in as its function's role, granted what the stack grants it.
        const { CassandraStore } = await import('../../../lambdas/adapters/cassandra.ts');
        const db = CassandraStore.fromEnv();
        try {
          await migrateWithRoles(db);
        } finally {
          await db.shutdown();
        }
        Object.assign(process.env, roleEnvironment(API_ROLE.role));
        // Imported only now: the handler reads its configuration from the environment set above.
        const { createApiHandler } = await import('../../../lambdas/services/api/app.ts');
        const benchResultsDir = defaultBenchResultsDir(REPO_ROOT);
        const server = await startLocalServer({
          handler: createApiHandler(),
          webDir: web.dir,
          port: opts.port,
          host: opts.host,
          ...(benchResultsDir ? { benchResultsDir } : {}),
        });
        log(
          `recsys serve: API and web UI at ${server.url} (keyspace ${process.env.RECSYS_KEYSPACE ?? 'recsys'})`,
        );
        // Stays up until interrupted; the line above is what scripts wait for.
        await new Promise<void>((resolve) => {
          const stop = () => void server.close().then(resolve);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        process.exit(0);
      }),
    );
}
