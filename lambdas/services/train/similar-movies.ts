import { itemNorms, similarItemsOfRows } from '../../core/als/index.ts';
import { rowsOfBlock } from '../../core/train/block-assignment.ts';
import type { BlockTask, OutputResult } from '../../core/train/workflow-types.ts';
import type { RankedList } from '../models/registry.ts';
import type { Stores } from '../runtime.ts';
import { finalModel } from './final-model.ts';
import { writeOutputLists } from './output-lists.ts';
import { TrainingRun } from './run-state.ts';

/**
 * Outputs, Map item: for every movie of item block b with enough ratings, its nearest movies by
 * cosine of the ranking model's item factors (among movies with enough ratings) into
 * `similar_movies`.
 */
export async function similarMoviesBlock(task: BlockTask, stores: Stores): Promise<OutputResult> {
  const started = performance.now();
  const run = new TrainingRun(task.runId, stores);
  const { plan, ranking: model, candidates } = await finalModel(run);
  const norms = itemNorms(candidates.model);
  const rows: number[] = [];
  for (const row of rowsOfBlock(model.itemIds.ids, task.block, plan.blockCount)) {
    const candidate = candidates.remap[row]!;
    if (candidate >= 0) rows.push(row);
  }
  // Dense indices in the narrowed model, scored 32 movies at a time through the SIMD kernel.
  const targets = Int32Array.from(rows, (row) => candidates.remap[row]!);
  const similar = similarItemsOfRows(candidates.model, targets, plan.similarN, norms);
  const lists: RankedList[] = rows.map((row, k) => ({
    id: model.itemIds.ids[row]!,
    list: similar[k]!,
  }));
  await writeOutputLists(stores.db, 'similar_movies', task.runId, plan, lists);
  return {
    block: task.block,
    written: lists.length,
    seconds: (performance.now() - started) / 1000,
  };
}
