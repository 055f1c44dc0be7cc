import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpEventNormalizer from '@middy/http-event-normalizer';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpRouterHandler, { type Route } from '@middy/http-router';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ListBatcher } from '../../core/serving/list-batcher.ts';
import { apiConfigFromEnv } from '../config/api-config.ts';
import { logger } from '../logger.ts';
import { containerStores, type Stores } from '../runtime.ts';
import { ApiError } from './api-error.ts';
import { apiKeyAuth } from './middleware/api-key.ts';
import { bodyLimit } from './middleware/body-limit.ts';
import { errorResponse } from './middleware/error-response.ts';
import { responseEnvelope } from './middleware/response-envelope.ts';
import type { ApiResult, ApiRoute, RouteDeps } from './route.ts';
import { API_ROUTES, OPEN_PATHS } from './routes/index.ts';
import { ServingState } from './serving-state.ts';

export type ApiEvent = APIGatewayProxyEvent;
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface ApiOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Adapters; the container's (from the environment) by default. */
  readonly stores?: () => Stores;
}

/**
 * The whole API as one middy handler: the Lambda's entry point and what `recsys serve` calls with
 * the events it builds. Middleware order (before: top to bottom; after/onError: bottom to top):
 * logger context → request id, cache default and access log → CORS (answers preflights; adds its
 * headers to every response, errors included) → the error response → header and event
 * normalization → API key → body size → router.
 */
export function createApiHandler(options: ApiOptions = {}): ApiHandler {
  const env = options.env ?? process.env;
  const config = apiConfigFromEnv(env);
  const stores = options.stores ?? (() => containerStores(env));
  const deps: RouteDeps = {
    state: new ServingState(stores, config.serving),
    stores,
    servedListSample: config.servedListSample,
    lists: new ListBatcher((flush) => setImmediate(flush)),
  };
  const router = httpRouterHandler<APIGatewayProxyEvent, APIGatewayProxyResult>({
    routes: API_ROUTES.map((route) => toMiddyRoute(route, deps)),
    notFoundResponse: ({ method, path }) => {
      throw new ApiError(404, 'route_not_found', `no route ${method} ${path}`);
    },
  });
  const { cors } = config;
  for (const reason of cors.refused) logger.warn('CORS origin refused', { reason });
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>(router)
    .use(injectLambdaContext(logger))
    .use(responseEnvelope())
    // Above the error response, so that error responses (401, 400, …) carry CORS headers too and
    // a browser page on an allowed origin can read why it was refused.
    .use(
      httpCors({
        // RECSYS_CORS_ORIGINS, or "*" in local/dev only (cors.ts); an empty list sends no header.
        origins: [...cors.origins],
        disableBeforePreflightResponse: false,
        headers: 'content-type,x-api-key',
        methods: 'GET,POST,PUT,DELETE,OPTIONS',
        exposeHeaders: 'x-request-id,x-model-id',
        maxAge: 600,
      }),
    )
    .use(errorResponse())
    .use(httpHeaderNormalizer())
    .use(httpEventNormalizer() as middy.MiddlewareObj<APIGatewayProxyEvent>)
    .use(apiKeyAuth(config.apiKey, OPEN_PATHS))
    .use(bodyLimit());
  return (event, context) => handler(event, context);
}

function toMiddyRoute(
  route: ApiRoute,
  deps: RouteDeps,
): Route<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const run = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const result = await route.handle(
      {
        path: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
        body: route.json ? event.body : undefined,
      },
      deps,
    );
    return toProxyResult(result);
  };
  const handler = route.json
    ? middy<APIGatewayProxyEvent, APIGatewayProxyResult>(run).use(httpJsonBodyParser())
    : run;
  return { method: route.method, path: route.path, handler };
}

function toProxyResult(result: ApiResult): APIGatewayProxyResult {
  const cache = result.cache ?? 'no-store';
  const modelId = (result.body as { modelId?: unknown } | null)?.modelId;
  return {
    statusCode: result.status ?? 200,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control':
        cache === 'no-store' ? 'no-store' : `private, max-age=${cache.maxAgeSeconds}`,
      // Which model answered, for clients and caches that do not parse the body (and for the
      // load test that checks no response mixes two models during a switch).
      ...(typeof modelId === 'string' ? { 'x-model-id': modelId } : {}),
    },
    body: JSON.stringify(result.body),
  };
}
