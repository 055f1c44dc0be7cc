import { existsSync } from 'node:fs';
import {
  ML_SMALL_DIR,
  mlSmall,
  mlSmallMissingMessage,
} from '../../scripts/support/movielens-small.ts';

export { ML_SMALL_DIR, mlSmall };

/**
 * First statement of every test (or `beforeAll`) that reads the real data set. A missing data set
 * fails the test with the fix in its message, on a laptop as in CI: a suite that skips quietly
 * would report green while testing nothing.
 */
export function expectMlSmallPresent(): void {
  if (!existsSync(mlSmall('ratings.csv'))) throw new Error(mlSmallMissingMessage());
}
