import type {
  Checkpoint,
  CheckpointTask,
  IterationSummary,
  LoopPhase,
  RunPlan,
} from './workflow-types.ts';

/** What the loop knows after an iteration: validation RMSE (null without a validation set). */
export interface IterationOutcome {
  readonly iteration: number;
  readonly rmse: number | null;
}

/**
 * Stop early once an iteration improves validation RMSE by less than `tolerance` (a worse RMSE
 * counts as no improvement: further iterations only overfit). A tolerance of 0 never stops early,
 * so the run does exactly the requested iterations, as in-process `trainAls` does.
 */
export function hasConverged(history: readonly IterationOutcome[], tolerance: number): boolean {
  if (!(tolerance > 0) || history.length < 2) return false;
  const last = history[history.length - 1]!.rmse;
  const before = history[history.length - 2]!.rmse;
  if (last === null || before === null) return false;
  return before - last < tolerance;
}

/**
 * Where the loop goes after this iteration. The fit phase ends when validation RMSE stops
 * improving by the tolerance or the iterations run out; then, if there was a validation split,
 * the refit phase trains `refitIterations` more on every rating, warm from the fitted factors.
 */
export function nextStep(
  task: Pick<CheckpointTask, 'iteration' | 'phase'>,
  plan: Pick<RunPlan, 'iterations' | 'tolerance' | 'validation' | 'refitIterations'>,
  history: readonly IterationSummary[],
  previous: Pick<Checkpoint, 'fitIterations' | 'converged'> | undefined,
): { phase: LoopPhase; done: boolean; converged: boolean; fitIterations?: number } {
  if (task.phase === 'refit') {
    const fitted = previous?.fitIterations ?? task.iteration - 1;
    return {
      phase: 'refit',
      done: task.iteration >= fitted + plan.refitIterations,
      converged: previous?.converged ?? false,
      fitIterations: fitted,
    };
  }
  // Converged: validation RMSE stopped improving by the tolerance (an early stop).
  const fitHistory = history.filter((h) => h.phase !== 'refit');
  const converged = hasConverged(fitHistory, plan.tolerance);
  if (!converged && task.iteration < plan.iterations) {
    return { phase: 'fit', done: false, converged };
  }
  const refit = plan.validation > 0 && plan.refitIterations > 0;
  return {
    phase: refit ? 'refit' : 'fit',
    done: !refit,
    converged,
    ...(refit ? { fitIterations: task.iteration } : {}),
  };
}
