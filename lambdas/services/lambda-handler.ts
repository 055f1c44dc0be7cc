import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './logger.ts';
import { containerStores, type Stores } from './runtime.ts';
import { classifyFailures } from './transient-error.ts';

/**
 * The project's Lambda entry point shape: middy with the powertools logger (request id and cold
 * start on every line), the container's adapters, and transient failures renamed to TransientError
 * so the state machine's Retry matches them.
 */
export function lambdaHandler<Event, Result>(
  work: (event: Event, stores: Stores) => Promise<Result>,
) {
  return middy(async (event: Event, _context: Context) =>
    classifyFailures(() => work(event, containerStores())),
  ).use(injectLambdaContext(logger));
}
