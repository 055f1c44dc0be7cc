import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { faultSettingsFromEnv } from './faults/settings.ts';
import { stepFaults } from './faults/step-faults.ts';
import { logger } from './logger.ts';
import { containerStores, type Stores } from './runtime.ts';
import { transientFailures } from './transient-failures.ts';

export interface StepOptions<Event> {
  /**
   * The step's name for fault injection in tests (`scan:2`, `solve:user:1:3`): given, a test run
   * that sets RECSYS_FAULT_* variables can fail this step (faults/settings.ts).
   */
  readonly faultTarget?: (event: Event) => string;
}

/**
 * The project's Lambda entry point shape: middy with the powertools logger (request id and cold
 * start on every line), the container's adapters, and transient failures renamed to TransientError
 * so the state machine's Retry matches them. The step fault hook is composed in only when the
 * environment asks for faults.
 */
export function lambdaHandler<Event, Result>(
  work: (event: Event, stores: Stores) => Promise<Result>,
  options: StepOptions<Event> = {},
  env: NodeJS.ProcessEnv = process.env,
) {
  const handler = middy(async (event: Event, _context: Context) =>
    work(event, containerStores(env)),
  )
    .use(injectLambdaContext(logger))
    .use(transientFailures());
  const faults = faultSettingsFromEnv(env);
  if (faults && options.faultTarget) handler.use(stepFaults(faults, options.faultTarget));
  return handler;
}
