import { lambdaHandler } from '../services/lambda-handler.ts';
import { combineFactors } from '../services/train/combine-factors.ts';

/** Loop: one side's block results gathered into the whole side. */
export const handler = lambdaHandler(combineFactors);
