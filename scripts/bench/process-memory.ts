/**
 * Peak resident memory of named processes (this one, the Cassandra JVM, the S3 server, `recsys
 * serve`) per stage of a benchmark, from Linux's /proc/PID/status.
 *
 * At the start of a stage each process's high-water mark (VmHWM) is reset by writing 5 to
 * /proc/PID/clear_refs, so the VmHWM read at the end of the stage is that stage's peak, exact, kept
 * by the kernel. Where the reset is refused (another user's process, no /proc) VmRSS is sampled
 * every second instead and the highest sample is reported, with the method named in the result.
 * Worker threads are part of this process, so "main" includes every handler worker.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const MiB = 2 ** 20;

export interface ProcMemory {
  readonly rssBytes: number;
  readonly hwmBytes: number;
}

/** VmRSS and VmHWM of a /proc/PID/status text; undefined if either is missing. */
export function parseProcStatus(text: string): ProcMemory | undefined {
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s*(\\d+)\\s*kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const rssBytes = kib('VmRSS');
  const hwmBytes = kib('VmHWM');
  return rssBytes === undefined || hwmBytes === undefined ? undefined : { rssBytes, hwmBytes };
}

function readProc(pid: number): ProcMemory | undefined {
  try {
    return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

function resetHighWaterMark(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface StagePeak {
  /** Highest resident memory during the stage, MiB. */
  readonly peakMiB: number;
  /** VmHWM since a reset at the stage's start (exact), or the highest 1 s VmRSS sample. */
  readonly method: 'VmHWM' | 'VmRSS samples';
}

interface Watched {
  readonly pid: number;
  hwmReset: boolean;
  sampledPeak: number;
}

/** Peak RSS per named process per stage; stages run one at a time. */
export class PeakRssMonitor {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private stage: string | undefined;
  readonly stages: Record<string, Record<string, StagePeak>> = {};

  constructor(private readonly intervalMs = 1000) {}

  /** Watches a process from now on (from the current stage's start if one is running). */
  watch(name: string, pid: number | undefined): void {
    if (pid === undefined || !readProc(pid)) return;
    const entry: Watched = { pid, hwmReset: resetHighWaterMark(pid), sampledPeak: 0 };
    this.watched.set(name, entry);
    this.sample();
  }

  /** Reads a process that is about to stop, so the stage keeps its peak. */
  finish(name: string): void {
    const entry = this.watched.get(name);
    if (!entry) return;
    this.sample();
    if (this.stage) this.stages[this.stage]![name] = this.peakOf(entry);
    this.watched.delete(name);
  }

  beginStage(stage: string): void {
    this.stage = stage;
    this.stages[stage] = {};
    for (const entry of this.watched.values()) {
      entry.hwmReset = resetHighWaterMark(entry.pid);
      entry.sampledPeak = 0;
    }
    this.sample();
    this.timer ??= setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  endStage(): Record<string, StagePeak> {
    const stage = this.stage;
    if (!stage) return {};
    this.sample();
    for (const [name, entry] of this.watched) this.stages[stage]![name] = this.peakOf(entry);
    this.stage = undefined;
    return this.stages[stage]!;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Highest peak of each process over every stage. */
  overall(): Record<string, StagePeak> {
    const out: Record<string, StagePeak> = {};
    for (const peaks of Object.values(this.stages)) {
      for (const [name, peak] of Object.entries(peaks)) {
        if (!out[name] || peak.peakMiB > out[name].peakMiB) out[name] = peak;
      }
    }
    return out;
  }

  private sample(): void {
    for (const entry of this.watched.values()) {
      const now = readProc(entry.pid);
      if (now) entry.sampledPeak = Math.max(entry.sampledPeak, now.rssBytes);
    }
  }

  private peakOf(entry: Watched): StagePeak {
    const now = readProc(entry.pid);
    if (entry.hwmReset && now) {
      return { peakMiB: round(Math.max(now.hwmBytes, entry.sampledPeak) / MiB), method: 'VmHWM' };
    }
    return { peakMiB: round(entry.sampledPeak / MiB), method: 'VmRSS samples' };
  }
}

const round = (x: number) => Math.round(x * 10) / 10;
