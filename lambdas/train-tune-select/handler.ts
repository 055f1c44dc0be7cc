import { lambdaHandler } from '../services/lambda-handler.ts';
import { selectTuned } from '../services/train/tune.ts';

/** Tuning: the grid point with the lowest validation RMSE. */
export const handler = lambdaHandler(selectTuned);
