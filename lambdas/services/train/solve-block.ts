import {
  SolverScratch,
  currentRows,
  solveBlock,
  solverStartsFromCurrent,
  type BlockSolveInput,
} from '../../core/als/index.ts';
import { encodeBlockFactors } from '../../core/train/factor-files.ts';
import { HEADS } from '../../core/train/run-layout.ts';
import type { SolveTask } from '../../core/train/workflow-types.ts';
import type { Stores } from '../runtime.ts';
import { TrainingRun, otherSide } from './run-state.ts';

// One per container, as the in-process driver keeps one: rows never see each other's contents.
const scratch = new SolverScratch();

export interface SolveResult {
  readonly block: number;
  readonly rows: number;
  readonly seconds: number;
}

/**
 * Loop, Map item: one half-step for one block — user blocks against the item factors of the last
 * iteration, item blocks against the user factors just computed — for each of the run's two ALS
 * models (rating and ranking) in turn, exactly the `solveBlock` calls the in-process `trainAls`
 * makes, so the factors have the same bits. Both models share the block's rows, so one task
 * reads them once. The refit phase solves against every rating, validation included.
 */
export async function solveBlockTask(task: SolveTask, stores: Stores): Promise<SolveResult> {
  const started = performance.now();
  const { side, block, iteration } = task;
  const run = new TrainingRun(task.runId, stores);
  const [settings, index, rows] = await Promise.all([
    run.settings(),
    run.index(),
    run.blockOf(task.phase ?? 'fit', side, block),
  ]);
  for (const head of HEADS) {
    const options = settings.heads[head];
    const fixedIteration = side === 'user' ? iteration - 1 : iteration;
    const fixed = await run.side(fixedIteration, head, otherSide(side));
    // Only a solver that iterates from this block's current factors makes the side worth reading.
    const current = solverStartsFromCurrent(options)
      ? await run.side(iteration - 1, head, side)
      : null;
    const input: BlockSolveInput = {
      block: rows,
      fixedFactors: fixed.factors,
      globalMean: index.globalMean,
      ...(fixed.bias ? { fixedBias: fixed.bias } : {}),
      ...(fixed.gram ? { gram: fixed.gram } : {}),
      ...(current ? currentRows(current, rows.rows, options.rank) : {}),
    };
    const out = solveBlock(input, options, scratch);
    await run.files.putBytes(
      run.layout.blockFactors(iteration, head, side, block),
      encodeBlockFactors({
        rows: out.rows,
        factors: out.factors,
        ...(out.bias ? { bias: out.bias } : {}),
      }),
    );
  }
  return { block, rows: rows.rows.length, seconds: (performance.now() - started) / 1000 };
}
