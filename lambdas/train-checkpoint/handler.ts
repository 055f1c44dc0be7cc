import { lambdaHandler } from '../services/lambda-handler.ts';
import { checkpointIteration } from '../services/train/checkpoint.ts';

/** Loop: RMSE reduced, iteration checkpointed, convergence decided. */
export const handler = lambdaHandler(checkpointIteration);
