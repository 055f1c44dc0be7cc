import { lambdaHandler } from '../services/lambda-handler.ts';
import { evaluateBlock } from '../services/train/evaluate-block.ts';

/** Loop, Map item: fixed-point squared errors of one user block. */
export const handler = lambdaHandler(evaluateBlock);
