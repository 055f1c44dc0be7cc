/** Time as a pacer sees it: a monotonic clock in ms and a way to wait. */
export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock: performance.now() and setTimeout. */
export const REAL_CLOCK: PacerClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Keeps a writer at or below `perSecond` units: each `take(n)` reserves the next n/perSecond
 * seconds of the schedule and resolves when its slot starts, however many callers take at once.
 * A writer paced to its share of a Keyspaces table's rate is never throttled for going over it.
 */
export class RatePacer {
  private nextFreeMs: number;

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = REAL_CLOCK.now,
    private readonly sleep: (ms: number) => Promise<void> = REAL_CLOCK.sleep,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`pace must be positive, got ${perSecond}`);
    this.nextFreeMs = now();
  }

  async take(units: number): Promise<void> {
    const now = this.now();
    const start = Math.max(now, this.nextFreeMs);
    this.nextFreeMs = start + (units / this.perSecond) * 1000;
    if (start > now) await this.sleep(start - now);
  }
}

/**
 * A {@link RatePacer} for a table that also keeps each partition at or below `partitionPerSecond`
 * (Keyspaces' per-partition limit): `take(n, partition)` starts once both the table's schedule and
 * that partition's are free, and reserves n units of each. Conservative: a write held back by its
 * partition holds the table's schedule too, so writers should interleave partitions.
 */
export class PartitionPacer {
  private nextFreeMs: number;
  private readonly partitionFreeMs = new Map<string | number, number>();

  constructor(
    readonly perSecond: number,
    readonly partitionPerSecond: number,
    private readonly clock: PacerClock = REAL_CLOCK,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`pace must be positive, got ${perSecond}`);
    if (!(partitionPerSecond > 0)) {
      throw new RangeError(`partition pace must be positive, got ${partitionPerSecond}`);
    }
    this.nextFreeMs = clock.now();
  }

  async take(units: number, partition?: string | number): Promise<void> {
    const now = this.clock.now();
    const partitionFree =
      partition === undefined ? now : (this.partitionFreeMs.get(partition) ?? now);
    const start = Math.max(now, this.nextFreeMs, partitionFree);
    this.nextFreeMs = start + (units / this.perSecond) * 1000;
    if (partition !== undefined) {
      this.partitionFreeMs.set(partition, start + (units / this.partitionPerSecond) * 1000);
    }
    if (start > now) await this.clock.sleep(start - now);
  }
}

/**
 * What a bulk write awaits before each batch or statement (CassandraStore.batchMany/executeMany):
 * `statements` rows about to be written, as batch or statement number `index`.
 */
export type WritePace = (statements: number, index: number) => Promise<void>;

export interface PacedWritesOptions {
  /** Write units each row takes (default 1: a row under 1 KB). */
  readonly unitsPerRow?: number;
  /** The partition batch or statement `index` writes, when one partition takes many rows. */
  readonly partitionOf?: (index: number) => string | number;
  /** Tests pass a fake clock; the default is the real one. */
  readonly clock?: PacerClock;
}

/**
 * The pace of one bulk writer (write-budget.ts `writerPace`), or undefined (unpaced: a local
 * Cassandra, which has no write rate to keep to).
 */
export function pacedWrites(
  pace: { readonly tableWriteUnits: number; readonly partitionWriteUnits: number } | undefined,
  options: PacedWritesOptions = {},
): WritePace | undefined {
  if (!pace) return undefined;
  const unitsPerRow = options.unitsPerRow ?? 1;
  const pacer = new PartitionPacer(
    pace.tableWriteUnits,
    pace.partitionWriteUnits,
    options.clock ?? REAL_CLOCK,
  );
  const partitionOf = options.partitionOf;
  return (statements, index) =>
    pacer.take(statements * unitsPerRow, partitionOf ? partitionOf(index) : undefined);
}
