import type { CassandraStore } from '../adapters/cassandra.ts';

/**
 * The "feedback since" marker scheduled retraining reads (`data_changes`): the API writes one row
 * per shard of the users whose ratings it changed, with the ratings' own write time; training
 * with `ifNewData` reads the shards' rows and compares the latest with the active model's time.
 * Eight shards keep a busy API off one partition; the check is eight single-row reads.
 */
export const DATA_CHANGE_SHARDS = 8;

export function dataChangeShard(userId: number): number {
  return ((userId % DATA_CHANGE_SHARDS) + DATA_CHANGE_SHARDS) % DATA_CHANGE_SHARDS;
}

/** Marks the users' shards changed at `nowMs` (write time `writeTime`: the latest wins). */
export async function markDataChanged(
  db: CassandraStore,
  userIds: readonly number[],
  nowMs: number,
  writeTime: number,
): Promise<void> {
  const shards = [...new Set(userIds.map(dataChangeShard))];
  const at = new Date(nowMs);
  await db.executeMany(
    `INSERT INTO ${db.table('data_changes')} (shard, changed_at) VALUES (?, ?) USING TIMESTAMP ?`,
    shards.map((shard) => [shard, at, writeTime]),
    DATA_CHANGE_SHARDS,
  );
}

/** When the API last changed any rating (epoch ms), or undefined if it never did. */
export async function lastDataChange(db: CassandraStore): Promise<number | undefined> {
  const times = await Promise.all(
    Array.from({ length: DATA_CHANGE_SHARDS }, async (_, shard) => {
      const result = await db.execute(
        `SELECT changed_at FROM ${db.table('data_changes')} WHERE shard = ?`,
        [shard],
        { consistency: 'quorum' },
      );
      return (result.first()?.get('changed_at') as Date | null | undefined)?.getTime();
    }),
  );
  const known = times.filter((t): t is number => t !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
}
