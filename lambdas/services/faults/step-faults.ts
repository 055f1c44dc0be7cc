import { createHash } from 'node:crypto';
import type middy from '@middy/core';
import { TransientError } from '../step-errors.ts';
import { isFirstAttempt } from './first-attempt.ts';
import type { FaultSettings } from './settings.ts';

/** The plain error RECSYS_FAULT_ALWAYS throws: not retryable, like a bug. */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

/** Whether the seeded draw for this target falls under the rate: a stable uniform in [0, 1). */
export function drawnToFail(target: string, rate: number, seed: string): boolean {
  if (!(rate > 0)) return false;
  const digest = createHash('sha256').update(`${seed}\u0000${target}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32 < rate;
}

/**
 * Fails the step named `target` (`solve:user:2:3`, `scan:1`, `top-n:0`, `chunk-4`) as the settings
 * ask (settings.ts), or returns.
 */
export function injectStepFault(target: string, settings: FaultSettings): void {
  if (settings.stepAlways.includes(target)) {
    throw new InjectedFault(`fault injection: ${target} fails for good (test hook)`);
  }
  const once =
    settings.stepOnce.includes(target) || drawnToFail(target, settings.stepRate, settings.stepSeed);
  if (!once) return;
  if (settings.dir === undefined) {
    throw new Error('one-off fault injection needs RECSYS_FAULT_DIR for its markers');
  }
  if (!isFirstAttempt(settings.dir, target)) return;
  throw new TransientError(`fault injection: ${target} fails once (test hook)`);
}

/**
 * The step hook as middy middleware: once the step's work has succeeded (its writes done: the
 * worst moment to fail, since the retry must overwrite, not add), fails it as the settings ask.
 * Composed into a handler only when fault settings exist (lambda-handler.ts).
 */
export function stepFaults<Event>(
  settings: FaultSettings,
  targetOf: (event: Event) => string,
): middy.MiddlewareObj<Event> {
  return { after: (request) => injectStepFault(targetOf(request.event), settings) };
}
