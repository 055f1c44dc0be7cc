import { csrBlockFromCoordinates, encodeCsr, nnz } from '../../core/matrix/csr.ts';
import { encodeCounts } from '../../core/train/factor-files.ts';
import { encodeRatersPart, ratersPartFromCsr } from '../../core/train/raters-index.ts';
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
import { mapLimit } from '../../core/pool.ts';
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
 * its item-row CSR, its validation ratings, the rating counts of its movies and who rated each of
 * them (the raters index part Publish puts under the model's prefix). CSR rows come out
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

  const rowsOf = {
    user: rowsOfBlock(userIds.ids, block, plan.blockCount),
    item: rowsOfBlock(itemIds.ids, block, plan.blockCount),
  };
  /** This block's rows of one orientation, from the ratings routed to it. */
  const toCsr = (side: Side, ratings: RatingsTable) => {
    const [rowIds, colIds] = side === 'user' ? [userIds, itemIds] : [itemIds, userIds];
    const [rowOf, colOf] =
      side === 'user' ? [ratings.userIds, ratings.movieIds] : [ratings.movieIds, ratings.userIds];
    return csrBlockFromCoordinates(
      rowIds.indexAll(rowOf),
      colIds.indexAll(colOf),
      ratings.ratings,
      rowsOf[side],
      rowIds.size,
      colIds.size,
    );
  };
  const train = {
    user: concatRatings(byUser.map((p) => p.train)),
    item: concatRatings(byItem.map((p) => p.train)),
  };
  const held = {
    user: concatRatings(byUser.map((p) => p.validation)),
    item: concatRatings(byItem.map((p) => p.validation)),
  };
  const userCsr = toCsr('user', train.user);
  const itemCsr = toCsr('item', train.item);
  const { layout } = run;
  const writes = [
    run.files.putBytes(layout.blockCsr('user', block), encodeCsr(userCsr)),
    run.files.putBytes(layout.blockCsr('item', block), encodeCsr(itemCsr)),
    run.files.putBytes(layout.validation(block), encodeTriples(held.user)),
  ];
  // Every rating, validation included: what the refit phase and the outputs train and rank on.
  // Without a validation split the training split is all of it, and `TrainingRun.blockAll` reads
  // the training files instead.
  let itemAll = itemCsr;
  if (plan.validation > 0) {
    itemAll = toCsr('item', concatRatings([train.item, held.item]));
    const userAll = toCsr('user', concatRatings([train.user, held.user]));
    writes.push(
      run.files.putBytes(layout.blockCsrAll('user', block), encodeCsr(userAll)),
      run.files.putBytes(layout.blockCsrAll('item', block), encodeCsr(itemAll)),
    );
  }
  // Rating counts of this block's movies over both splits: the support filter of the outputs.
  const support = new Int32Array(rowsOf.item.length);
  rowsOf.item.forEach((_, p) => (support[p] = itemAll.rowPtr[p + 1]! - itemAll.rowPtr[p]!));
  writes.push(run.files.putBytes(layout.blockSupport(block), encodeCounts(support)));
  writes.push(
    run.files.putBytes(
      layout.ratersPart(block),
      encodeRatersPart(ratersPartFromCsr(itemAll, itemIds, userIds)),
    ),
  );
  await Promise.all(writes);
  return {
    block,
    users: rowsOf.user.length,
    items: rowsOf.item.length,
    ratings: nnz(userCsr),
    seconds: (performance.now() - started) / 1000,
  };
}
