import { lambdaHandler } from '../services/lambda-handler.ts';
import { buildIndex } from '../services/train/build-index.ts';

/** Prepare: id maps and the exact global mean from the scans. */
export const handler = lambdaHandler(buildIndex);
