import { encodeIdMap, IdMap } from '../../core/matrix/id-map.ts';
import { combineScanTotals, concatInt32, decodeScanIds } from '../../core/train/shuffle.ts';
import type { BuildIndexTask, RunIndex } from '../../core/train/workflow-types.ts';
import type { Stores } from '../runtime.ts';
import { NoRatingsError } from '../step-errors.ts';
import { mapLimit } from '../../core/pool.ts';
import { TrainingRun } from './run-state.ts';

/**
 * Prepare: the id maps (every user and movie with a train rating, ascending id = dense index) and
 * the exact global mean from the scans' integer sums.
 */
export async function buildIndex(task: BuildIndexTask, stores: Stores): Promise<RunIndex> {
  const run = new TrainingRun(task.runId, stores);
  const plan = await run.plan();
  if (task.scans.length !== plan.ranges.length) {
    throw new Error(`expected ${plan.ranges.length} scan results, got ${task.scans.length}`);
  }
  const totals = combineScanTotals(task.scans);
  if (totals.trainRatings === 0 || totals.ratingMin === null || totals.ratingMax === null) {
    throw new NoRatingsError(`${stores.db.table('ratings_by_user')} holds no ratings to train on`);
  }
  const ids = await mapLimit(plan.ranges, 8, async (range) =>
    decodeScanIds(await run.files.getBytes(run.layout.scanIds(range.index))),
  );
  const users = IdMap.fromIds(concatInt32(ids.map((i) => i.userIds)));
  const items = IdMap.fromIds(concatInt32(ids.map((i) => i.movieIds)));
  await run.files.putBytes(run.layout.userIds, encodeIdMap(users));
  await run.files.putBytes(run.layout.itemIds, encodeIdMap(items));
  const index: RunIndex = {
    users: users.size,
    items: items.size,
    trainRatings: totals.trainRatings,
    validationRatings: totals.validationRatings,
    ratingSumUnits: totals.ratingSumUnits,
    globalMean: totals.globalMean,
    ratingMin: totals.ratingMin,
    ratingMax: totals.ratingMax,
  };
  await run.files.putJson(run.layout.index, index);
  return index;
}
