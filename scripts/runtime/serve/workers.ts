import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:net';

/**
 * `recsys serve --workers N`: N processes on one port (node:cluster; the primary hands each new
 * connection to the next worker). One serving process is bound by its one event loop — a fold-in
 * at ml-25m's catalogue is ~2.5 ms of CPU, so ~400 lists a second — while a machine has more
 * cores; on AWS the same thing is Lambda running more containers. Each worker loads and refreshes
 * the active model on its own, as each Lambda container does, so for a few seconds after a model
 * switch two workers may answer from different models (each answer names its model).
 */
export interface WorkerPoolOptions {
  readonly count: number;
  readonly host: string;
  /** 0: a free port, chosen once here so that every worker listens on the same one. */
  readonly port: number;
  /** What the workers need beyond this process's environment (where the web UI was built). */
  readonly env: Record<string, string>;
  readonly log: (line: string) => void;
}

/** A free TCP port on `host`, for the workers to share. */
async function freePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, host, () => resolve());
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port was assigned');
  return address.port;
}

/** The port the workers listen on, passed to them in the environment. */
export const WORKER_PORT_ENV = 'RECSYS_SERVE_WORKER_PORT';

/**
 * Forks the workers (each re-runs this command and, seeing it is a worker, only serves), waits
 * until all of them listen, and returns the address. A worker that dies while serving is
 * replaced; SIGINT or SIGTERM stops them all, then this process.
 */
export async function startWorkerPool(options: WorkerPoolOptions): Promise<{ url: string }> {
  const port = options.port === 0 ? await freePort(options.host) : options.port;
  const env = { ...options.env, [WORKER_PORT_ENV]: String(port) };
  let stopping = false;
  const fork = (): Worker => cluster.fork(env);
  const listening = new Set<number>();
  await new Promise<void>((resolve, reject) => {
    const onListening = (worker: Worker) => {
      listening.add(worker.id);
      if (listening.size === options.count) {
        cluster.off('listening', onListening);
        resolve();
      }
    };
    cluster.on('listening', onListening);
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return;
      if (listening.size < options.count) {
        reject(new Error(`a serving worker exited before it listened (code ${code ?? signal})`));
        return;
      }
      options.log(
        `recsys serve: worker ${worker.process.pid} exited (${code ?? signal}); starting another`,
      );
      fork();
    });
    for (let i = 0; i < options.count; i++) fork();
  });
  const stop = () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const worker of workers) {
      worker.once('exit', () => {
        left -= 1;
        if (left === 0) process.exit(0);
      });
      worker.process.kill('SIGTERM');
    }
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { url: `http://${options.host}:${port}` };
}
