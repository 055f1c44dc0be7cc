import { lambdaHandler } from '../services/lambda-handler.ts';
import { validateDataset } from '../services/ingest/validate.ts';

/** Ingest state 1: the files are there, look like MovieLens, and the keyspace is free. */
export const handler = lambdaHandler(validateDataset);
