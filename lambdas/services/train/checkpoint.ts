import { nextStep } from '../../core/train/convergence.ts';
import { rmseOfErrorSums } from '../../core/train/prediction-error.ts';
import type {
  Checkpoint,
  CheckpointTask,
  IterationSummary,
  LoopState,
} from '../../core/train/workflow-types.ts';
import type { Stores } from '../runtime.ts';
import { TrainingRun } from './run-state.ts';

/**
 * Loop: reduces the evaluation partials to RMSE, records the iteration in `checkpoint.json` (a
 * re-run resumes after it) and decides convergence; the Choice state reads the returned loop state.
 */
export async function checkpointIteration(
  task: CheckpointTask,
  stores: Stores,
): Promise<LoopState> {
  const run = new TrainingRun(task.runId, stores);
  const [plan, previous] = await Promise.all([run.plan(), run.checkpoint()]);
  if (task.partials.length !== plan.blockCount) {
    throw new Error(`expected ${plan.blockCount} evaluation partials, got ${task.partials.length}`);
  }
  const refit = task.phase === 'refit';
  // In the refit phase the model trains on the validation ratings: their error is no report.
  const rmse = refit ? null : rmseOfErrorSums(task.partials.map((p) => p.validation));
  const trainRmse = rmseOfErrorSums(task.partials.map((p) => p.train));
  const finishedAt = Date.now();
  const seconds = Math.max(0, (finishedAt - task.previousFinishedAt) / 1000);
  const record: IterationSummary = {
    iteration: task.iteration,
    seconds,
    rmse,
    ...(trainRmse !== null ? { trainRmse } : {}),
    phase: task.phase,
  };
  // A retried or resumed iteration replaces its own record and anything after it.
  const history = [
    ...(previous?.history ?? []).filter((h) => h.iteration < task.iteration),
    record,
  ];
  const next = nextStep(task, plan, history, previous);
  const checkpoint: Checkpoint = {
    iteration: task.iteration,
    converged: next.converged,
    ...(next.fitIterations !== undefined ? { fitIterations: next.fitIterations } : {}),
    done: next.done,
    history,
    finishedAt,
  };
  await run.files.putJson(run.layout.checkpoint, checkpoint);
  const fitRmse = [...history].reverse().find((h) => h.rmse !== null)?.rmse ?? null;
  return {
    iteration: task.iteration,
    next: task.iteration + 1,
    phase: next.phase,
    done: next.done,
    converged: next.converged,
    rmse: fitRmse,
    trainRmse,
    seconds,
    finishedAt,
  };
}
