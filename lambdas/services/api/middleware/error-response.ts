import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { InvalidInputError, type ParameterProblem } from '../../../core/serving/invalid-input.ts';
import { logger } from '../../logger.ts';
import { ApiError } from '../api-error.ts';
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

/** What the API answers for a failure: status, code, message and the bad parameters, if any. */
export interface ErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly problems?: readonly ParameterProblem[];
}

/**
 * The answer for whatever a route or middleware threw: ApiErrors as they are, bad input as 400
 * with its problems, middy's HTTP errors with a code (a malformed JSON body becomes 400, the
 * client's fault), and anything else a logged 500 whose body reveals nothing.
 */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof ApiError) {
    return { status: error.statusCode, code: error.code, message: error.message };
  }
  if (error instanceof InvalidInputError) {
    return { status: 400, code: 'bad_request', message: error.message, problems: error.problems };
  }
  const http = error as (Error & HttpLikeError) | null | undefined;
  if (http?.statusCode && http.statusCode >= 400 && http.statusCode < 500) {
    const malformed =
      http.statusCode === 422 && http.cause?.package === '@middy/http-json-body-parser';
    return {
      status: malformed ? 400 : http.statusCode,
      code: MIDDY_CODES[http.statusCode] ?? 'bad_request',
      message: malformed ? 'the body is not valid JSON' : (http.message ?? 'bad request'),
    };
  }
  logger.error('unhandled error', { error: error ?? undefined });
  return {
    status: 500,
    code: 'internal',
    message: 'internal error; quote the request id when reporting it',
  };
}

/**
 * The API's one error path (like middy's http-error-handler, which it replaces): sets the
 * response, a JSON body `{error: {status, code, message, problems?}, requestId}`, so the
 * middlewares above it (CORS, the response envelope) decorate it as any other response.
 */
export function errorResponse(): middy.MiddlewareObj<
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Error,
  Context
> {
  return {
    onError: (request) => {
      const answer = errorAnswer(request.error);
      const body = {
        error: {
          status: answer.status,
          code: answer.code,
          message: answer.message,
          ...(answer.problems && answer.problems.length > 0 ? { problems: answer.problems } : {}),
        },
        requestId: requestIdOf(request),
      };
      request.response = {
        statusCode: answer.status,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      };
    },
  };
}
