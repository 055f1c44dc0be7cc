import { lambdaHandler } from '../services/lambda-handler.ts';
import { markFailed } from '../services/train/mark-failed.ts';

/** Catch target: the run's model row marked failed; the active model is left alone. */
export const handler = lambdaHandler(markFailed);
