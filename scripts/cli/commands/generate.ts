import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_NOISE_SD,
  DEFAULT_RANK,
  DEFAULT_SEED,
  resolveGeneratorParams,
  type GeneratorOptions,
} from '../../../lambdas/core/generator/params.ts';
import { action, intOption, numberOption, UserError } from '../lib/cli-support.ts';
import { writeDataset } from '../../runtime/datasets/write-dataset.ts';

interface GenerateOptions {
  out: string;
  ratings: number;
  users?: number;
  movies?: number;
  seed: number;
  rank: number;
  noise: number;
  force?: boolean;
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description(
      'write a MovieLens-shaped data set with a planted low-rank structure (any size, streamed)',
    )
    .requiredOption('--out <dir>', 'output folder (created if missing)')
    .requiredOption('--ratings <n>', 'number of ratings', intOption(1, 2_000_000_000))
    .option('--users <n>', 'number of users (default: ratings / 154, as in ml-25m)', intOption(1))
    .option(
      '--movies <n>',
      'number of movies (default: grows like ml-latest-small → ml-25m)',
      intOption(1),
    )
    .option('--seed <n>', 'random seed', intOption(0, 0xffffffff), DEFAULT_SEED)
    .option('--rank <n>', 'dimension of the planted tastes', intOption(1, 1000), DEFAULT_RANK)
    .option(
      '--noise <sd>',
      'rating noise standard deviation',
      numberOption(0, 10),
      DEFAULT_NOISE_SD,
    )
    .option('--force', 'overwrite a folder that already holds ratings.csv')
    .action(action(generate));
}

async function generate(opts: GenerateOptions): Promise<void> {
  if (!opts.force && existsSync(join(opts.out, 'ratings.csv'))) {
    throw new UserError(`${opts.out} already holds a ratings.csv; pass --force to overwrite it`);
  }
  const options: GeneratorOptions = {
    ratings: opts.ratings,
    users: opts.users,
    movies: opts.movies,
    seed: opts.seed,
    rank: opts.rank,
    noiseSd: opts.noise,
  };
  try {
    resolveGeneratorParams(options);
  } catch (error) {
    // Impossible sizes (more users than ratings, …) are the user's input, not a crash.
    throw error instanceof RangeError ? new UserError(error.message) : error;
  }
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'generate [{bar}] {percentage}% | {value}/{total} ratings | {eta_formatted} left',
    etaBuffer: 20,
  });
  bar.start(opts.ratings, 0);
  let result;
  try {
    result = await writeDataset(opts.out, options, (rows) => bar.update(rows));
  } finally {
    bar.stop();
  }
  const { metadata, seconds } = result;
  console.log(
    JSON.stringify({
      out: result.dir,
      ratings: metadata.ratings,
      users: metadata.users,
      movies: metadata.movies,
      tags: metadata.tags,
      seed: metadata.seed,
      rank: metadata.rank,
      noiseSd: metadata.noiseSd,
      oracleRmse: Number(metadata.oracleRmse.toFixed(4)),
      seconds: Number(seconds.toFixed(2)),
      ratingsPerSecond: Math.round(metadata.ratings / seconds),
    }),
  );
}
