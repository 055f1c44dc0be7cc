import { lambdaHandler } from '../services/lambda-handler.ts';
import { neighbourGramBlock } from '../services/train/neighbours.ts';

/** Neighbours, Map item: one user block's partial XᵀX over the most-rated movies. */
export const handler = lambdaHandler(neighbourGramBlock);
