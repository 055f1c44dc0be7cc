import { createApiHandler } from '../services/api/app.ts';

/**
 * API Gateway (REST, Lambda proxy) entry point for every route. The container keeps the movie
 * catalogue and the active model's factors between invocations (services/api/serving-state.ts).
 */
export const handler = createApiHandler();
