import {
  ITEM_SALT,
  USER_SALT,
  computeGram,
  initialFactors,
  resolveAlsOptions,
  type ResolvedAlsOptions,
} from '../../core/als/index.ts';
import type { IdMap } from '../../core/matrix/id-map.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../core/recommender/options.ts';
import { rowsOfBlock } from '../../core/train/block-assignment.ts';
import { HEADS } from '../../core/train/run-layout.ts';
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
    const fitRmse = [...checkpoint.history].reverse().find((h) => h.rmse !== null)?.rmse;
    return {
      iteration: checkpoint.iteration,
      next: checkpoint.iteration + 1,
      phase: checkpoint.fitIterations !== undefined ? 'refit' : 'fit',
      done: checkpoint.done ?? false,
      converged: checkpoint.converged,
      rmse: fitRmse ?? null,
      trainRmse: last?.trainRmse ?? null,
      seconds: null,
      finishedAt: Date.now(),
    };
  }
  const observed = { ratingMin: index.ratingMin, ratingMax: index.ratingMax };
  const grain = { blocks: plan.blockCount, partition: 'hash' as const };
  const { tuned } = task;
  const settings: RunSettings = stored ?? {
    options: resolveAlsOptions({ ...plan.options, ...grain }, observed),
    ranking: resolveAlsOptions(
      {
        ...DEFAULT_RECOMMENDER_OPTIONS.als,
        ...plan.ranking,
        ...(tuned.unobservedWeight !== undefined
          ? { unobservedWeight: tuned.unobservedWeight }
          : {}),
        ...(plan.options.seed !== undefined ? { seed: plan.options.seed } : {}),
        iterations: plan.iterations,
        ...grain,
      },
      observed,
    ),
    neighbours:
      plan.neighbours && tuned.neighbourReg !== undefined
        ? { ...plan.neighbours, reg: tuned.neighbourReg }
        : plan.neighbours,
    blend: tuned.blend ?? plan.blend,
    tuned,
  };
  const [userIds, itemIds] = await Promise.all([run.idMap('user'), run.idMap('item')]);
  const support = new Int32Array(itemIds.size);
  await mapLimit(plan.blocks, 8, async (block) => {
    const counts = decodeCounts(await files.getBytes(layout.blockSupport(block)));
    rowsOfBlock(itemIds.ids, block, plan.blockCount).forEach((row, p) => {
      support[row] = counts[p]!;
    });
  });
  const headOptions = { rating: settings.options, ranking: settings.ranking };
  await Promise.all([
    ...HEADS.flatMap((head) => [
      files.putBytes(
        layout.sideFactors(0, head, 'user'),
        initialSide(userIds, headOptions[head], USER_SALT),
      ),
      files.putBytes(
        layout.sideFactors(0, head, 'item'),
        initialSide(itemIds, headOptions[head], ITEM_SALT),
      ),
    ]),
    files.putBytes(layout.itemSupport, encodeCounts(support)),
  ]);
  await files.putJson(layout.settings, settings);
  return {
    iteration: 0,
    next: 1,
    phase: plan.iterations === 0 && plan.validation > 0 ? 'refit' : 'fit',
    done: plan.iterations === 0 && (plan.validation === 0 || plan.refitIterations === 0),
    converged: false,
    rmse: null,
    trainRmse: null,
    seconds: null,
    finishedAt: Date.now(),
  };
}
