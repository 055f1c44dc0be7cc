import { userVector } from '../../core/als/index.ts';
import {
  foldInQuery,
  recommendForVectors,
  type ListQuery,
} from '../../core/serving/recommender.ts';
import type { CsrBlock } from '../../core/matrix/csr.ts';
import type { BlockTask, OutputResult } from '../../core/train/workflow-types.ts';
import type { RankedList } from '../models/registry.ts';
import type { Stores } from '../runtime.ts';
import { finalModel } from './final-model.ts';
import { writeOutputLists } from './output-lists.ts';
import { TrainingRun } from './run-state.ts';

/** Row r of a user block as (movieId, rating) pairs. */
function ratingsOfRow(block: CsrBlock, r: number, movieIds: Int32Array) {
  const out: { movieId: number; rating: number }[] = [];
  for (let k = block.rowPtr[r]!; k < block.rowPtr[r + 1]!; k++) {
    out.push({ movieId: movieIds[block.colIdx[k]!]!, rating: block.values[k]! });
  }
  return out;
}

/**
 * Outputs, Map item: the top-N of every user of block b into `recommendations` under this model's
 * id — ranked exactly as the API ranks a known user on-line (their trained ranking vector, the
 * neighbour scores of everything they rated, the blend, the policy), none of what they rated.
 */
export async function topNBlock(task: BlockTask, stores: Stores): Promise<OutputResult> {
  const started = performance.now();
  const run = new TrainingRun(task.runId, stores);
  const [final, users] = await Promise.all([finalModel(run), run.blockAll('user', task.block)]);
  const { plan, ranking, recommender } = final;
  const movieIds = ranking.itemIds.ids;
  const userIds: number[] = [];
  const queries: (ListQuery | null)[] = [];
  for (let r = 0; r < users.rows.length; r++) {
    const userId = ranking.userIds.ids[users.rows[r]!]!;
    const exclude = new Set(users.colIdx.subarray(users.rowPtr[r]!, users.rowPtr[r + 1]!));
    const request = { n: plan.topN, exclude };
    const given = ratingsOfRow(users, r, movieIds);
    userIds.push(userId);
    const trained = userVector(ranking, userId);
    if (trained) {
      queries.push({ user: trained, ratings: given, request });
      continue;
    }
    // Every user with a rating is in the model since the refit; a run without one folds in
    // through `recommendForProfile`'s own fold-in (an empty list when no rated movie is known).
    queries.push(foldInQuery(recommender, { ratings: given }, request));
  }
  // Scored SCORE_BLOCK_ROWS users at a time through the SIMD kernel; same lists as one by one.
  const scored = recommendForVectors(
    recommender,
    queries.filter((q) => q !== null),
  );
  let next = 0;
  const lists: RankedList[] = queries.map((q, k) => ({
    id: userIds[k]!,
    list: q === null ? [] : scored[next++]!,
  }));
  await writeOutputLists(stores.db, 'recommendations', task.runId, plan, lists);
  return {
    block: task.block,
    written: lists.length,
    seconds: (performance.now() - started) / 1000,
  };
}
