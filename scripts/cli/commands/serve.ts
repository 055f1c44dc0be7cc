import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { ensureCassandra } from '../../runtime/cassandra/local-cassandra.ts';
import { API_ROLE, roleEnvironment } from '../../../statemachines/function-roles.ts';
import { migrateWithRoles } from '../../runtime/cassandra/roles.ts';
import { action, intOption } from '../lib/cli-support.ts';
import { ensureS3 } from '../../runtime/s3/local-s3.ts';
import { buildWeb, REPO_ROOT } from '../../../web/build/build-web.ts';
import { startLocalServer, defaultBenchResultsDir } from '../../runtime/serve/local-server.ts';
import { startWorkerPool, WORKER_PORT_ENV } from '../../runtime/serve/workers.ts';

interface ServeOptions {
  port: number;
  host: string;
  keyspace?: string;
  workers: number;
}

/** Where the primary built the web UI, for its workers. */
const WEB_DIR_ENV = 'RECSYS_SERVE_WEB_DIR';

/**
 * The API and the UI in this process until SIGINT or SIGTERM. The environment is already set up
 * (services, keyspace, API key, the API's role).
 */
async function serveHere(opts: ServeOptions, webDir: string, onListening: (url: string) => void) {
  // Imported only now: the handler reads its configuration from the environment set above.
  const { createApiHandler } = await import('../../../lambdas/services/api/app.ts');
  const benchResultsDir = defaultBenchResultsDir(REPO_ROOT);
  const server = await startLocalServer({
    handler: createApiHandler(),
    webDir,
    port: opts.port,
    host: opts.host,
    ...(benchResultsDir ? { benchResultsDir } : {}),
  });
  onListening(server.url);
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.exit(0);
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the API and the web UI locally (API key from $RECSYS_API_KEY)')
    .option('--port <port>', 'port to listen on', intOption(0, 65_535), 3000)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--keyspace <name>', 'keyspace (default: $RECSYS_KEYSPACE or recsys)')
    .option(
      '--workers <n>',
      'serving processes sharing the port (one event loop each; use up to the cores you have)',
      intOption(1, 64),
      1,
    )
    .action(
      action(async (opts: ServeOptions) => {
        const log = (line: string) => void process.stderr.write(line + '\n');
        if (cluster.isWorker) {
          // A worker of `--workers N`: the primary set up everything and chose the port.
          const port = Number(process.env[WORKER_PORT_ENV]);
          return serveHere({ ...opts, port }, process.env[WEB_DIR_ENV]!, () => {});
        }
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
        const keyspace = process.env.RECSYS_KEYSPACE ?? 'recsys';
        // The line below is what scripts wait for; the process stays up until interrupted.
        const ready = (url: string, workers = '') =>
          log(`recsys serve: API and web UI at ${url} (keyspace ${keyspace}${workers})`);
        if (opts.workers === 1) return serveHere(opts, web.dir, (url) => ready(url));
        const pool = await startWorkerPool({
          count: opts.workers,
          host: opts.host,
          port: opts.port,
          env: { [WEB_DIR_ENV]: web.dir },
          log,
        });
        ready(pool.url, `, ${opts.workers} workers`);
        await new Promise<never>(() => {});
      }),
    );
}
