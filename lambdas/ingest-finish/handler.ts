import { finishIngestion } from '../services/ingest/finish.ts';
import { lambdaHandler } from '../services/lambda-handler.ts';

/** Last ingest state: the data set's status, counts and timings in `datasets`. */
export const handler = lambdaHandler(finishIngestion);
