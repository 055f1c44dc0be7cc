import type middy from '@middy/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** API Gateway's request id (what its access logs show), else the Lambda invocation id. */
export function requestIdOf(
  request: middy.Request<APIGatewayProxyEvent, unknown, Error, Context>,
): string {
  return request.event?.requestContext?.requestId ?? request.context?.awsRequestId ?? 'unknown';
}
