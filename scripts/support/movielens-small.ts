import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where ml-latest-small is looked for: RECSYS_ML_SMALL_DIR alone when it is set (a folder named on
 * purpose is never swapped for another); otherwise the shared data sets beside the repository
 * (../shared/datasets), then `data/ml-latest-small`, where `recsys fetch small` unzips it. The
 * first folder holding ratings.csv wins; with none, the first candidate is the one used.
 */
export const ML_SMALL_CANDIDATES: readonly string[] = process.env.RECSYS_ML_SMALL_DIR
  ? [resolve(process.env.RECSYS_ML_SMALL_DIR)]
  : [
      resolve(repoRoot, '../shared/datasets/ml-latest-small'),
      resolve(repoRoot, 'data/ml-latest-small'),
    ];

export const ML_SMALL_DIR =
  ML_SMALL_CANDIDATES.find((dir) => existsSync(join(dir, 'ratings.csv'))) ??
  ML_SMALL_CANDIDATES[0]!;

export const mlSmall = (file: string): string => join(ML_SMALL_DIR, file);

/** One line: what is missing, where it was looked for, and the two ways to provide it. */
export function mlSmallMissingMessage(): string {
  return (
    `the MovieLens ml-latest-small data set is missing (no ratings.csv in ${ML_SMALL_CANDIDATES.join(', ')}): ` +
    'run `npm run recsys -- fetch small` (downloads it into data/), or set RECSYS_ML_SMALL_DIR to a folder that holds it'
  );
}
