import { createHash, timingSafeEqual } from 'node:crypto';
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { isWriteRequest } from '../../../core/api/write-routes.ts';
import { ApiError } from '../api-error.ts';

/**
 * Where the API key is checked. In AWS, API Gateway checks it against the usage plan before the
 * Lambda runs (`RECSYS_API_KEY_SOURCE=gateway`, set by the stack); everywhere else this middleware
 * compares the `x-api-key` header with `RECSYS_API_KEY`. With neither set every data route is
 * refused: a misconfigured deployment fails closed.
 */
export type ApiKeyCheck =
  | {
      readonly mode: 'gateway';
      /**
       * Writes must have come through an IAM-authorized method (the stack's write routes): a
       * second line behind API Gateway, should a key-only method ever reach a write route.
       */
      readonly signedWrites?: boolean;
    }
  | { readonly mode: 'local'; readonly key: string }
  | { readonly mode: 'unconfigured' };

export function apiKeyCheckFromEnv(env: NodeJS.ProcessEnv): ApiKeyCheck {
  if (env.RECSYS_API_KEY_SOURCE === 'gateway') {
    return { mode: 'gateway', signedWrites: env.RECSYS_WRITE_AUTH === 'iam' };
  }
  const key = env.RECSYS_API_KEY?.trim();
  return key ? { mode: 'local', key } : { mode: 'unconfigured' };
}

const digest = (s: string) => createHash('sha256').update(s).digest();
/** The configured key's digest, hashed once rather than on every request. */
let expectedDigest: { key: string; digest: Buffer } | undefined;

/** Compares digests so neither the time taken nor an early length mismatch leaks the key. */
export function sameKey(given: string, expected: string): boolean {
  if (expectedDigest?.key !== expected)
    expectedDigest = { key: expected, digest: digest(expected) };
  return timingSafeEqual(digest(given), expectedDigest.digest);
}

/** True when API Gateway authorized the request with IAM (SigV4): it names the signer. */
function signedByIam(event: APIGatewayProxyEvent): boolean {
  const identity = event.requestContext?.identity;
  return Boolean(identity?.userArn || identity?.accessKey);
}

export function apiKeyAuth(
  check: ApiKeyCheck,
  openPaths: ReadonlySet<string>,
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    before: (request) => {
      const { httpMethod, path, headers } = request.event;
      if (httpMethod === 'OPTIONS' || openPaths.has(path.replace(/\/$/, '') || '/')) return;
      if (check.mode === 'gateway') {
        if (check.signedWrites && isWriteRequest(httpMethod, path) && !signedByIam(request.event)) {
          throw new ApiError(
            403,
            'signature_required',
            'changes need a SigV4-signed request (IAM); the API key alone only reads',
          );
        }
        return;
      }
      if (check.mode === 'unconfigured') {
        throw new ApiError(
          503,
          'api_key_not_configured',
          'the server has no API key configured (RECSYS_API_KEY)',
        );
      }
      const given = headers?.['x-api-key'];
      if (!given)
        throw new ApiError(401, 'missing_api_key', 'send the API key in the x-api-key header');
      if (!sameKey(given, check.key))
        throw new ApiError(403, 'invalid_api_key', 'the API key is not valid');
    },
  };
}
