import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decideDocker, dockerEngineAnswers, dockerFacts, pullTimeoutMs } from '../docker-image.ts';
import {
  containerLogTail,
  containerState,
  startCassandraContainer,
  stopCassandraContainer,
} from './docker.ts';
import {
  CASSANDRA_MAIN_CLASS,
  cachedClasspath,
  findJava,
  jvmArguments,
  type JavaRuntime,
  mavenAvailable,
  resolveClasspath,
  spawnCassandraJvm,
} from './jvm.ts';
import { probeCql, releaseVersion } from './probe.ts';
import { processAlive, processCommandLine, readPid, sleep, tailFile } from './proc.ts';
import {
  type CassandraPaths,
  type CassandraSettings,
  cassandraPaths,
  cassandraSettings,
  isLocalHost,
} from './settings.ts';

export { cassandraPaths, cassandraSettings } from './settings.ts';

export interface EnsureCassandraOptions {
  log?: (msg: string) => void;
}

export interface EnsureCassandraResult {
  /** False when a server was already answering (or starting); callers should then leave it running. */
  startedByUs: boolean;
  releaseVersion: string;
  /** Wall-clock seconds this call took, including any Maven resolution or image pull. */
  seconds: number;
  contactPoint: string;
  /** How the server runs: a JVM launched from the Maven jars, the Docker image, or someone else's. */
  mode: 'jvm' | 'docker' | 'existing';
  pid?: number;
}

export interface CassandraStatus {
  running: boolean;
  contactPoint: string;
  pid?: number;
  container?: string;
  releaseVersion?: string;
}

/** A start that failed; the message's first line is the summary and the rest is the server's log tail. */
export class CassandraStartError extends Error {
  constructor(
    summary: string,
    readonly logTail: string,
  ) {
    super(logTail ? `${summary}\n${logTail}` : summary);
    this.name = 'CassandraStartError';
  }
}

const PROBE_TIMEOUT_MS = 3000;
const STOP_GRACE_MS = 60_000;

const elapsedSince = (start: number): number => Math.round((performance.now() - start) / 100) / 10;

async function ourCassandraPid(paths: CassandraPaths): Promise<number | undefined> {
  const pid = readPid(paths.pidFile);
  if (pid === undefined) return undefined;
  // A pid file can outlive its process and the pid can be reused; only trust it if it is still ours.
  if (processAlive(pid) && (await processCommandLine(pid))?.includes(CASSANDRA_MAIN_CLASS))
    return pid;
  rmSync(paths.pidFile, { force: true });
  return undefined;
}

type Launcher = { kind: 'docker'; image: string } | { kind: 'jvm'; java: JavaRuntime };

async function chooseLauncher(
  settings: CassandraSettings,
  paths: CassandraPaths,
  log: (msg: string) => void,
): Promise<Launcher> {
  const mode = settings.mode === 'jvm' ? 'fallback' : settings.mode;
  const decision = decideDocker({
    mode,
    facts:
      mode === 'fallback'
        ? undefined
        : await dockerFacts(settings.image, pullTimeoutMs(mode), log, settings.standInImage),
    image: settings.image,
    service: 'Cassandra',
    fallback: 'running Cassandra 5 from Maven jars on the JDK',
    modeVariable: 'RECSYS_CASSANDRA_MODE',
    standIn: settings.standInImage
      ? { image: settings.standInImage, builtBy: 'local-aws.sh cassandra-image' }
      : undefined,
  });
  if ('fail' in decision) throw new Error(decision.fail);
  if (decision.announce) log(decision.announce);
  if (decision.use === 'docker') return { kind: 'docker', image: decision.image };
  const java = await findJava();
  const problems: string[] = [];
  if ('seen' in java) {
    problems.push(
      java.seen.length > 0
        ? `no Java 17 or 11 (${java.seen.join(', ')}; set CASSANDRA_JAVA_HOME)`
        : 'no Java runtime (`java -version` failed)',
    );
  }
  if (!cachedClasspath(paths) && !(await mavenAvailable()))
    problems.push('no Maven (mvn) to fetch the server jars');
  if ('seen' in java || problems.length > 0) {
    const noDocker = settings.mode === 'jvm' ? '' : `${decision.why}, `;
    throw new Error(
      `cannot start Cassandra: ${noDocker}${problems.join(' and ')}; install openjdk-17-jre-headless and maven, or start Docker`,
    );
  }
  return { kind: 'jvm', java };
}

/**
 * Polls until CQL answers with a release_version. `failure` is asked between polls and returns a
 * reason once the server can no longer come up (process exited, container stopped).
 */
async function waitForCql(
  settings: CassandraSettings,
  deadline: number,
  failure: () => Promise<string | undefined>,
): Promise<string | { failed: string } | { timedOut: true }> {
  for (;;) {
    const version = await releaseVersion(settings.host, settings.port, PROBE_TIMEOUT_MS);
    if (version) return version;
    const failed = await failure();
    if (failed) return { failed };
    if (performance.now() > deadline) return { timedOut: true };
    await sleep(500);
  }
}

async function terminate(pid: number, log: (msg: string) => void): Promise<void> {
  const waitForExit = async (ms: number): Promise<boolean> => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      if (!processAlive(pid)) return true;
      await sleep(250);
    }
    return !processAlive(pid);
  };
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  // SIGTERM runs Cassandra's shutdown hook, which flushes memtables so the next start replays nothing.
  if (await waitForExit(STOP_GRACE_MS)) return;
  log(`Cassandra (pid ${pid}) ignored SIGTERM for ${STOP_GRACE_MS / 1000} s; killing it`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitForExit(10_000);
}

async function startJvm(
  settings: CassandraSettings,
  paths: CassandraPaths,
  java: JavaRuntime,
  started: number,
  log: (msg: string) => void,
): Promise<EnsureCassandraResult> {
  const classpath = await resolveClasspath(paths, log);
  const child = spawnCassandraJvm(java, paths, jvmArguments(settings, paths, classpath));
  const pid = child.pid!;
  log(`Starting Cassandra on Java ${java.major} (pid ${pid}); log: ${paths.log}`);
  let exit: string | undefined;
  child.once(
    'exit',
    (code, signal) => (exit = signal ? `was killed by ${signal}` : `exited with code ${code}`),
  );
  const outcome = await waitForCql(
    settings,
    started + settings.startTimeoutMs,
    async () => exit ?? (processAlive(pid) ? undefined : 'exited'),
  );
  if (typeof outcome === 'string') {
    rmSync(paths.containerFile, { force: true });
    return {
      startedByUs: true,
      releaseVersion: outcome,
      seconds: elapsedSince(started),
      contactPoint: settings.contactPoint,
      mode: 'jvm',
      pid,
    };
  }
  // Read before stopping: the tail should show where it was stuck, not its shutdown.
  const tail = tailFile(paths.log);
  if ('timedOut' in outcome) {
    // Half-started servers hold the port and confuse the next attempt; stop this one.
    await terminate(pid, log);
  }
  rmSync(paths.pidFile, { force: true });
  const summary =
    'failed' in outcome
      ? `Cassandra ${outcome.failed} before answering CQL on ${settings.contactPoint}; log: ${paths.log}`
      : `Cassandra did not answer CQL on ${settings.contactPoint} within ${settings.startTimeoutMs / 1000} s (stopped it); log: ${paths.log}`;
  throw new CassandraStartError(summary, tail);
}

async function startDocker(
  settings: CassandraSettings,
  paths: CassandraPaths,
  started: number,
  log: (msg: string) => void,
): Promise<EnsureCassandraResult> {
  await startCassandraContainer(settings, log);
  writeFileSync(paths.containerFile, `${settings.containerName}\n`);
  const outcome = await waitForCql(settings, started + settings.startTimeoutMs, async () => {
    const state = await containerState(settings.containerName);
    return state === 'running'
      ? undefined
      : `container ${settings.containerName} is ${state ?? 'gone'}`;
  });
  if (typeof outcome === 'string') {
    return {
      startedByUs: true,
      releaseVersion: outcome,
      seconds: elapsedSince(started),
      contactPoint: settings.contactPoint,
      mode: 'docker',
    };
  }
  const tail = await containerLogTail(settings.containerName);
  const summary =
    'failed' in outcome
      ? `${outcome.failed} before Cassandra answered CQL on ${settings.contactPoint}; see docker logs ${settings.containerName}`
      : `Cassandra in container ${settings.containerName} did not answer CQL on ${settings.contactPoint} within ${settings.startTimeoutMs / 1000} s`;
  throw new CassandraStartError(summary, tail);
}

async function reused(
  settings: CassandraSettings,
  paths: CassandraPaths,
  version: string,
  started: number,
): Promise<EnsureCassandraResult> {
  const pid = await ourCassandraPid(paths);
  return {
    startedByUs: false,
    releaseVersion: version,
    seconds: elapsedSince(started),
    contactPoint: settings.contactPoint,
    mode: 'existing',
    ...(pid === undefined ? {} : { pid }),
  };
}

/**
 * Makes sure a Cassandra 5 answers CQL at CASSANDRA_HOST:CASSANDRA_PORT (default 127.0.0.1:9042):
 * reuses whatever already answers there, otherwise starts the `cassandra:5` image when a Docker engine
 * answers and the image is here or can be pulled, otherwise Apache Cassandra from Maven Central on
 * the local JDK (saying why in one line when Docker answered). Resolves once CQL answers.
 */
export async function ensureCassandra(
  opts: EnsureCassandraOptions = {},
): Promise<EnsureCassandraResult> {
  const log = opts.log ?? (() => undefined);
  const started = performance.now();
  const settings = cassandraSettings();
  const paths = cassandraPaths();

  const probe = await probeCql(settings.host, settings.port, PROBE_TIMEOUT_MS);
  if (probe.state === 'login-refused') {
    throw new Error(
      `Cassandra at ${settings.contactPoint} refuses the local superuser's login (${probe.reason}); stop that server or give this project's tools its superuser`,
    );
  }
  if (probe.state === 'up') {
    const existing = probe.releaseVersion;
    log(`Cassandra ${existing} already answers CQL at ${settings.contactPoint}; reusing it`);
    return reused(settings, paths, existing, started);
  }
  if (!isLocalHost(settings.host)) {
    throw new Error(
      `nothing answers CQL at ${settings.contactPoint}, and only a local Cassandra can be started here`,
    );
  }

  return withStartLock(paths, settings, log, () => startOrJoin(settings, paths, started, log));
}

/**
 * Serialises starts across processes (parallel test runs, two terminals): without it both would see
 * nothing on the port, both would launch, and the second JVM would die on the taken port.
 */
async function withStartLock<T>(
  paths: CassandraPaths,
  settings: CassandraSettings,
  log: (msg: string) => void,
  fn: () => Promise<T>,
): Promise<T> {
  const lockFile = join(paths.stateDir, 'start.lock');
  mkdirSync(paths.stateDir, { recursive: true });
  const deadline = performance.now() + settings.startTimeoutMs + 20 * 60_000;
  let announced = false;
  for (;;) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readPid(lockFile);
    if (holder === undefined || !processAlive(holder)) {
      // Left behind by a start that was killed; nobody is holding it any more.
      rmSync(lockFile, { force: true });
      continue;
    }
    if (!announced)
      log(`Another recsys process (pid ${holder}) is starting Cassandra; waiting for it`);
    announced = true;
    if (performance.now() > deadline)
      throw new Error(`gave up waiting for pid ${holder} to start Cassandra`);
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

async function startOrJoin(
  settings: CassandraSettings,
  paths: CassandraPaths,
  started: number,
  log: (msg: string) => void,
): Promise<EnsureCassandraResult> {
  // Whoever held the start lock before us may have brought it up meanwhile.
  const existing = await releaseVersion(settings.host, settings.port, PROBE_TIMEOUT_MS);
  if (existing) {
    log(`Cassandra ${existing} is now answering CQL at ${settings.contactPoint}; reusing it`);
    return reused(settings, paths, existing, started);
  }

  // A server whose starter was interrupted (Ctrl-C) keeps booting detached; join it, do not launch twice.
  const startingPid = await ourCassandraPid(paths);
  if (startingPid !== undefined) {
    log(
      `Cassandra (pid ${startingPid}) is still starting; waiting for CQL on ${settings.contactPoint}`,
    );
    const outcome = await waitForCql(settings, started + settings.startTimeoutMs, async () =>
      processAlive(startingPid) ? undefined : 'exited',
    );
    if (typeof outcome !== 'string') {
      throw new CassandraStartError(
        `Cassandra (pid ${startingPid}) ${'failed' in outcome ? 'exited' : 'did not answer in time'}; log: ${paths.log}`,
        tailFile(paths.log),
      );
    }
    return {
      startedByUs: false,
      releaseVersion: outcome,
      seconds: elapsedSince(started),
      contactPoint: settings.contactPoint,
      mode: 'existing',
      pid: startingPid,
    };
  }

  const launcher = await chooseLauncher(settings, paths, log);
  return launcher.kind === 'docker'
    ? startDocker({ ...settings, image: launcher.image }, paths, started, log)
    : startJvm(settings, paths, launcher.java, started, log);
}

/** Stops the Cassandra this project started (JVM by pid file, or its container). False if none ran. */
export async function stopCassandra(opts: EnsureCassandraOptions = {}): Promise<boolean> {
  const log = opts.log ?? (() => undefined);
  const paths = cassandraPaths();
  const pid = await ourCassandraPid(paths);
  if (pid !== undefined) {
    await terminate(pid, log);
    rmSync(paths.pidFile, { force: true });
    return true;
  }
  if (existsSync(paths.containerFile)) {
    const name = readFileSync(paths.containerFile, 'utf8').trim();
    const stopped = (await dockerEngineAnswers()) && (await stopCassandraContainer(name));
    rmSync(paths.containerFile, { force: true });
    return stopped;
  }
  return false;
}

export async function cassandraStatus(): Promise<CassandraStatus> {
  const settings = cassandraSettings();
  const paths = cassandraPaths();
  const version = await releaseVersion(settings.host, settings.port, PROBE_TIMEOUT_MS);
  const pid = await ourCassandraPid(paths);
  const container = existsSync(paths.containerFile)
    ? readFileSync(paths.containerFile, 'utf8').trim()
    : undefined;
  return {
    running: version !== undefined,
    contactPoint: settings.contactPoint,
    ...(pid === undefined ? {} : { pid }),
    ...(container ? { container } : {}),
    ...(version === undefined ? {} : { releaseVersion: version }),
  };
}
