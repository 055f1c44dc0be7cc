import { lambdaHandler } from '../services/lambda-handler.ts';
import { assembleBlock } from '../services/train/assemble-block.ts';

/** Prepare, Map item: one block's CSR files, validation ratings and movie rating counts. */
export const handler = lambdaHandler(assembleBlock);
