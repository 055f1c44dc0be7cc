import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ApiError } from '../../../core/serving/api-error.ts';
import { logger } from '../../logger.ts';
import { requestIdOf } from './request-id.ts';

interface HttpLikeError {
  statusCode?: number;
  message?: string;
  cause?: { package?: string };
}

/** Codes for the HTTP errors middy's own middlewares raise. */
const MIDDY_CODES: Record<number, string> = {
  404: 'route_not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'malformed_json',
};

/**
 * Turns whatever a route threw into an error that `@middy/http-error-handler` renders as JSON:
 * ApiErrors as they are, middy's HTTP errors with a code (a malformed JSON body becomes 400, the
 * client's fault), and anything else into a logged 500 whose body reveals nothing.
 */
export function jsonErrors(): middy.MiddlewareObj<
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Error,
  Context
> {
  return {
    onError: (request) => {
      const error = request.error as (Error & HttpLikeError) | null;
      let apiError: ApiError;
      if (error instanceof ApiError) {
        apiError = error;
      } else if (error?.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        const malformed =
          error.statusCode === 422 && error.cause?.package === '@middy/http-json-body-parser';
        apiError = new ApiError(
          malformed ? 400 : error.statusCode,
          MIDDY_CODES[error.statusCode] ?? 'bad_request',
          malformed ? 'the body is not valid JSON' : (error.message ?? 'bad request'),
        );
      } else {
        logger.error('unhandled error', { error: error ?? undefined });
        apiError = new ApiError(
          500,
          'internal',
          'internal error; quote the request id when reporting it',
        );
      }
      const body = { ...apiError.toBody(), requestId: requestIdOf(request) };
      request.error = Object.assign(new Error(JSON.stringify(body)), {
        statusCode: apiError.statusCode,
        expose: true,
      });
    },
  };
}
