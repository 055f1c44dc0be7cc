import { recommendForUser } from '../../core/als/index.ts';
import { csrBlockFromCoordinates, type CsrBlock } from '../../core/matrix/csr.ts';
import type { IdMap } from '../../core/matrix/id-map.ts';
import { rankUserBlock, rankingPolicyFor } from '../../core/serving/ranking.ts';
import type { RatingsTable } from '../../core/ratings.ts';
import type { BlockTask, OutputResult } from '../../core/train/workflow-types.ts';
import { injectFault } from '../fault-injection.ts';
import { writeRankedLists, type RankedList } from '../models/registry.ts';
import type { Stores } from '../runtime.ts';
import { finalModel } from './final-model.ts';
import { TrainingRun } from './run-state.ts';

/** Everything block b's users rated, train and validation: none of it is recommended back. */
function seenByBlock(
  train: CsrBlock,
  validation: RatingsTable,
  users: IdMap,
  items: IdMap,
): CsrBlock {
  const rows: number[] = [];
  const cols: number[] = [];
  for (let r = 0; r < train.rows.length; r++) {
    for (let k = train.rowPtr[r]!; k < train.rowPtr[r + 1]!; k++) {
      rows.push(train.rows[r]!);
      cols.push(train.colIdx[k]!);
    }
  }
  for (let k = 0; k < validation.length; k++) {
    const u = users.indexOf(validation.userIds[k]!);
    const i = items.indexOf(validation.movieIds[k]!);
    if (u >= 0 && i >= 0) {
      rows.push(u);
      cols.push(i);
    }
  }
  return csrBlockFromCoordinates(
    Int32Array.from(rows),
    Int32Array.from(cols),
    new Float32Array(rows.length),
    train.rows,
    users.size,
    items.size,
  );
}

/**
 * Outputs, Map item: the top-N of every user of block b (movies with enough ratings, none the user
 * rated) into `recommendations` under this model's id. Users whose every rating fell into the
 * validation split are not in the model; they get the model's ranking for an unknown user.
 */
export async function topNBlock(task: BlockTask, stores: Stores): Promise<OutputResult> {
  const started = performance.now();
  const run = new TrainingRun(task.runId, stores);
  const [final, train, validation] = await Promise.all([
    finalModel(run),
    run.block('user', task.block),
    run.validation(task.block),
  ]);
  const { plan, model, candidates } = final;
  // The API's policy (popularity prior for explicit models), with the run's support threshold.
  const policy = { ...rankingPolicyFor(model), minRatings: plan.minRatings };
  const lists: RankedList[] = rankUserBlock(
    model,
    seenByBlock(train, validation, model.userIds, model.itemIds),
    { n: plan.topN, support: final.support, policy },
  ).map(({ userId, list }) => ({ id: userId, list }));
  const unknownUsers = new Map<number, number[]>();
  for (let k = 0; k < validation.length; k++) {
    const userId = validation.userIds[k]!;
    if (model.userIds.has(userId)) continue;
    const seenIds = unknownUsers.get(userId) ?? [];
    seenIds.push(validation.movieIds[k]!);
    unknownUsers.set(userId, seenIds);
  }
  for (const [userId, seenIds] of unknownUsers) {
    lists.push({
      id: userId,
      list: recommendForUser(candidates.model, userId, plan.topN, seenIds),
    });
  }
  await writeRankedLists(stores.db, 'recommendations', task.runId, lists);
  injectFault(`top-n:${task.block}`);
  return {
    block: task.block,
    written: lists.length,
    seconds: (performance.now() - started) / 1000,
  };
}
