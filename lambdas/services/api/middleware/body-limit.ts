import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ApiError } from '../api-error.ts';

/**
 * A fold-in profile of 5,000 ratings (`MAX_PROFILE_MOVIES`) is ~170 KB of JSON; 256 KiB leaves
 * room and still refuses abuse (API Gateway itself would take 10 MB).
 */
export const MAX_BODY_BYTES = 256 * 1024;

export function bodyLimit(
  maxBytes = MAX_BODY_BYTES,
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    before: ({ event }) => {
      if (typeof event.body !== 'string') return;
      const bytes = event.isBase64Encoded
        ? Math.floor((event.body.length * 3) / 4)
        : Buffer.byteLength(event.body);
      if (bytes > maxBytes) {
        throw new ApiError(
          413,
          'payload_too_large',
          `the body is ${bytes} bytes; at most ${maxBytes} are accepted`,
        );
      }
    },
  };
}
