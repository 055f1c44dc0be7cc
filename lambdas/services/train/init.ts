import {
  ITEM_SALT,
  USER_SALT,
  computeGram,
  initialFactors,
  resolveAlsOptions,
  warmStartFactors,
  warmStartMismatch,
  type AlsModel,
  type ResolvedAlsOptions,
} from '../../core/als/index.ts';
import type { IdMap } from '../../core/matrix/id-map.ts';
import type { ModelBundle } from '../../core/recommender/bundle.ts';
import { rowsOfBlock } from '../../core/train/block-assignment.ts';
import { HEADS, type Head } from '../../core/train/run-layout.ts';
import {
  plannedHeadOptions,
  runSettingsOf,
  type StoredRunSettings,
} from '../../core/train/heads.ts';
import { decodeCounts, encodeCounts, encodeSideFactors } from '../../core/train/factor-files.ts';
import type {
  InitTask,
  LoopState,
  RunSettings,
  WarmStartHead,
} from '../../core/train/workflow-types.ts';
import { loadModelBundle, modelPrefix } from '../models/registry.ts';
import type { Stores } from '../runtime.ts';
import { mapLimit } from '../../core/pool.ts';
import { TrainingRun } from './run-state.ts';

function sideFile(
  rank: number,
  factors: Float32Array,
  bias: Float32Array | undefined,
  options: ResolvedAlsOptions,
): Uint8Array {
  return encodeSideFactors({
    rank,
    factors,
    ...(options.biases ? { bias: bias ?? new Float32Array(factors.length / rank) } : {}),
    ...(options.implicit ? { gram: computeGram(factors, rank) } : {}),
  });
}

interface HeadStart {
  readonly users: Uint8Array;
  readonly items: Uint8Array;
  readonly summary: WarmStartHead | undefined;
}

/**
 * Iteration 0 of one ALS model: the hash-seeded factors, or (warm start) the earlier model's
 * factors by id with the hash-seeded ones for ids it lacks (`warmStartFactors`, the function the
 * in-process reference uses, so both start from the same bits).
 */
function headStart(
  head: Head,
  options: ResolvedAlsOptions,
  userIds: IdMap,
  itemIds: IdMap,
  warm: ModelBundle | null,
): HeadStart {
  const { rank, seed } = options;
  let summary: WarmStartHead | undefined;
  if (warm) {
    const from: AlsModel | null = head === 'rating' ? warm.rating : warm.ranking;
    const mismatch = from ? warmStartMismatch(from, options) : `it has no ${head} model`;
    if (from && !mismatch) {
      const start = warmStartFactors(from, userIds, itemIds, options);
      return {
        users: sideFile(rank, start.userFactors, start.userBias, options),
        items: sideFile(rank, start.itemFactors, start.itemBias, options),
        summary: { users: start.users, items: start.items },
      };
    }
    summary = { cold: `hash-seeded: ${mismatch}` };
  }
  return {
    users: sideFile(rank, initialFactors(userIds, rank, seed, USER_SALT), undefined, options),
    items: sideFile(rank, initialFactors(itemIds, rank, seed, ITEM_SALT), undefined, options),
    summary,
  };
}

/**
 * Fixes the solver settings (the tuned rank and λ if any, the observed rating range), writes the
 * initial factors as iteration 0 (hash-seeded, or with `warmStart` the plan's model's factors by
 * id) and the movies' rating counts, and returns the loop
 * variable. A resumed run finds its settings and checkpoint and continues after the last complete
 * iteration instead. `settings.json` is written last: its presence means "prepared".
 */
export async function initRun(task: InitTask, stores: Stores): Promise<LoopState> {
  const run = new TrainingRun(task.runId, stores);
  const { layout, files } = run;
  const [plan, index, storedSettings, checkpoint] = await Promise.all([
    run.plan(),
    run.index(),
    files.currentJson<StoredRunSettings>(layout.settings),
    run.checkpoint(),
  ]);
  const stored = storedSettings && runSettingsOf(storedSettings);
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
  const planned = plannedHeadOptions(plan.heads, plan.iterations);
  const fixed: RunSettings = stored ?? {
    heads: {
      rating: resolveAlsOptions({ ...planned.rating, ...grain }, observed),
      ranking: resolveAlsOptions(
        {
          ...planned.ranking,
          ...(tuned.unobservedWeight !== undefined
            ? { unobservedWeight: tuned.unobservedWeight }
            : {}),
          ...grain,
        },
        observed,
      ),
    },
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
  // Warm start: the model named in the plan (the one active when the run was planned).
  const warm = plan.warmStart
    ? await loadModelBundle(stores.s3, modelPrefix(plan.warmStart.modelId))
    : null;
  const starts = {
    rating: headStart('rating', fixed.heads.rating, userIds, itemIds, warm),
    ranking: headStart('ranking', fixed.heads.ranking, userIds, itemIds, warm),
  };
  const settings: RunSettings =
    stored ??
    (plan.warmStart
      ? {
          ...fixed,
          warmStart: {
            modelId: plan.warmStart.modelId,
            rating: starts.rating.summary!,
            ranking: starts.ranking.summary!,
          },
        }
      : fixed);
  await Promise.all([
    ...HEADS.flatMap((head) => [
      files.putBytes(layout.sideFactors(0, head, 'user'), starts[head].users),
      files.putBytes(layout.sideFactors(0, head, 'item'), starts[head].items),
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
