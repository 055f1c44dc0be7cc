import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_S3_ENDPOINT = 'http://127.0.0.1:4566';

/** Where the launcher keeps its files; `.local/` is git-ignored. */
export interface S3Paths {
  root: string;
  stateDir: string;
  pidFile: string;
  containerFile: string;
  log: string;
  /** Where moto spills objects over 5 MiB, so large uploads land on the project's disk. */
  spillDir: string;
  /** Where moto keeps a copy of every bucket and object, loaded back when it starts again. */
  dataDir: string;
  lockFile: string;
  venvDir: string;
  requirements: string;
  serverScript: string;
}

// Resolved from this file rather than process.cwd() so vitest, tsx and `npm run` agree.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** `stateDir` moves the server's state (pid file, log, stored objects), e.g. for a second server. */
export function s3Paths(root = repoRoot, stateDir = join(root, '.local', 's3')): S3Paths {
  const scriptsDir = join(root, 'scripts', 'runtime', 's3');
  return {
    root,
    stateDir,
    pidFile: join(stateDir, 's3.pid'),
    containerFile: join(stateDir, 'container'),
    log: join(stateDir, 's3.log'),
    spillDir: join(stateDir, 'spill'),
    dataDir: join(stateDir, 'data'),
    lockFile: join(stateDir, 'start.lock'),
    venvDir: join(root, '.local', 'venv'),
    requirements: join(scriptsDir, 'requirements.txt'),
    serverScript: join(scriptsDir, 'moto_s3_server.py'),
  };
}

export type S3LaunchMode = 'auto' | 'docker' | 'moto';

export interface S3ServerSettings {
  endpoint: string;
  host: string;
  port: number;
  mode: S3LaunchMode;
  /** Pinned so a new LocalStack release cannot change behaviour under the tests. */
  image: string;
  containerName: string;
  python: string;
  startTimeoutMs: number;
}

export function s3ServerSettings(env: NodeJS.ProcessEnv = process.env): S3ServerSettings {
  const endpoint = (env.S3_ENDPOINT?.trim() || DEFAULT_S3_ENDPOINT).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`S3_ENDPOINT must be a URL like ${DEFAULT_S3_ENDPOINT}, got "${endpoint}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`S3_ENDPOINT must be http:// or https://, got "${endpoint}"`);
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const mode = (env.RECSYS_S3_MODE?.trim() || 'auto').toLowerCase();
  if (mode !== 'auto' && mode !== 'docker' && mode !== 'moto') {
    throw new Error(`RECSYS_S3_MODE must be auto, docker or moto, got "${mode}"`);
  }
  const timeoutRaw = env.RECSYS_S3_START_TIMEOUT_S?.trim();
  const timeoutS = timeoutRaw ? Number(timeoutRaw) : 120;
  if (!Number.isInteger(timeoutS) || timeoutS < 5 || timeoutS > 3600) {
    throw new Error(
      `RECSYS_S3_START_TIMEOUT_S must be an integer in [5, 3600], got "${timeoutRaw}"`,
    );
  }
  return {
    endpoint,
    // URL keeps IPv6 hosts in brackets; sockets and `docker -p` want them bare.
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    mode,
    image: env.RECSYS_S3_IMAGE?.trim() || 'localstack/localstack:4.9',
    containerName: env.RECSYS_S3_CONTAINER?.trim() || 'recsys-s3',
    python: env.RECSYS_PYTHON?.trim() || 'python3',
    // From launch to the first S3 answer; the one-off moto install and image pull come before it.
    startTimeoutMs: timeoutS * 1000,
  };
}

/** The launcher can only start a server on this machine; anything else must already be running. */
export function isLocalHost(host: string): boolean {
  return ['127.0.0.1', 'localhost', '::1', '0.0.0.0'].includes(host.toLowerCase());
}
