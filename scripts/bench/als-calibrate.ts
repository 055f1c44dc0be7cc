/**
 * Grid over ALS settings on ml-latest-small with the 80/20 hash split; prints test RMSE and train
 * seconds per setting. Used to choose DEFAULT_ALS_OPTIONS.
 *   tsx scripts/bench/als-calibrate.ts [--file ratings.csv] [--split-seed N] [--grid rank=10,20 reg=0.05,0.1 ...]
 */
import { predict } from '../../lambdas/core/als/model.ts';
import type { AlsOptions } from '../../lambdas/core/als/options.ts';
import { trainAls } from '../../lambdas/core/als/train.ts';
import { hashSplit } from '../../lambdas/core/eval/split.ts';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';

function testRmse(model: ReturnType<typeof trainAls>, test: RatingsTable): number {
  let sum = 0;
  for (let i = 0; i < test.length; i++) {
    const err = predict(model, test.userIds[i]!, test.movieIds[i]!) - test.ratings[i]!;
    sum += err * err;
  }
  return Math.sqrt(sum / test.length);
}

function parseGrid(args: string[]): Record<string, (number | boolean | string)[]> {
  const grid: Record<string, (number | boolean | string)[]> = {};
  for (const arg of args) {
    const [key, list] = arg.split('=');
    if (!key || list === undefined) throw new Error(`bad grid entry "${arg}"`);
    grid[key] = list
      .split(',')
      .map((v) =>
        v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v),
      );
  }
  return grid;
}

function* combinations(grid: Record<string, (number | boolean | string)[]>): Generator<AlsOptions> {
  const keys = Object.keys(grid);
  const walk = function* (i: number, acc: Record<string, unknown>): Generator<AlsOptions> {
    if (i === keys.length) {
      yield { ...acc } as AlsOptions;
      return;
    }
    for (const v of grid[keys[i]!]!) yield* walk(i + 1, { ...acc, [keys[i]!]: v });
  };
  yield* walk(0, {});
}

const argv = process.argv.slice(2);
const fileAt = argv.indexOf('--file');
const file = fileAt >= 0 ? argv[fileAt + 1]! : ML_LATEST_SMALL_RATINGS;
const seedAt = argv.indexOf('--split-seed');
const splitSeed = seedAt >= 0 ? Number(argv[seedAt + 1]) : 0;
const gridAt = argv.indexOf('--grid');
const grid = gridAt >= 0 ? parseGrid(argv.slice(gridAt + 1)) : { rank: [10] };
const { train, test } = hashSplit(await readRatingsFile(file), { test: 0.2, seed: splitSeed });
console.log(`train ${train.length} test ${test.length}`);
for (const options of combinations(grid)) {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const model = trainAls(train, { ...options, trackTrainRmse: false });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  console.log(
    JSON.stringify({
      ...options,
      rmse: Number(testRmse(model, test).toFixed(4)),
      seconds: Number(seconds.toFixed(2)),
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    }),
  );
}
