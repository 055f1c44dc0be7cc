import { lambdaHandler } from '../services/lambda-handler.ts';
import { tuneCandidate } from '../services/train/tune.ts';

/** Tuning, Map item: one (rank, reg) grid point trained and scored on the validation split. */
export const handler = lambdaHandler(tuneCandidate);
