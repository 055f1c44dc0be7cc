import { lambdaHandler } from '../services/lambda-handler.ts';
import { planChunks } from '../services/ingest/plan.ts';

/** Ingest state 2: byte ranges of the ratings file, aligned to line starts. */
export const handler = lambdaHandler(planChunks);
