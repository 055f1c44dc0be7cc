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
