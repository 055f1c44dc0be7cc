import {
  ITEM_SALT,
  USER_SALT,
  computeGram,
  initialFactors,
  resolveAlsOptions,
  type ResolvedAlsOptions,
} from '../../core/als/index.ts';
import type { IdMap } from '../../core/matrix/id-map.ts';
import { rowsOfBlock } from '../../core/train/block-assignment.ts';
import { decodeCounts, encodeCounts, encodeSideFactors } from '../../core/train/factor-files.ts';
import type { InitTask, LoopState, RunSettings } from '../../core/train/workflow-types.ts';
import type { Stores } from '../runtime.ts';
import { mapLimit } from './run-files.ts';
import { TrainingRun } from './run-state.ts';

function initialSide(ids: IdMap, options: ResolvedAlsOptions, salt: number): Uint8Array {
  const { rank, seed, biases, implicit } = options;
  const factors = initialFactors(ids, rank, seed, salt);
  return encodeSideFactors({
    rank,
    factors,
    ...(biases ? { bias: new Float32Array(ids.size) } : {}),
    ...(implicit ? { gram: computeGram(factors, rank) } : {}),
  });
}

/**
 * Fixes the solver settings (the tuned rank and λ if any, the observed rating range), writes the
 * hash-seeded initial factors as iteration 0 and the movies' rating counts, and returns the loop
 * variable. A resumed run finds its settings and checkpoint and continues after the last complete
 * iteration instead. `settings.json` is written last: its presence means "prepared".
 */
export async function initRun(task: InitTask, stores: Stores): Promise<LoopState> {
  const run = new TrainingRun(task.runId, stores);
  const { layout, files } = run;
  const [plan, index, stored, checkpoint] = await Promise.all([
    run.plan(),
    run.index(),
    files.currentJson<RunSettings>(layout.settings),
    run.checkpoint(),
  ]);
  if (stored && checkpoint) {
    const last = checkpoint.history[checkpoint.history.length - 1];
    return {
      iteration: checkpoint.iteration,
      next: checkpoint.iteration + 1,
      converged: checkpoint.converged,
      rmse: last?.rmse ?? null,
      trainRmse: last?.trainRmse ?? null,
      seconds: null,
      finishedAt: Date.now(),
    };
  }
  const settings: RunSettings = stored ?? {
    options: resolveAlsOptions(
      {
        ...plan.options,
        ...(task.tuned.rank !== undefined ? { rank: task.tuned.rank } : {}),
        ...(task.tuned.reg !== undefined ? { reg: task.tuned.reg } : {}),
        blocks: plan.blockCount,
        partition: 'hash',
      },
      { ratingMin: index.ratingMin, ratingMax: index.ratingMax },
    ),
    tuned: task.tuned,
  };
  const [userIds, itemIds] = await Promise.all([run.idMap('user'), run.idMap('item')]);
  const support = new Int32Array(itemIds.size);
  await mapLimit(plan.blocks, 8, async (block) => {
    const counts = decodeCounts(await files.getBytes(layout.blockSupport(block)));
    rowsOfBlock(itemIds.ids, block, plan.blockCount).forEach((row, p) => {
      support[row] = counts[p]!;
    });
  });
  await Promise.all([
    files.putBytes(
      layout.sideFactors(0, 'user'),
      initialSide(userIds, settings.options, USER_SALT),
    ),
    files.putBytes(
      layout.sideFactors(0, 'item'),
      initialSide(itemIds, settings.options, ITEM_SALT),
    ),
    files.putBytes(layout.itemSupport, encodeCounts(support)),
  ]);
  await files.putJson(layout.settings, settings);
  return {
    iteration: 0,
    next: 1,
    converged: false,
    rmse: null,
    trainRmse: null,
    seconds: null,
    finishedAt: Date.now(),
  };
}
