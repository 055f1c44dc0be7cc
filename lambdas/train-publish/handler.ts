import { lambdaHandler } from '../services/lambda-handler.ts';
import { publishModel } from '../services/train/publish.ts';

/** Last step: model file, model row ready, active model switched. */
export const handler = lambdaHandler(publishModel);
