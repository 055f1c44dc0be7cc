import { trainAlsOnMatrices } from '../../core/als/index.ts';
import { csrFromCoordinates, type RatingMatrices } from '../../core/matrix/csr.ts';
import { errorSumOfRatings, rmseOfErrorSums } from '../../core/train/prediction-error.ts';
import { bestCandidate, type TuneResult } from '../../core/train/tune-grid.ts';
import type { TuneSelectTask, TuneTask, TunedParams } from '../../core/train/workflow-types.ts';
import type { Stores } from '../runtime.ts';
import { mapLimit } from './run-files.ts';
import { TrainingRun } from './run-state.ts';

/** The whole training matrix, both orientations, put back together from the user blocks. */
async function wholeMatrices(run: TrainingRun, blocks: readonly number[]): Promise<RatingMatrices> {
  const [userIds, itemIds, parts] = await Promise.all([
    run.idMap('user'),
    run.idMap('item'),
    mapLimit(blocks, 8, (b) => run.block('user', b)),
  ]);
  const total = parts.reduce((n, p) => n + p.colIdx.length, 0);
  const users = new Int32Array(total);
  const items = new Int32Array(total);
  const values = new Float32Array(total);
  let at = 0;
  for (const part of parts) {
    for (let r = 0; r < part.rows.length; r++) {
      for (let k = part.rowPtr[r]!; k < part.rowPtr[r + 1]!; k++, at++) {
        users[at] = part.rows[r]!;
        items[at] = part.colIdx[k]!;
        values[at] = part.values[k]!;
      }
    }
  }
  return {
    userIds,
    itemIds,
    byUser: csrFromCoordinates(users, items, values, userIds.size, itemIds.size),
    byItem: csrFromCoordinates(items, users, values, itemIds.size, userIds.size),
  };
}

/**
 * Tuning, Map item: one (rank, λ) point trained in this Lambda on the prepared training blocks and
 * scored on the validation split. Points run in parallel; each must fit one Lambda (15 minutes),
 * which holds for data sets up to a few million ratings — beyond that, tune on a sample.
 */
export async function tuneCandidate(task: TuneTask, stores: Stores): Promise<TuneResult> {
  const started = performance.now();
  const run = new TrainingRun(task.runId, stores);
  const plan = await run.plan();
  const [matrices, validation] = await Promise.all([
    wholeMatrices(run, plan.blocks),
    mapLimit(plan.blocks, 8, (b) => run.validation(b)),
  ]);
  const { rank, reg } = task.candidate;
  const model = trainAlsOnMatrices(matrices, {
    ...plan.options,
    rank,
    reg,
    iterations: plan.iterations,
    trackTrainRmse: false,
  });
  const rmse = rmseOfErrorSums(validation.map((v) => errorSumOfRatings(model, v)));
  return { ...task.candidate, rmse, seconds: (performance.now() - started) / 1000 };
}

/** Tuning: the best point by validation RMSE, recorded in `tuning.json`. */
export async function selectTuned(task: TuneSelectTask, stores: Stores): Promise<TunedParams> {
  const run = new TrainingRun(task.runId, stores);
  const best = bestCandidate(task.results);
  const tuned: TunedParams = {
    rank: best.rank,
    reg: best.reg,
    ...(best.rmse !== null ? { rmse: best.rmse } : {}),
  };
  await run.files.putJson(run.layout.tuning, { results: task.results, best });
  return tuned;
}
