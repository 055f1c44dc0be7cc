import { expect } from 'vitest';
import { InvalidInputError } from '../../lambdas/core/serving/invalid-input.ts';
import { errorAnswer } from '../../lambdas/services/api/middleware/error-response.ts';

/** The parameters the 400 names; fails the test if `run` accepts its input. */
export function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(errorAnswer(error).status).toBe(400);
    return (error as InvalidInputError).problems.map((p) => p.parameter);
  }
  throw new Error('accepted bad input (expected a 400)');
}
