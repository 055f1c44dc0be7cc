import type { ApiRoute } from '../route.ts';

/**
 * Open (no API key): load balancers and the CLI poll it. Says whether the database answers and
 * which model serves, so a deploy can be checked end to end; 503 when the database does not answer.
 */
export const healthRoute: ApiRoute = {
  method: 'GET',
  path: '/health',
  async handle(_request, { state }) {
    try {
      const serving = await state.activeModel();
      return {
        body: { status: 'ok', activeModelId: serving?.record.modelId ?? null },
        cache: 'no-store',
      };
    } catch (error) {
      return {
        status: 503,
        body: {
          status: 'unavailable',
          reason: error instanceof Error ? error.message.split('\n')[0] : 'unknown',
        },
        cache: 'no-store',
      };
    }
  },
};
