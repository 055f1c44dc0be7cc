import { lambdaHandler } from '../services/lambda-handler.ts';
import { initRun } from '../services/train/init.ts';

/** Settings fixed, hash-seeded initial factors written (or the checkpoint found on resume). */
export const handler = lambdaHandler(initRun);
