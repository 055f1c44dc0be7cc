import type { RatingsTable } from '../ratings.ts';

/**
 * Row indices grouped by partition: runs of consecutive rows (in `order`) with the same key, each
 * cut into pieces of at most `max` rows. One piece becomes one single-partition UNLOGGED batch.
 */
export function partitionRuns(
  order: ArrayLike<number>,
  keyOf: (row: number) => number,
  max: number,
): number[][] {
  const runs: number[][] = [];
  let current: number[] = [];
  let currentKey = Number.NaN;
  for (let i = 0; i < order.length; i++) {
    const row = order[i]!;
    const key = keyOf(row);
    if (key !== currentKey || current.length === max) {
      if (current.length > 0) runs.push(current);
      current = [];
      currentKey = key;
    }
    current.push(row);
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

/**
 * Single-partition runs reordered so that consecutive ones go to different partitions while there
 * are several: every partition's first run, then every partition's second, and so on (a
 * partition's runs keep their order). A writer paced per partition (pacer.ts) then waits on one
 * partition's limit only once few partitions are left, not all through a partition of many rows.
 */
export function interleavePartitions(
  runs: readonly number[][],
  keyOf: (row: number) => number,
): number[][] {
  const rounds: number[][][] = [];
  const seen = new Map<number, number>();
  for (const run of runs) {
    const key = keyOf(run[0]!);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(run);
  }
  return rounds.flat();
}

/**
 * How rows are grouped into UNLOGGED batches. `partition`: one partition per batch, what Keyspaces
 * recommends and what keeps a batch on its own replicas in a cluster. `replica`: whole partition runs
 * packed together up to the batch limit, several partitions per batch; only right when every
 * partition has the same replica (a single-node Cassandra), where a batch of many small partitions
 * costs the one node less than a request per partition (cqlsh COPY groups its batches so too).
 */
export type BatchGrouping = 'partition' | 'replica';

/**
 * Consecutive runs (each of at most `max` rows) packed into batches of at most `max` rows; a run is
 * never split, so a batch holds as few partitions as the packing allows.
 */
export function packRuns(runs: readonly number[][], max: number): number[][] {
  const packed: number[][] = [];
  let current: number[] = [];
  for (const run of runs) {
    if (current.length + run.length > max && current.length > 0) {
      packed.push(current);
      current = [];
    }
    for (const row of run) current.push(row);
  }
  if (current.length > 0) packed.push(current);
  return packed;
}

/** Rows in file order grouped by user: ratings files are sorted by user, so runs are long. */
export function userRuns(
  table: RatingsTable,
  max: number,
  grouping: BatchGrouping = 'partition',
): number[][] {
  const order = Uint32Array.from({ length: table.length }, (_, i) => i);
  const runs = partitionRuns(order, (row) => table.userIds[row]!, max);
  return grouping === 'replica' ? packRuns(runs, max) : runs;
}
