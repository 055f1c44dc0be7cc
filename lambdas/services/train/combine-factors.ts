import { computeGram } from '../../core/als/index.ts';
import {
  decodeBlockFactors,
  encodeSideFactors,
  scatterBlock,
} from '../../core/train/factor-files.ts';
import { HEADS } from '../../core/train/run-layout.ts';
import type { CombineTask } from '../../core/train/workflow-types.ts';
import type { Stores } from '../runtime.ts';
import { mapLimit } from '../../core/pool.ts';
import { TrainingRun } from './run-state.ts';

/**
 * Loop: gathers one side's block results into the whole side (the broadcast of Spark's ALS), so
 * each block solve of the next half-step reads one object instead of one per block — for both of
 * the run's models. For the implicit (ranking) model it adds YᵀY once, summed in the fixed chunks
 * that keep it identical to the in-process run.
 */
export async function combineFactors(task: CombineTask, stores: Stores): Promise<{ rows: number }> {
  const { side, iteration } = task;
  const run = new TrainingRun(task.runId, stores);
  const [plan, settings, index] = await Promise.all([run.plan(), run.settings(), run.index()]);
  const rowCount = side === 'user' ? index.users : index.items;
  for (const head of HEADS) {
    const { rank, biases, implicit } = settings.heads[head];
    const whole = {
      factors: new Float32Array(rowCount * rank),
      ...(biases ? { bias: new Float32Array(rowCount) } : {}),
    };
    let covered = 0;
    await mapLimit(plan.blocks, 8, async (block) => {
      const bytes = await run.files.getBytes(run.layout.blockFactors(iteration, head, side, block));
      const part = decodeBlockFactors(bytes);
      scatterBlock(part, rank, whole);
      covered += part.rows.length;
    });
    if (covered !== rowCount) {
      throw new Error(
        `${head} ${side} blocks of iteration ${iteration} cover ${covered} of ${rowCount} rows`,
      );
    }
    await run.files.putBytes(
      run.layout.sideFactors(iteration, head, side),
      encodeSideFactors({
        rank,
        ...whole,
        ...(implicit ? { gram: computeGram(whole.factors, rank) } : {}),
      }),
    );
  }
  return { rows: rowCount };
}
