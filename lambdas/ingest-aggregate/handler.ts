import { aggregateDataset } from '../services/ingest/aggregate.ts';
import { lambdaHandler } from '../services/lambda-handler.ts';

/** Ingest state 5: exact counts, per-user/per-movie statistics, charts, quarantine report. */
export const handler = lambdaHandler(aggregateDataset);
