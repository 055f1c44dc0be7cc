import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../../logger.ts';
import { requestIdOf } from './request-id.ts';

type Request = middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

/**
 * Outermost middleware: every response, error or not, carries `x-request-id` and a cache policy
 * (no-store unless the route chose one), and produces one access-log line.
 */
export function responseEnvelope(): middy.MiddlewareObj<
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Error,
  Context
> {
  const started = new WeakMap<object, number>();
  const finish = (request: Request) => {
    const response = request.response;
    if (!response) return;
    response.headers = {
      'Cache-Control': 'no-store',
      ...response.headers,
      'x-request-id': requestIdOf(request),
    };
    const began = started.get(request);
    logger.info('request', {
      method: request.event.httpMethod,
      path: request.event.path,
      status: response.statusCode,
      ms: began === undefined ? undefined : Math.round((performance.now() - began) * 100) / 100,
    });
  };
  return {
    before: (request) => void started.set(request, performance.now()),
    after: finish,
    onError: finish,
  };
}
