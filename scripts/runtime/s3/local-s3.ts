import { spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { processAlive, processCommandLine, readPid, sleep, tailFile } from '../cassandra/proc.ts';
import { decideDocker, dockerFacts, pullTimeoutMs } from '../docker-image.ts';
import { containerFailure, removeContainer, startLocalStack } from './localstack.ts';
import { ensureMotoVenv, venvPython } from './moto-venv.ts';
import { probeS3 } from './probe.ts';
import {
  isLocalHost,
  s3Paths,
  s3ServerSettings,
  type S3Paths,
  type S3ServerSettings,
} from './settings.ts';

/** Who serves the endpoint: our moto process, our LocalStack container, or someone else's server. */
export type S3ServerKind = 'moto' | 'localstack' | 'external';

export interface EnsureS3Result {
  startedByUs: boolean;
  endpoint: string;
  seconds: number;
  server: S3ServerKind;
}

export interface S3Status {
  endpoint: string;
  answering: boolean;
  server: S3ServerKind | undefined;
  pid: number | undefined;
  log: string;
}

export interface S3LauncherOptions {
  env?: NodeJS.ProcessEnv;
  paths?: S3Paths;
  /** Progress lines (install, start time); stderr by default so stdout stays parseable. */
  log?: (line: string) => void;
}

const SERVER_SCRIPT_MARK = 'moto_s3_server.py';
// Long enough for another process's first-time moto install to finish.
const LOCK_WAIT_MS = 20 * 60_000;

const writeStderr = (line: string): void => void process.stderr.write(line + '\n');

async function ourMotoPid(paths: S3Paths): Promise<number | undefined> {
  const pid = readPid(paths.pidFile);
  if (pid === undefined || !processAlive(pid)) return undefined;
  // A pid file outliving a reboot can name an unrelated process that reused the number.
  const commandLine = await processCommandLine(pid);
  return commandLine?.includes(SERVER_SCRIPT_MARK) ? pid : undefined;
}

function ourContainer(paths: S3Paths): string | undefined {
  try {
    return readFileSync(paths.containerFile, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

async function runningKind(paths: S3Paths): Promise<S3ServerKind> {
  if ((await ourMotoPid(paths)) !== undefined) return 'moto';
  return ourContainer(paths) !== undefined ? 'localstack' : 'external';
}

/** Serialises starts across processes (CLI, test workers) so only one installs and launches. */
async function withStartLock<T>(paths: S3Paths, fn: () => Promise<T>): Promise<T> {
  mkdirSync(paths.stateDir, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      writeFileSync(paths.lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readPid(paths.lockFile);
    // An empty lock younger than a few seconds is one being written right now, not a stale one.
    const fresh = holder === undefined && Date.now() - safeMtime(paths.lockFile) < 5000;
    if (!fresh && (holder === undefined || !processAlive(holder))) {
      rmSync(paths.lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `process ${holder} has held ${paths.lockFile} too long; delete it if nothing is starting S3`,
      );
    }
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    rmSync(paths.lockFile, { force: true });
  }
}

function safeMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function spawnMoto(settings: S3ServerSettings, paths: S3Paths): number {
  // moto holds objects in memory, spilling big ones here; those are moto's buffers, not its store
  // (paths.dataDir, which the server loads back at start-up), so a new server starts without them.
  rmSync(paths.spillDir, { recursive: true, force: true });
  mkdirSync(paths.spillDir, { recursive: true });
  const logFd = openSync(paths.log, 'w');
  try {
    const child = spawn(
      venvPython(paths.venvDir),
      [paths.serverScript, settings.host, String(settings.port), paths.dataDir],
      {
        cwd: paths.root,
        detached: true,
        stdio: ['ignore', logFd, logFd],
        env: { ...process.env, TMPDIR: paths.spillDir, PYTHONUNBUFFERED: '1' },
      },
    );
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${venvPython(paths.venvDir)}`);
    writeFileSync(paths.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(logFd);
  }
}

/** Polls until the endpoint speaks S3; `died` returns a reason once the server can no longer come up. */
async function waitUntilAnswering(
  settings: S3ServerSettings,
  died: () => Promise<string | undefined>,
): Promise<void> {
  const deadline = Date.now() + settings.startTimeoutMs;
  while (Date.now() < deadline) {
    if ((await probeS3(settings.endpoint, 1000)) === 'answering') return;
    const reason = await died();
    if (reason !== undefined) throw new Error(reason);
    await sleep(200);
  }
  throw new Error(
    `S3 server did not answer at ${settings.endpoint} within ${settings.startTimeoutMs / 1000} s`,
  );
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}

async function launch(
  settings: S3ServerSettings,
  paths: S3Paths,
  log: (line: string) => void,
): Promise<S3ServerKind> {
  const mode = settings.mode === 'moto' ? 'fallback' : settings.mode;
  const decision = decideDocker({
    mode,
    facts:
      mode === 'fallback'
        ? undefined
        : await dockerFacts(settings.image, pullTimeoutMs(mode), (line) => log(`s3: ${line}`)),
    image: settings.image,
    service: 'S3',
    fallback: 'running moto on python3',
    modeVariable: 'RECSYS_S3_MODE',
  });
  if ('fail' in decision) throw new Error(decision.fail);
  if (decision.use === 'docker') {
    await startLocalStack(settings);
    writeFileSync(paths.containerFile, settings.containerName + '\n');
    await waitUntilAnswering(settings, () => containerFailure(settings.containerName));
    return 'localstack';
  }
  if (decision.announce) log(decision.announce);
  if (settings.endpoint.startsWith('https:')) {
    throw new Error(
      `the local moto server speaks plain http; set S3_ENDPOINT=http://… (got ${settings.endpoint})`,
    );
  }
  // One pid file means one server: a second, on another port, would orphan the first.
  const running = await ourMotoPid(paths);
  if (running !== undefined) {
    throw new Error(
      `this project's moto (pid ${running}) runs, but not at ${settings.endpoint}; run recsys s3 stop first`,
    );
  }
  await ensureMotoVenv(paths, settings.python, log);
  const pid = spawnMoto(settings, paths);
  await waitUntilAnswering(settings, async () => {
    if (processAlive(pid)) return undefined;
    rmSync(paths.pidFile, { force: true });
    return `moto exited before answering: ${lastLine(tailFile(paths.log, 5))} (log: ${paths.log})`;
  });
  return 'moto';
}

/**
 * Makes sure an S3-protocol server answers at S3_ENDPOINT: reuses one that already does, otherwise
 * starts LocalStack (Docker engine present and its image here or pullable) or moto (python3),
 * detached so it outlives this process.
 */
export async function ensureS3(options: S3LauncherOptions = {}): Promise<EnsureS3Result> {
  const started = performance.now();
  const settings = s3ServerSettings(options.env);
  const paths = options.paths ?? s3Paths();
  const log = options.log ?? writeStderr;
  const seconds = (): number => Math.round((performance.now() - started) / 100) / 10;
  const reuse = async (): Promise<EnsureS3Result> => ({
    startedByUs: false,
    endpoint: settings.endpoint,
    seconds: seconds(),
    server: await runningKind(paths),
  });

  const state = await probeS3(settings.endpoint);
  if (state === 'answering') return reuse();
  if (!isLocalHost(settings.host)) {
    throw new Error(
      `no S3 server answers at ${settings.endpoint}, and only servers on this machine can be started`,
    );
  }
  if (state === 'other') {
    throw new Error(
      `${settings.endpoint} answers but is not an S3 server; free the port or change S3_ENDPOINT`,
    );
  }
  return withStartLock(paths, async () => {
    // Whoever held the lock before us may have just started it.
    if ((await probeS3(settings.endpoint)) === 'answering') return reuse();
    const server = await launch(settings, paths, log);
    const result = { startedByUs: true, endpoint: settings.endpoint, seconds: seconds(), server };
    log(`s3: ${server} answering at ${settings.endpoint}, started in ${result.seconds} s`);
    return result;
  });
}

/** Stops the server this project started (never someone else's); true when one was stopped. */
export async function stopS3(options: S3LauncherOptions = {}): Promise<boolean> {
  const paths = options.paths ?? s3Paths();
  let stopped = false;
  const pid = await ourMotoPid(paths);
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (processAlive(pid) && Date.now() < deadline) await sleep(100);
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    stopped = true;
  }
  rmSync(paths.pidFile, { force: true });
  const container = ourContainer(paths);
  if (container !== undefined) {
    stopped = (await removeContainer(container)) || stopped;
    rmSync(paths.containerFile, { force: true });
  }
  rmSync(paths.spillDir, { recursive: true, force: true });
  return stopped;
}

export async function s3Status(options: S3LauncherOptions = {}): Promise<S3Status> {
  const settings = s3ServerSettings(options.env);
  const paths = options.paths ?? s3Paths();
  const answering = (await probeS3(settings.endpoint)) === 'answering';
  const pid = await ourMotoPid(paths);
  return {
    endpoint: settings.endpoint,
    answering,
    server: answering ? await runningKind(paths) : undefined,
    pid,
    log: paths.log,
  };
}
