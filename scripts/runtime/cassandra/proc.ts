import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started at all (usually ENOENT: not installed). */
  spawnError?: Error;
  /** Set when timeoutMs ran out and the command was killed. */
  timedOut?: boolean;
}

/** Runs a command to completion without a shell; never rejects, so callers decide what failure means. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; cwd?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    // Our own timer, not spawn's `timeout`: Node clears that one only on 'exit', which a command
    // that never started (ENOENT) does not emit, so the timer kept the process alive for timeoutMs.
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    const done = (result: CommandResult) => {
      clearTimeout(timer);
      resolve(timedOut ? { ...result, timedOut } : result);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (spawnError) => done({ code: null, stdout, stderr, spawnError }));
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still means the pid is taken.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A child that exited but was not reaped yet still answers kill(0); on Linux /proc tells them apart.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The last lines of a log file, for error messages; empty when there is no log yet. */
export function tailFile(path: string, lines = 25): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    // Only the end matters, and a long-running server's log can be large.
    const size = fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** The command line of a live process, or undefined; used to make sure a pid file still names Cassandra. */
export async function processCommandLine(pid: number): Promise<string | undefined> {
  try {
    // /proc is exact and free on Linux; `ps` covers macOS.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    const result = await runCommand('ps', ['-p', String(pid), '-o', 'args='], { timeoutMs: 5000 });
    return result.code === 0 ? result.stdout.trim() : undefined;
  }
}
