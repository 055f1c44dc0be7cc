import { lambdaHandler } from '../services/lambda-handler.ts';
import { topNBlock } from '../services/train/top-n-block.ts';

/** Outputs, Map item: top-N recommendations of one user block into Keyspaces. */
export const handler = lambdaHandler(topNBlock, { faultTarget: (task) => `top-n:${task.block}` });
