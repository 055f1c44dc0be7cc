import { ShufflePartitioner, encodeScanIds, encodeShufflePart } from '../../core/train/shuffle.ts';
import type { ScanResult, ScanTask } from '../../core/train/workflow-types.ts';
import type { Stores } from '../runtime.ts';
import { mapLimit } from '../../core/pool.ts';
import { TrainingRun } from './run-state.ts';

const PAGE_ROWS = 5_000;
const PUTS_IN_FLIGHT = 8;

/**
 * Prepare, Map item: one token range of ratings_by_user, read page by page, shuffled to S3 by user
 * block and by item block (train and validation sides apart). Every block gets a file from every
 * range, empty or not, so the assembly reads a known list of keys instead of listing the bucket.
 */
export async function scanRange(task: ScanTask, stores: Stores): Promise<ScanResult> {
  const started = performance.now();
  const { db } = stores;
  const run = new TrainingRun(task.runId, stores);
  const plan = await run.plan();
  // The ranges cut the ring Plan read. Keyspaces lets an account switch partitioners at any time,
  // and the ranges of one ring would silently miss rows of the other: stop instead.
  const ring = await db.partitioner();
  if (ring !== (plan.partitioner ?? 'murmur3')) {
    throw new Error(
      `the cluster's partitioner is ${ring}, but run ${task.runId} cut its token ranges ` +
        `for ${plan.partitioner ?? 'murmur3'}: start a new run`,
    );
  }
  const partitioner = new ShufflePartitioner({
    blockCount: plan.blockCount,
    validation: plan.validation,
    splitSeed: plan.splitSeed,
  });
  const table = db.table('ratings_by_user');
  const cql =
    `SELECT user_id, movie_id, rating FROM ${table} ` +
    'WHERE token(user_id) > ? AND token(user_id) <= ?';
  for await (const row of db.rows(cql, [task.range.lower, task.range.upper], PAGE_ROWS)) {
    partitioner.add(
      row.get('user_id') as number,
      row.get('movie_id') as number,
      row.get('rating') as number,
    );
  }
  const shuffled = partitioner.finish();
  const { layout } = run;
  const r = task.range.index;
  const writes: [string, Uint8Array][] = [
    ...shuffled.byUser.map((part, b): [string, Uint8Array] => [
      layout.shufflePart('user', b, r),
      encodeShufflePart(part),
    ]),
    ...shuffled.byItem.map((part, b): [string, Uint8Array] => [
      layout.shufflePart('item', b, r),
      encodeShufflePart(part),
    ]),
    [layout.scanIds(r), encodeScanIds({ userIds: shuffled.userIds, movieIds: shuffled.movieIds })],
  ];
  await mapLimit(writes, PUTS_IN_FLIGHT, ([key, bytes]) => run.files.putBytes(key, bytes));
  return { range: r, ...shuffled.totals, seconds: (performance.now() - started) / 1000 };
}
