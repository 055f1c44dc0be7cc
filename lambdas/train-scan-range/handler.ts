import { lambdaHandler } from '../services/lambda-handler.ts';
import { scanRange } from '../services/train/scan-range.ts';

/** Prepare, Map item: one token range of ratings_by_user shuffled to S3 by user and item block. */
export const handler = lambdaHandler(scanRange, {
  faultTarget: (task) => `scan:${task.range.index}`,
});
