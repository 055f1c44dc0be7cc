import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the launcher keeps its files; `.local/` is git-ignored. */
export interface CassandraPaths {
  root: string;
  scriptsDir: string;
  pom: string;
  yaml: string;
  logback: string;
  stateDir: string;
  dataDir: string;
  log: string;
  pidFile: string;
  containerFile: string;
  argFile: string;
}

// Resolved from this file rather than process.cwd() so vitest, tsx and `npm run` agree on one data
// directory whatever directory they were started from.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * RECSYS_CASSANDRA_STATE_DIR moves the state (data, log, pid file) elsewhere, so that a second,
 * separate server can run beside the usual one (the fault tests kill theirs; see test/faults).
 */
export function cassandraPaths(
  root = repoRoot,
  env: NodeJS.ProcessEnv = process.env,
): CassandraPaths {
  const scriptsDir = join(root, 'scripts', 'runtime', 'cassandra');
  const stateDir = env.RECSYS_CASSANDRA_STATE_DIR?.trim()
    ? resolve(root, env.RECSYS_CASSANDRA_STATE_DIR.trim())
    : join(root, '.local', 'cassandra');
  return {
    root,
    scriptsDir,
    pom: join(scriptsDir, 'pom.xml'),
    yaml: join(scriptsDir, 'cassandra.yaml'),
    logback: join(scriptsDir, 'logback.xml'),
    stateDir,
    dataDir: join(stateDir, 'data'),
    log: join(stateDir, 'cassandra.log'),
    pidFile: join(stateDir, 'cassandra.pid'),
    containerFile: join(stateDir, 'container'),
    argFile: join(stateDir, 'jvm.args'),
  };
}

export type LaunchMode = 'auto' | 'docker' | 'jvm';

export interface CassandraSettings {
  host: string;
  port: number;
  /** Inter-node (gossip) port, CASSANDRA_STORAGE_PORT; only a second local server needs another. */
  storagePort: number;
  /** `host:port`, the form cassandra-driver accepts as a contact point. */
  contactPoint: string;
  heap: { xms: string; xmx: string };
  mode: LaunchMode;
  startTimeoutMs: number;
  extraJvmOpts: string[];
  /** CASSANDRA_FULL_JIT=1: HotSpot's own C2 thresholds instead of raised ones (jvm.ts, jitArguments). */
  fullJit: boolean;
  jmxPort: number | undefined;
  containerName: string;
  image: string;
  /**
   * Runs in place of `cassandra:5` when Docker answers but cannot pull it: the image that
   * `scripts/tools/local-aws/local-aws.sh cassandra-image` builds from package registries (it reads
   * the same MAX_HEAP_SIZE, CASSANDRA_BROADCAST_RPC_ADDRESS and JVM_EXTRA_OPTS). None when
   * CASSANDRA_IMAGE names an image: then that one is meant.
   */
  standInImage: string | undefined;
}

/** The Cassandra image that local-aws.sh builds here (its CASSANDRA_IMAGE; keep the two equal). */
export const LOCAL_CASSANDRA_IMAGE = 'recsys-local/cassandra:5.0.6';

function intEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  }
  return n;
}

/** Parses `CASSANDRA_HEAP` (e.g. `1g`, `768m`) into -Xms/-Xmx values; the floor keeps memtables workable. */
export function parseHeap(raw: string | undefined): { xms: string; xmx: string } {
  const value = (raw ?? '1g').trim().toLowerCase();
  const match = /^(\d+)([mg])$/.exec(value);
  if (!match) throw new Error(`CASSANDRA_HEAP must look like 1g or 768m, got "${raw}"`);
  const mib = Number(match[1]) * (match[2] === 'g' ? 1024 : 1);
  if (mib < 384) throw new Error(`CASSANDRA_HEAP must be at least 384m, got "${raw}"`);
  // A smaller initial heap keeps the first seconds cheap; G1 grows it when data arrives.
  return { xms: `${Math.min(mib, 512)}m`, xmx: `${mib}m` };
}

export function cassandraSettings(env: NodeJS.ProcessEnv = process.env): CassandraSettings {
  const host = env.CASSANDRA_HOST?.trim() || '127.0.0.1';
  const port = intEnv(env, 'CASSANDRA_PORT', 9042, 1, 65535);
  const modeRaw = (env.RECSYS_CASSANDRA_MODE?.trim() || 'auto').toLowerCase();
  if (modeRaw !== 'auto' && modeRaw !== 'docker' && modeRaw !== 'jvm') {
    throw new Error(`RECSYS_CASSANDRA_MODE must be auto, docker or jvm, got "${modeRaw}"`);
  }
  const jmx = env.CASSANDRA_JMX_PORT?.trim();
  return {
    host,
    port,
    storagePort: intEnv(env, 'CASSANDRA_STORAGE_PORT', 7000, 1, 65535),
    contactPoint: `${host}:${port}`,
    heap: parseHeap(env.CASSANDRA_HEAP),
    mode: modeRaw,
    startTimeoutMs: intEnv(env, 'CASSANDRA_START_TIMEOUT_S', 180, 10, 3600) * 1000,
    extraJvmOpts: (env.CASSANDRA_JVM_OPTS ?? '').split(/\s+/).filter((s) => s !== ''),
    fullJit: env.CASSANDRA_FULL_JIT === '1',
    jmxPort: jmx ? intEnv(env, 'CASSANDRA_JMX_PORT', 7199, 1, 65535) : undefined,
    containerName: env.CASSANDRA_CONTAINER?.trim() || 'recsys-cassandra',
    image: env.CASSANDRA_IMAGE?.trim() || 'cassandra:5',
    standInImage: env.CASSANDRA_IMAGE?.trim() ? undefined : LOCAL_CASSANDRA_IMAGE,
  };
}

/** The launcher can only start a server on this machine; anything else must already be running. */
export function isLocalHost(host: string): boolean {
  return ['127.0.0.1', 'localhost', '::1', '0.0.0.0'].includes(host.toLowerCase());
}
