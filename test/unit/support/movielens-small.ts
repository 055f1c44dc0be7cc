import { existsSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { ML_SMALL_DIR, mlSmall } from '../../../scripts/support/movielens-small.ts';

export { ML_SMALL_DIR, mlSmall };

const present = existsSync(mlSmall('ratings.csv'));

/**
 * `describe` for tests on the real data: skipped where the data set is absent, except in CI, where a
 * missing data set must fail rather than pass silently.
 */
export const describeWithMlSmall = present || process.env.CI === 'true' ? describe : describe.skip;

/** First statement of each such test, so the CI failure says what is missing. */
export function expectMlSmallPresent(): void {
  expect(present, `missing data set ${ML_SMALL_DIR} (set RECSYS_ML_SMALL_DIR)`).toBe(true);
}
