import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { API_ROLE, roleEnvironment } from '../../../statemachines/function-roles.ts';
import { UserError } from '../user-error.ts';
import { buildWeb, REPO_ROOT } from '../../../web/build/build-web.ts';
import {
  defaultBenchResultsDir,
  startLocalServer,
  type RunningServer,
} from '../serve/local-server.ts';

/**
 * The key clients send as x-api-key: $RECSYS_API_KEY when set, else one random key made on the
 * first demo and kept (mode 600) under .local/demo. Kept because the web UI stores the key in the
 * browser: a new key per run would send the user back to the key page every time.
 */
export async function demoApiKey(demoRoot: string): Promise<string> {
  const fromEnv = process.env.RECSYS_API_KEY?.trim();
  if (fromEnv) return fromEnv;
  const path = join(demoRoot, 'api-key');
  try {
    const kept = (await readFile(path, 'utf8')).trim();
    if (kept) return kept;
  } catch {
    // First demo on this checkout.
  }
  const key = randomBytes(16).toString('hex');
  await mkdir(demoRoot, { recursive: true });
  await writeFile(path, key + '\n', { mode: 0o600 });
  return key;
}

/** Fails before the pipeline runs, not minutes later, when the port is taken. */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new UserError(
          error.code === 'EADDRINUSE'
            ? `port ${port} is in use; pass --port N (0: any free port)`
            : `cannot listen on ${host}:${port}: ${error.message}`,
        ),
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

export interface DemoServerOptions {
  /** The handler environment of the pipeline (endpoints, keyspace, bucket). */
  readonly env: Readonly<Record<string, string>>;
  readonly port: number;
  readonly host: string;
  readonly apiKey: string;
  readonly keyspace: string;
}

/**
 * What `recsys serve` runs, in this process: the API handler behind the local HTTP server plus
 * the web UI. Resolves once GET /health has answered through the real server with the active model
 * loaded, so "ready" in the summary means a browser gets recommendations at once.
 */
export async function startDemoServer(options: DemoServerOptions): Promise<RunningServer> {
  // Built per keyspace: buildWeb empties its folder first, which would pull the files from under a
  // `recsys serve` (or another demo) serving dist/web.
  const web = await buildWeb(join(REPO_ROOT, 'dist', 'demo', options.keyspace, 'web'));
  // The API's logger takes its level when first imported: per-request INFO lines would bury the
  // summary, so WARN unless the user asked for more.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  // Logged in as the API function's role, granted what the stack grants it (cassandra/roles.ts).
  const env = {
    ...process.env,
    ...options.env,
    ...roleEnvironment(API_ROLE.role),
    RECSYS_API_KEY: options.apiKey,
  };
  const { createApiHandler } = await import('../../../lambdas/services/api/app.ts');
  const benchResultsDir = defaultBenchResultsDir(REPO_ROOT);
  const server = await startLocalServer({
    handler: createApiHandler({ env }),
    webDir: web.dir,
    port: options.port,
    host: options.host,
    ...(benchResultsDir ? { benchResultsDir } : {}),
  }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE'
      ? new Error(`port ${options.port} is in use; pass --port N (0: any free port)`)
      : error;
  });
  const health = await fetch(`${server.url}/health`);
  const body = (await health.json()) as { status?: string; activeModelId?: string | null };
  if (!health.ok || !body.activeModelId) {
    await server.close();
    throw new Error(`the API did not come up healthy: ${JSON.stringify(body)}`);
  }
  return server;
}
