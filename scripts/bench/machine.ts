/**
 * What every benchmark record carries: the machine (CPU model, cores, memory, Node) and how busy it
 * was, since other work on a shared machine slows every figure. Also where results go.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** bench/results, or $RECSYS_BENCH_RESULTS (tests and --quick runs write elsewhere). */
export function resultsDir(): string {
  return process.env.RECSYS_BENCH_RESULTS ?? join(ROOT, 'bench', 'results');
}

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
}

/** 1-, 5- and 15-minute load averages, two decimals. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = os.loadavg();
  const r = (x = 0) => Math.round(x * 100) / 100;
  return [r(a), r(b), r(c)];
}

export interface RunStamp {
  date: string;
  machine: Machine;
  loadAverage: { before: number[]; after: number[] };
  command: string;
  seconds: number;
}

/** Adds `run` (machine, load before/after, date, command) to a results file a step just wrote. */
export function stampResults(file: string, stamp: RunStamp): boolean {
  if (!existsSync(file)) return false;
  const { run: _previous, ...data } = JSON.parse(readFileSync(file, 'utf8')) as Record<
    string,
    unknown
  >;
  writeFileSync(file, JSON.stringify({ run: stamp, ...data }, null, 2) + '\n');
  return true;
}

/** `prefix` (`tsx scripts/bench/x.ts`) and this process's arguments: the command that ran. */
export const commandLine = (prefix: string): string =>
  `${prefix} ${process.argv.slice(2).join(' ')}`.trim();

/** A results file's `run`: now, this machine, the load average before and after, the command. */
export function runStamp(
  command: string,
  before: number[],
  seconds: number,
  after: number[] = loadAverage(),
): RunStamp {
  return {
    date: new Date().toISOString(),
    machine: machine(),
    loadAverage: { before, after },
    command,
    seconds,
  };
}

/**
 * CPU seconds a process has used so far (utime + stime), or those of its reaped children (cutime +
 * cstime), from /proc; undefined where it cannot be read (another OS, a process gone).
 */
export function processCpuSeconds(pid: number | 'self', children = false): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [user, system] = children ? [fields[13], fields[14]] : [fields[11], fields[12]];
    // Linux reports clock ticks; USER_HZ is 100 on every platform Node supports.
    return (Number(user) + Number(system)) / 100;
  } catch {
    return undefined;
  }
}
