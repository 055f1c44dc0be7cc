import { RatingsTableBuilder, type RatingsTable } from '../../core/ratings.ts';
import { tuneRecommender } from '../../core/recommender/tune.ts';
import { plannedHeadOptions } from '../../core/train/heads.ts';
import { bestCandidate, DEFAULT_TUNE_GRID, type TuneResult } from '../../core/train/tune-grid.ts';
import type { TuneSelectTask, TuneTask, TunedParams } from '../../core/train/workflow-types.ts';
import type { Stores } from '../runtime.ts';
import { mapLimit } from '../../core/pool.ts';
import { TrainingRun } from './run-state.ts';

/** Every rating of the run (validation included) as one table, from the user blocks. */
async function allRatings(run: TrainingRun, blocks: readonly number[]): Promise<RatingsTable> {
  const [userIds, itemIds, parts] = await Promise.all([
    run.idMap('user'),
    run.idMap('item'),
    mapLimit(blocks, 8, (b) => run.blockAll('user', b)),
  ]);
  const table = new RatingsTableBuilder();
  for (const part of parts) {
    for (let r = 0; r < part.rows.length; r++) {
      const userId = userIds.ids[part.rows[r]!]!;
      for (let k = part.rowPtr[r]!; k < part.rowPtr[r + 1]!; k++) {
        table.push(userId, itemIds.ids[part.colIdx[k]!]!, part.values[k]!);
      }
    }
  }
  return table.finish();
}

/**
 * Tuning, Map item: one (α₀, neighbour λ) point of the ranking grid, fitted in this Lambda on the
 * run's ratings minus a set of validation users, and scored by NDCG@100 on those users (their
 * given ratings folded in, as the API does) at every blend weight of the grid. Points run in
 * parallel; each must fit one Lambda (15 minutes), which holds for data sets up to a few million
 * ratings — beyond that, tune on a sample.
 */
export async function tuneCandidate(task: TuneTask, stores: Stores): Promise<TuneResult> {
  const started = performance.now();
  const run = new TrainingRun(task.runId, stores);
  const plan = await run.plan();
  const table = await allRatings(run, plan.blocks);
  const { unobservedWeight, neighbourReg } = task.candidate;
  const search = tuneRecommender(table, {
    seed: plan.splitSeed,
    grid: {
      unobservedWeights: [unobservedWeight],
      neighbourRegs: [neighbourReg],
      blends: plan.tuneBlends ?? DEFAULT_TUNE_GRID.blends,
    },
    base: {
      als: plannedHeadOptions(plan.heads, plan.iterations).ranking,
      neighbours: plan.neighbours ?? false,
      blend: plan.blend,
      policy: plan.policy,
    },
  });
  const best = search.results[0]!;
  return {
    ...task.candidate,
    blend: best.blend,
    ndcg: best.validation['ndcg@100'],
    seconds: (performance.now() - started) / 1000,
  };
}

/** Tuning: the best point by validation NDCG@100, recorded in `tuning.json`. */
export async function selectTuned(task: TuneSelectTask, stores: Stores): Promise<TunedParams> {
  const run = new TrainingRun(task.runId, stores);
  const best = bestCandidate(task.results);
  const tuned: TunedParams = {
    unobservedWeight: best.unobservedWeight,
    neighbourReg: best.neighbourReg,
    blend: best.blend,
    ...(best.ndcg !== null ? { ndcg: best.ndcg } : {}),
  };
  await run.files.putJson(run.layout.tuning, { results: task.results, best });
  return tuned;
}
