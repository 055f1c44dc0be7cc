import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';

/** The real ml-latest-small, next to the repository (../shared/datasets), or where the env says. */
export const ML_SMALL_DIR =
  process.env.RECSYS_ML_SMALL_DIR ??
  resolve(
    fileURLToPath(new URL('.', import.meta.url)),
    '../../../../shared/datasets/ml-latest-small',
  );

export const mlSmall = (file: string): string => join(ML_SMALL_DIR, file);

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
