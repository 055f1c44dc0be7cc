import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The real ml-latest-small, next to the repository (../shared/datasets), or where the env says. */
export const ML_SMALL_DIR =
  process.env.RECSYS_ML_SMALL_DIR ??
  resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/datasets/ml-latest-small');

export const mlSmall = (file: string): string => join(ML_SMALL_DIR, file);
