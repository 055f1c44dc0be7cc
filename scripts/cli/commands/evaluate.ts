import { InvalidArgumentError, type Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { MAX_RANK, type AlsOptions } from '../../../lambdas/core/als/index.ts';
import { evaluateAls, tuneAls } from '../../../lambdas/core/eval/als-report.ts';
import { HELD_OUT_ORDERS, type HeldOutOrder } from '../../../lambdas/core/eval/held-out-users.ts';
import { hashSplit } from '../../../lambdas/core/eval/split.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../../lambdas/core/recommender/options.ts';
import { HEAD_DEFAULTS } from '../../../lambdas/core/train/heads.ts';
import { readRatingsFile } from '../../../lambdas/adapters/local-files.ts';
import { action, intOption, numberOption, UserError } from '../lib/cli-support.ts';
import { evaluateReplay } from './evaluate-replay.ts';
import { evaluateHeldOutUsers } from '../../runtime/evaluate/evaluate-users.ts';

interface EvaluateOptions {
  train?: string;
  replay?: boolean;
  model?: string;
  days?: number;
  keyspace?: string;
  test?: string;
  split?: number;
  seed: number;
  rank?: number;
  reg?: number;
  iterations?: number;
  implicit?: boolean;
  alpha?: number;
  blocks?: number;
  k: number;
  tune?: boolean;
  protocol: 'ratings' | 'users';
  blend?: number;
  neighbours: boolean;
  order?: HeldOutOrder;
  dislikesAtMost?: number;
  diversity?: number;
}

function protocolOption(value: string): 'ratings' | 'users' {
  if (value !== 'ratings' && value !== 'users') {
    throw new InvalidArgumentError(`expected ratings or users, got "${value}"`);
  }
  return value;
}

function orderOption(value: string): HeldOutOrder {
  const order = HELD_OUT_ORDERS.find((name) => name === value);
  if (order === undefined) {
    throw new InvalidArgumentError(`expected ${HELD_OUT_ORDERS.join(' or ')}, got "${value}"`);
  }
  return order;
}

export function registerEvaluateCommand(program: Command): void {
  const { rating: d, ranking: r } = HEAD_DEFAULTS;
  program
    .command('evaluate')
    .description(
      'train ALS on a MovieLens ratings file (csv, u.data, ratings.dat) and print test metrics as JSON; or, with --replay, estimate a stored model’s hit rate@10 from the recorded lists and their feedback',
    )
    .option('--train <file>', 'ratings file to train on (required without --replay)')
    .option('--test <file>', 'separate test file (e.g. ml-100k u1.test)')
    .option(
      '--split <fraction>',
      'hold out this fraction of --train by hash (default 0.2)',
      numberOption(0.01, 0.9),
    )
    .option('--seed <n>', 'split seed', intOption(0, 0xffffffff), 0)
    .option(
      '--rank <n>',
      `latent factors, 1–${MAX_RANK} (default ${d.rank}; ${r.rank} with --implicit)`,
      intOption(1, MAX_RANK),
    )
    .option(
      '--reg <x>',
      `regularization λ (default ${d.reg}; ${r.reg} with --implicit)`,
      numberOption(0, 100),
    )
    .option('--iterations <n>', `ALS iterations (default ${d.iterations})`, intOption(1, 500))
    .option(
      '--implicit',
      `implicit-feedback ALS with the product's ranking-model settings (solver ${r.solver}, ${r.cgSteps} steps, α₀ ${r.unobservedWeight}); the flags given override them`,
    )
    .option(
      '--alpha <x>',
      `implicit confidence slope (default ${r.alpha} with --implicit)`,
      numberOption(0, 1e6),
    )
    .option('--blocks <n>', 'row blocks per side (results do not depend on it)', intOption(1, 4096))
    .option('--k <n>', 'cut-off for ranking metrics', intOption(1, 1000), 10)
    .option(
      '--tune',
      'grid-search on validation data carved out of the training data first (ratings: rank × reg × iterations by RMSE; users: α₀ × neighbour λ × blend by NDCG@100)',
    )
    .option(
      '--protocol <name>',
      'ratings: an 80/20 split of the ratings (RMSE, per-rating ranking); users: 20 % of users held out whole and folded in as the API does (Recall, NDCG)',
      protocolOption,
      'ratings',
    )
    .option(
      '--blend <w>',
      'users protocol: the neighbour model’s share of the blend',
      numberOption(0, 1),
    )
    .option('--no-neighbours', 'users protocol: rank by the ALS factors alone')
    .option(
      '--order <name>',
      'users protocol: which of a held-out user’s ratings are given: random (a seeded 80 %, default) or time (the earliest 80 %, targets from the later ones)',
      orderOption,
    )
    .option(
      '--dislikes-at-most <stars>',
      'users protocol: also report the same users with given ratings at or below <stars> folded in as dislikes (a negative signal) instead of weak positives',
      numberOption(0.5, 5),
    )
    .option(
      '--replay',
      'off-policy: estimate --model’s hit rate@10 from the served lists and feedback in Cassandra (replay, 95 % bootstrap interval)',
    )
    .option('--model <id>', 'replay: the model to estimate (see models list)')
    .option('--days <n>', 'replay: days of recorded lists to replay, 1-30 (default 7)', Number)
    .option('--keyspace <name>', 'replay: keyspace (default: $RECSYS_KEYSPACE or recsys)')
    .option(
      '--diversity <d>',
      'users protocol: also report the same users with the diversity dial at <d> (MMR over the top 10 × n; intra-list diversity@10 and popularity rank@10 beside the metrics, for the dial at 0 and at <d>)',
      numberOption(0, 1),
    )
    .action(action(evaluate));
}

function requireFile(path: string, flag: string): void {
  if (!existsSync(path)) throw new UserError(`${flag}: no such file: ${path}`);
  if (!statSync(path).isFile()) throw new UserError(`${flag}: not a file: ${path}`);
}

async function evaluate(opts: EvaluateOptions): Promise<void> {
  if (opts.replay) return replay(opts);
  for (const [flag, given] of [
    ['--model', opts.model !== undefined],
    ['--days', opts.days !== undefined],
    ['--keyspace', opts.keyspace !== undefined],
  ] as const) {
    if (given) throw new UserError(`${flag} applies to --replay`);
  }
  if (opts.train === undefined) throw new UserError('give --train FILE (or --replay --model ID)');
  if (opts.protocol === 'users') return evaluateUsers(opts as EvaluateOptions & { train: string });
  if (
    opts.blend !== undefined ||
    !opts.neighbours ||
    opts.order !== undefined ||
    opts.dislikesAtMost !== undefined ||
    opts.diversity !== undefined
  ) {
    throw new UserError(
      '--blend, --no-neighbours, --order, --dislikes-at-most and --diversity apply to --protocol users',
    );
  }
  if (opts.test && opts.split !== undefined)
    throw new UserError('give --test or --split, not both');
  requireFile(opts.train, '--train');
  if (opts.test) requireFile(opts.test, '--test');

  const all = await readRatingsFile(opts.train);
  if (all.length === 0) throw new UserError(`--train: ${opts.train} holds no ratings`);
  let train = all;
  let test;
  if (opts.test) {
    test = await readRatingsFile(opts.test);
  } else {
    ({ train, test } = hashSplit(all, { test: opts.split ?? 0.2, seed: opts.seed }));
  }
  if (test.length === 0) throw new UserError('the test set is empty');

  const options: AlsOptions = {
    // --implicit measures the model the product ranks with: the same settings the train pipeline
    // fits it with (solver, rank, λ, α₀, …) from their one definition, flags on top.
    ...(opts.implicit ? DEFAULT_RECOMMENDER_OPTIONS.als : {}),
    ...(opts.rank !== undefined ? { rank: opts.rank } : {}),
    ...(opts.reg !== undefined ? { reg: opts.reg } : {}),
    ...(opts.iterations !== undefined ? { iterations: opts.iterations } : {}),
    ...(opts.implicit ? { implicit: true } : {}),
    ...(opts.alpha !== undefined ? { alpha: opts.alpha } : {}),
    ...(opts.blocks !== undefined ? { blocks: opts.blocks } : {}),
  };

  let tuning;
  if (opts.tune) {
    const search = await tuneAls(train, options, undefined, (params, rmse) =>
      process.stderr.write(`tune ${JSON.stringify(params)} validation rmse ${rmse.toFixed(4)}\n`),
    );
    Object.assign(options, search.best.params);
    tuning = search.results.map((r) => ({ ...r.params, validationRmse: r.rmse }));
  }

  const report = evaluateAls(train, test, options, opts.k);
  const { history, ...summary } = report;
  for (const h of history) {
    process.stderr.write(
      `iteration ${h.iteration}: ${h.seconds.toFixed(2)} s${h.trainRmse ? `, train rmse ${h.trainRmse.toFixed(4)}` : ''}\n`,
    );
  }
  console.log(JSON.stringify({ ...summary, ...(tuning ? { tuning } : {}) }));
}

async function replay(opts: EvaluateOptions): Promise<void> {
  for (const [flag, given] of [
    ['--train', opts.train !== undefined],
    ['--test', opts.test !== undefined],
    ['--split', opts.split !== undefined],
    ['--tune', opts.tune === true],
    ['--protocol', opts.protocol !== 'ratings'],
  ] as const) {
    if (given) throw new UserError(`${flag} does not apply to --replay`);
  }
  await evaluateReplay({
    days: opts.days ?? 7,
    seed: opts.seed,
    ...(opts.model === undefined ? {} : { model: opts.model }),
    ...(opts.keyspace === undefined ? {} : { keyspace: opts.keyspace }),
  });
}

async function evaluateUsers(opts: EvaluateOptions & { train: string }): Promise<void> {
  for (const [flag, given] of [
    ['--test', opts.test !== undefined],
    ['--split', opts.split !== undefined],
    ['--implicit', opts.implicit === true],
    ['--blocks', opts.blocks !== undefined],
  ] as const) {
    if (given) throw new UserError(`${flag} applies to --protocol ratings`);
  }
  requireFile(opts.train, '--train');
  const table = await readRatingsFile(opts.train);
  if (table.length === 0) throw new UserError(`--train: ${opts.train} holds no ratings`);
  const report = evaluateHeldOutUsers(table, {
    seed: opts.seed,
    order: opts.order ?? 'random',
    tune: opts.tune === true,
    als: {
      ...(opts.rank !== undefined ? { rank: opts.rank } : {}),
      ...(opts.reg !== undefined ? { reg: opts.reg } : {}),
      ...(opts.iterations !== undefined ? { iterations: opts.iterations } : {}),
      ...(opts.alpha !== undefined ? { alpha: opts.alpha } : {}),
    },
    ...(opts.blend !== undefined ? { blend: opts.blend } : {}),
    neighbours: opts.neighbours,
    ...(opts.dislikesAtMost !== undefined ? { dislikesAtMost: opts.dislikesAtMost } : {}),
    ...(opts.diversity !== undefined ? { diversity: opts.diversity } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(JSON.stringify(report));
}
