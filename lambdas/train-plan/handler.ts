import { lambdaHandler } from '../services/lambda-handler.ts';
import { planRun } from '../services/train/plan.ts';

/** Train step 1: the request resolved into the run's plan; the model registered as training. */
export const handler = lambdaHandler(planRun);
