import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { assertDatasetName } from '../../../lambdas/core/ingest/workflow-types.ts';
import { fetchMovieLens } from '../datasets/fetch-movielens.ts';
import { writeDataset } from '../datasets/write-dataset.ts';
import { UserError } from '../user-error.ts';

export type DatasetSource = '--dir' | 'MOVIELENS_DIR' | 'shared' | 'data' | 'fetched' | 'generated';

export interface ChosenDataset {
  readonly dir: string;
  /** The data set's name in the keyspace and under datasets/ in S3. */
  readonly name: string;
  readonly source: DatasetSource;
}

export interface ChooseOptions {
  readonly dir?: string | undefined;
  readonly repoRoot: string;
  /** Where a generated set is written when nothing else is available. */
  readonly generatedDir: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Seconds to wait for GroupLens before falling back to a generated set. */
  readonly fetchTimeoutSeconds?: number;
  readonly log: (line: string) => void;
}

/** The size of ml-latest-small, so the generated stand-in trains and serves like the real one. */
const GENERATED = { ratings: 100_836, users: 610, movies: 9_742, seed: 42 } as const;

const hasRatings = (dir: string): boolean =>
  ['ratings.csv', 'ratings.dat', 'u.data'].some((name) => existsSync(join(dir, name)));

/**
 * The demo's data set, first match wins: --dir, $MOVIELENS_DIR, ../shared/datasets/ml-latest-small,
 * data/ml-latest-small (an earlier `recsys fetch small`), a fresh `recsys fetch small`, and when
 * GroupLens cannot be reached a generated MovieLens-shaped set of the same size.
 */
export async function chooseDataset(options: ChooseOptions): Promise<ChosenDataset> {
  const env = options.env ?? process.env;
  const given = options.dir ?? env.MOVIELENS_DIR;
  if (given !== undefined && given.trim() !== '') {
    const dir = resolve(given);
    const source = options.dir !== undefined ? '--dir' : 'MOVIELENS_DIR';
    if (!hasRatings(dir)) {
      throw new UserError(
        `${source} ${given} holds no ratings file (ratings.csv, ratings.dat or u.data)`,
      );
    }
    return { dir, name: nameOf(dir), source };
  }
  const shared = resolve(options.repoRoot, '..', 'shared', 'datasets', 'ml-latest-small');
  if (hasRatings(shared)) return { dir: shared, name: nameOf(shared), source: 'shared' };
  const dataDir = join(options.repoRoot, 'data');
  const fetched = join(dataDir, 'ml-latest-small');
  if (hasRatings(fetched)) return { dir: fetched, name: nameOf(fetched), source: 'data' };

  options.log('data set: no MovieLens folder found; fetching ml-latest-small from GroupLens');
  try {
    const result = await fetchMovieLens({
      name: 'small',
      dataDir,
      timeoutSeconds: options.fetchTimeoutSeconds ?? 15,
    });
    return { dir: result.dir, name: nameOf(result.dir), source: 'fetched' };
  } catch (error) {
    options.log(`data set: fetch failed (${(error as Error).message.split('\n')[0]})`);
  }

  const dir = options.generatedDir;
  if (!existsSync(join(dir, 'generator.json'))) {
    options.log(
      `data set: generating a MovieLens-shaped set (${GENERATED.ratings} ratings) in ${dir}`,
    );
    await writeDataset(dir, GENERATED);
  }
  return { dir, name: 'generated-small', source: 'generated' };
}

/** The folder's name made into a valid data set name. */
function nameOf(dir: string): string {
  const name = basename(dir)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 100);
  return assertDatasetName(name || 'movielens');
}
