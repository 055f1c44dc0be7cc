/** Where the bench scripts find ml-latest-small: next to the repository, or where the env says. */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ML_LATEST_SMALL_RATINGS = join(
  process.env.RECSYS_ML_SMALL_DIR ??
    resolve(
      fileURLToPath(new URL('.', import.meta.url)),
      '../../../shared/datasets/ml-latest-small',
    ),
  'ratings.csv',
);
