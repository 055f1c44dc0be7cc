import { errorSumOfBlock, errorSumOfRatings } from '../../core/train/prediction-error.ts';
import type { EvaluateResult, EvaluateTask } from '../../core/train/workflow-types.ts';
import type { Stores } from '../runtime.ts';
import { TrainingRun } from './run-state.ts';

/**
 * Loop, Map item: the squared errors of the rating model for block b's users after an iteration,
 * on their validation ratings and on the ratings it trained on (the training split, or every
 * rating in the refit phase), as exact fixed-point partial sums.
 */
export async function evaluateBlock(task: EvaluateTask, stores: Stores): Promise<EvaluateResult> {
  const run = new TrainingRun(task.runId, stores);
  const [model, validation, train] = await Promise.all([
    run.model(task.iteration, 'rating', { history: false }),
    run.validation(task.block),
    run.blockOf(task.phase ?? 'fit', 'user', task.block),
  ]);
  return {
    block: task.block,
    validation: errorSumOfRatings(model, validation),
    train: errorSumOfBlock(model, train),
  };
}
