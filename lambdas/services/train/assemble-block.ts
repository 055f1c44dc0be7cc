import { csrBlockFromCoordinates, encodeCsr, nnz } from '../../core/matrix/csr.ts';
import { encodeCounts } from '../../core/train/factor-files.ts';
import { rowsOfBlock } from '../../core/train/block-assignment.ts';
import type { Side } from '../../core/train/run-layout.ts';
import {
  concatRatings,
  decodeShufflePart,
  encodeTriples,
  type ShufflePart,
} from '../../core/train/shuffle.ts';
import type { BlockTask } from '../../core/train/workflow-types.ts';
import type { RatingsTable } from '../../core/ratings.ts';
import type { Stores } from '../runtime.ts';
import { mapLimit } from './run-files.ts';
import { TrainingRun } from './run-state.ts';

export interface AssembleResult {
  readonly block: number;
  readonly users: number;
  readonly items: number;
  readonly ratings: number;
  readonly seconds: number;
}

/**
 * Prepare, Map item: gathers block b's shuffle parts from every scan and writes its user-row CSR,
 * its item-row CSR, its validation ratings and the rating counts of its movies. CSR rows come out
 * exactly as slices of the whole matrix would (columns ascending), whatever order the parts hold.
 */
export async function assembleBlock(task: BlockTask, stores: Stores): Promise<AssembleResult> {
  const started = performance.now();
  const run = new TrainingRun(task.runId, stores);
  const [plan, userIds, itemIds] = await Promise.all([
    run.plan(),
    run.idMap('user'),
    run.idMap('item'),
  ]);
  const { block } = task;
  const parts = (side: Side): Promise<ShufflePart[]> =>
    mapLimit(plan.ranges, 8, async (range) =>
      decodeShufflePart(await run.files.getBytes(run.layout.shufflePart(side, block, range.index))),
    );
  const [byUser, byItem] = await Promise.all([parts('user'), parts('item')]);

  const userTrain = concatRatings(byUser.map((p) => p.train));
  const userRows = rowsOfBlock(userIds.ids, block, plan.blockCount);
  const userCsr = csrBlockFromCoordinates(
    userIds.indexAll(userTrain.userIds),
    itemIds.indexAll(userTrain.movieIds),
    userTrain.ratings,
    userRows,
    userIds.size,
    itemIds.size,
  );
  const validation = concatRatings(byUser.map((p) => p.validation));
  const itemValidation = concatRatings(byItem.map((p) => p.validation));

  const itemTrain = concatRatings(byItem.map((p) => p.train));
  const itemRows = rowsOfBlock(itemIds.ids, block, plan.blockCount);
  const itemCsr = csrBlockFromCoordinates(
    itemIds.indexAll(itemTrain.movieIds),
    userIds.indexAll(itemTrain.userIds),
    itemTrain.ratings,
    itemRows,
    itemIds.size,
    userIds.size,
  );
  const { layout } = run;
  const writes = [
    run.files.putBytes(layout.blockCsr('user', block), encodeCsr(userCsr)),
    run.files.putBytes(layout.blockCsr('item', block), encodeCsr(itemCsr)),
    run.files.putBytes(layout.validation(block), encodeTriples(validation)),
  ];
  // Every rating, validation included: what the refit phase and the outputs train and rank on.
  // Without a validation split the training split is all of it, and `TrainingRun.blockAll` reads
  // the training files instead.
  let itemAll = itemCsr;
  if (plan.validation > 0) {
    const userAll = concatRatings([userTrain, validation]);
    const itemRatings = concatRatings([itemTrain, itemValidation]);
    const toCsr = (rows: RatingsTable, side: Side, blockRows: Int32Array) =>
      side === 'user'
        ? csrBlockFromCoordinates(
            userIds.indexAll(rows.userIds),
            itemIds.indexAll(rows.movieIds),
            rows.ratings,
            blockRows,
            userIds.size,
            itemIds.size,
          )
        : csrBlockFromCoordinates(
            itemIds.indexAll(rows.movieIds),
            userIds.indexAll(rows.userIds),
            rows.ratings,
            blockRows,
            itemIds.size,
            userIds.size,
          );
    itemAll = toCsr(itemRatings, 'item', itemRows);
    writes.push(
      run.files.putBytes(
        layout.blockCsrAll('user', block),
        encodeCsr(toCsr(userAll, 'user', userRows)),
      ),
      run.files.putBytes(layout.blockCsrAll('item', block), encodeCsr(itemAll)),
    );
  }
  // Rating counts of this block's movies over both splits: the support filter of the outputs.
  const support = new Int32Array(itemRows.length);
  itemRows.forEach((_, p) => (support[p] = itemAll.rowPtr[p + 1]! - itemAll.rowPtr[p]!));
  writes.push(run.files.putBytes(layout.blockSupport(block), encodeCounts(support)));
  await Promise.all(writes);
  return {
    block,
    users: userRows.length,
    items: itemRows.length,
    ratings: nnz(userCsr),
    seconds: (performance.now() - started) / 1000,
  };
}
