import { lambdaHandler } from '../services/lambda-handler.ts';
import { similarMoviesBlock } from '../services/train/similar-movies.ts';

/** Outputs, Map item: similar movies of one item block into Keyspaces. */
export const handler = lambdaHandler(similarMoviesBlock);
