import { ingestCatalogue } from '../services/ingest/catalogue.ts';
import { lambdaHandler } from '../services/lambda-handler.ts';

/** Ingest state 4: movies (with links and top tags) and tags. */
export const handler = lambdaHandler(ingestCatalogue);
