/**
 * "Is this a write?" (lambdas/core/api/write-routes.ts): the one answer the stack (IAM methods),
 * the API Lambda (signed-writes check) and the web console (which requests it signs) share.
 */
import { describe, expect, it } from 'vitest';
import { isWriteRequest, WRITE_ROUTES } from '../../lambdas/core/api/write-routes.ts';

describe('isWriteRequest', () => {
  it('matches each write route with its parameters filled in, a trailing slash or a query', () => {
    for (const [method, path] of [
      ['PUT', '/users/7/ratings/2571'],
      ['PUT', '/users/7/ratings/2571/'],
      ['DELETE', '/users/-1/ratings/2'],
      ['POST', '/events'],
      ['POST', '/events?dryRun=1'],
      ['PUT', '/movies/9'],
      ['PUT', '/users/7/dislikes/2571'],
      ['DELETE', '/users/7/dislikes/2571/'],
    ] as const) {
      expect(isWriteRequest(method, path), `${method} ${path}`).toBe(true);
    }
  });

  it('leaves reads alone: GETs, the scoring POST, a write method on a read path', () => {
    for (const [method, path] of [
      ['GET', '/users/7/ratings'],
      ['GET', '/users/7/ratings/2571'],
      ['GET', '/users/7/recommendations?limit=5'],
      ['POST', '/recommendations'],
      ['GET', '/events'],
      ['DELETE', '/movies/9'],
      ['PUT', '/users/7/ratings'],
      ['PUT', '/users//ratings/2'],
      ['PUT', '/users/7/ratings/2/extra'],
      ['GET', '/users/7/dislikes/2571'],
      ['POST', '/users/7/dislikes/2571'],
    ] as const) {
      expect(isWriteRequest(method, path), `${method} ${path}`).toBe(false);
    }
  });

  it('knows six routes, each throttled with a burst at least its rate', () => {
    expect(WRITE_ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /users/{userId}/ratings/{movieId}',
      'DELETE /users/{userId}/ratings/{movieId}',
      'POST /events',
      'PUT /users/{userId}/dislikes/{movieId}',
      'DELETE /users/{userId}/dislikes/{movieId}',
      'PUT /movies/{movieId}',
      'POST /experiments',
      'POST /experiments/stop',
    ]);
    for (const r of WRITE_ROUTES) expect(r.burstLimit).toBeGreaterThanOrEqual(r.rateLimit);
  });
});
