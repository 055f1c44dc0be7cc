import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/recsys.mjs', import.meta.url));

export interface ServeProcess {
  readonly url: string;
  readonly process: ChildProcess;
  /** SIGTERM by default; `recsys serve` closes its server on SIGINT or SIGTERM and exits. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs the real `recsys serve --port 0` and waits for the line naming its address. */
export async function startRecsysServe(options: {
  keyspace: string;
  apiKey: string;
  /** How often serving re-reads the active model (RECSYS_MODEL_CHECK_SECONDS): 1 for switch tests. */
  modelCheckSeconds?: number;
  env?: Record<string, string>;
  /** Node flags before the script, e.g. `--cpu-prof` (a profile is written when it stops). */
  nodeArgs?: readonly string[];
  /** More `recsys serve` options, e.g. `['--workers', '2']`. */
  args?: readonly string[];
}): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      BIN,
      'serve',
      '--port',
      '0',
      '--keyspace',
      options.keyspace,
      ...(options.args ?? []),
    ],
    {
      env: {
        ...process.env,
        RECSYS_API_KEY: options.apiKey,
        POWERTOOLS_LOG_LEVEL: 'WARN',
        ...(options.modelCheckSeconds !== undefined
          ? { RECSYS_MODEL_CHECK_SECONDS: String(options.modelCheckSeconds) }
          : {}),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`recsys serve did not start:\n${output}`)),
      120_000,
    );
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`recsys serve exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    process: child,
    stop: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/**
 * The worker processes of a `recsys serve --workers N` (its children running the CLI; not its
 * esbuild service, say), sorted; none for a single-process server.
 */
export function serveWorkerPids(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  const found = spawnSync('pgrep', ['-P', String(pid), '-f', 'recsys.mjs serve'], {
    encoding: 'utf8',
  });
  return found.stdout
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
}
