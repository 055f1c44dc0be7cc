import { lambdaHandler } from '../services/lambda-handler.ts';
import { solveBlockTask } from '../services/train/solve-block.ts';

/** Loop, Map item: one ALS half-step for one user or item block. */
export const handler = lambdaHandler(solveBlockTask, {
  faultTarget: (task) => `solve:${task.side}:${task.block}:${task.iteration}`,
});
