/**
 * Ranking peers on the held-out-users protocol (issue 13): our recommender with its defaults vs EASE,
 * benfred/implicit's CPU ALS and popularity, on the same split, every list scored by the same code.
 *
 *   npm run bench -- --peers --only ranking          (every set below, seed 0)
 *   npx tsx scripts/bench/ranking.ts [--datasets small,small-100k,small-1m,small-int,small-2008,100k,1m]
 *                                    [--seeds 0,1,2] [--orders random,time] [--ease-grid JSON]
 *                                    [--ials-grid JSON] [--out FILE]
 *
 * Per data set, order and seed: `heldOutUsersSplit(table, {seed, order})` holds out test users
 * (order random: a seeded 80 % of each one's ratings given; time: the earliest 80 %); the peers
 * choose their hyper-parameters on validation users, `heldOutUsersSplit(split.train, {seed: 1000 +
 * seed, order})` (the same order),
 * held out of the training users (never the test users): each Python peer fits every grid point on
 * the validation split's training users and ranks for its validation users; we score those lists
 * and take the point with the best NDCG@100; the peer then refits that point on the whole
 * split.train and ranks for the test users. Ours is `fitRecommender(split.train)` with
 * DEFAULT_RECOMMENDER_OPTIONS, untuned; popularity is `popularityLists`. Every list, ours
 * included, is scored by `heldOutMetrics`. Splits are exported under .local/bench-peers/ranking/.
 * Writes bench/results/ranking.json, or --out FILE (after each seed, so a stopped run keeps what it
 * measured).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  catalogueSize,
  heldOutMetrics,
  popularityLists,
  recommenderLists,
} from '../../lambdas/core/eval/held-out-report.ts';
import {
  HELD_OUT_ORDERS,
  heldOutUsersSplit,
  type HeldOutOrder,
  type HeldOutUsersSplit,
} from '../../lambdas/core/eval/held-out-users.ts';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { fitRecommender } from '../../lambdas/core/recommender/fit.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import { cutToShape, usersSince, wholeStars } from './real-shapes.ts';
import { arg } from './args.ts';
import { commandLine, loadAverage, resultsDir, runStamp } from './machine.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';
import { runTool } from './peers/tool.ts';
import { ensurePeersVenv, peersPython } from './peers/venv.ts';
import { lastJsonLine, parseListsCsv, writeSplitFiles } from './ranking-files.ts';
import {
  bestPoint,
  meanMetrics,
  SELECT_ON,
  type GridPoint,
  type SystemResult,
} from './ranking-report.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORK = join(ROOT, '.local', 'bench-peers', 'ranking');
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const log = (line: string) => void process.stderr.write(`bench:ranking ${line}\n`);

/** MovieLens shapes (ratings, users, movies) for the generated sets, from the GroupLens READMEs. */
const DATASETS: Record<string, { name: string; load: () => Promise<LoadedSet> }> = {
  small: {
    name: 'ml-latest-small',
    load: async () => ({
      table: await readRatingsFile(ML_LATEST_SMALL_RATINGS),
      source: relative(ROOT, ML_LATEST_SMALL_RATINGS),
    }),
  },
  'small-100k': {
    name: 'ml-latest-small cut to ml-100k’s shape (real)',
    load: async () => ({
      table: cutToShape(await readRatingsFile(ML_LATEST_SMALL_RATINGS)),
      source: `cutToShape(${relative(ROOT, ML_LATEST_SMALL_RATINGS)}): 1,682 most-rated movies, users with ≥ 20 ratings on them`,
    }),
  },
  'small-1m': {
    name: 'ml-latest-small cut to ml-1m’s catalogue (real)',
    load: async () => ({
      table: cutToShape(await readRatingsFile(ML_LATEST_SMALL_RATINGS), 3_706, 20),
      source: `cutToShape(${relative(ROOT, ML_LATEST_SMALL_RATINGS)}, 3706, 20): ml-1m's 3,706 movies (the most-rated) and its ≥ 20 ratings per user; not its size (1M ratings cannot be cut from 100k)`,
    }),
  },
  'small-2008': {
    name: 'ml-latest-small, users who started in 2008 or later (real, unseen)',
    load: async () => ({
      table: usersSince(await readRatingsFile(ML_LATEST_SMALL_RATINGS), SINCE_2008),
      source: `usersSince(${relative(ROOT, ML_LATEST_SMALL_RATINGS)}, 2008-01-01): users whose first rating is in 2008 or later, all their ratings; nothing was chosen on this subset`,
    }),
  },
  'small-int': {
    name: 'ml-latest-small in whole stars, as ml-100k/ml-1m (real)',
    load: async () => ({
      table: wholeStars(await readRatingsFile(ML_LATEST_SMALL_RATINGS)),
      source: `wholeStars(${relative(ROOT, ML_LATEST_SMALL_RATINGS)}): half stars rounded up`,
    }),
  },
  '100k': { name: 'ml-100k-shaped (generated)', load: async () => generated(100_000, 943, 1_682) },
  '1m': { name: 'ml-1m-shaped (generated)', load: async () => generated(1_000_209, 6_040, 3_706) },
};

const SINCE_2008 = Date.UTC(2008, 0, 1) / 1000;

interface LoadedSet {
  table: RatingsTable;
  source: string;
}

function generated(ratings: number, users: number, movies: number): LoadedSet {
  const { table, metadata } = generateRatingsTable({ ratings, users, movies });
  return {
    table,
    source: `generateRatingsTable({ ratings: ${ratings}, users: ${users}, movies: ${movies} }), seed ${metadata.seed}, planted rank ${metadata.rank}`,
  };
}

/**
 * EASE: λ on the validation users, X from all ratings or only ratings ≥ 4. λ reaches 20,000 because
 * the generated sets chose the top of a grid that stopped at 2,000 (ml-latest-small chose 200).
 */
const EASE_GRID = [false, true].flatMap((positives) =>
  [50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000].map((lambda) => ({ lambda, positives })),
);

/**
 * implicit's ALS: factors × regularization × confidence. implicit weighs an observed entry by its
 * value, alpha × 1 ("binary") or alpha × stars ("rating"), and an unobserved one by 1 (binary
 * alpha 1 is then plain least squares on the 0/1 matrix); rating alpha ≥ 2 keeps half a star ≥ 1.
 * A wider grid on ml-latest-small's validation users (reg 0.01–100, alpha up to 100) put every
 * point with alpha ≥ 30 last; the generated sets chose the top regularization of earlier grids
 * (10, then 100), so it goes to 1,000.
 */
const IALS_GRID = [64, 128].flatMap((factors) =>
  [0.1, 1, 10, 100, 1000].flatMap((regularization) =>
    [
      { confidence: 'binary', alpha: 1 },
      { confidence: 'binary', alpha: 3 },
      { confidence: 'binary', alpha: 10 },
      { confidence: 'binary', alpha: 30 },
      { confidence: 'rating', alpha: 2 },
      { confidence: 'rating', alpha: 4 },
      { confidence: 'rating', alpha: 10 },
    ].map((c) => ({ factors, regularization, ...c, iterations: 15 })),
  ),
);

interface PeerReport {
  system: string;
  versions: Record<string, string>;
  runs: { params: Record<string, unknown>; fitSeconds: number; recommendSeconds: number }[];
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Runs one peer script over a grid on an exported split; returns its report and one list set per point. */
async function runPeer(
  script: string,
  dir: string,
  split: Pick<HeldOutUsersSplit, 'train' | 'users'>,
  grid: readonly Record<string, unknown>[],
  seed: number,
): Promise<{ report: PeerReport; lists: number[][][]; usersWithoutList: number[] }> {
  const files = writeSplitFiles(dir, split);
  const out = join(dir, script.replace(/\.py$/, ''));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const args = [
    here(`peers/${script}`),
    '--train',
    files.train,
    '--given',
    files.given,
    '--out',
    out,
    '--grid',
    JSON.stringify(grid),
    '--seed',
    String(seed),
    '--threads',
    '1',
  ];
  const result = await runTool(script, peersPython(), args, {
    timeoutMs: 2 * 60 * 60_000,
    ok: (r) => (r.stdout.trim().split('\n').pop() ?? '').startsWith('{'),
  });
  const report = lastJsonLine<PeerReport>(result.stdout, script);
  const parsed = grid.map((_, i) =>
    parseListsCsv(
      readFileSync(join(out, `lists-${i}.csv`), 'utf8'),
      split.users,
      `${script} lists-${i}`,
    ),
  );
  return {
    report,
    lists: parsed.map((p) => p.lists),
    usersWithoutList: parsed.map((p) => p.usersWithoutList),
  };
}

/** A peer: grid on validation users, the best point refitted on split.train, scored on test users. */
async function tunedPeer(
  system: string,
  script: string,
  grid: readonly Record<string, unknown>[],
  dir: string,
  split: HeldOutUsersSplit,
  validation: HeldOutUsersSplit,
  catalogue: number,
  seed: number,
): Promise<SystemResult> {
  log(`${system}: ${grid.length} grid points on ${validation.users.length} validation users`);
  const started = performance.now();
  const val = await runPeer(script, join(dir, 'validation'), validation, grid, seed);
  const points: GridPoint[] = val.report.runs.map((run, i) => ({
    params: run.params,
    fitSeconds: run.fitSeconds,
    metrics: heldOutMetrics(val.lists[i]!, validation.users, catalogue),
  }));
  const validationSeconds = (performance.now() - started) / 1000;
  const best = bestPoint(points);
  log(
    `${system}: validation chose ${JSON.stringify(best.params)} (${SELECT_ON} ${round(best.metrics[SELECT_ON])})`,
  );
  const test = await runPeer(script, join(dir, 'test'), split, [best.params], seed);
  const run = test.report.runs[0]!;
  return {
    system,
    versions: test.report.versions,
    params: best.params,
    fitSeconds: round(run.fitSeconds),
    recommendSeconds: round(run.recommendSeconds),
    metrics: heldOutMetrics(test.lists[0]!, split.users, catalogue),
    usersWithoutList: test.usersWithoutList[0]!,
    validation: { seconds: round(validationSeconds, 1), selectOn: SELECT_ON, grid: points },
  };
}

interface Grids {
  ease: readonly Record<string, unknown>[];
  implicit: readonly Record<string, unknown>[];
}

async function measureSeed(
  table: RatingsTable,
  dataset: string,
  order: HeldOutOrder,
  seed: number,
  grids: Grids,
) {
  const split = heldOutUsersSplit(table, { seed, order });
  const validation = heldOutUsersSplit(split.train, { seed: 1000 + seed, order });
  const catalogue = catalogueSize(table);
  const dir = join(WORK, dataset.replace(/[^\w.-]+/g, '-'), order, `seed-${seed}`);
  log(
    `${dataset} ${order} order seed ${seed}: ${split.train.length} training ratings, ${split.users.length} test users; ` +
      `validation ${validation.train.length} / ${validation.users.length}`,
  );
  const systems: SystemResult[] = [];

  log('ours: fitRecommender (defaults)');
  let started = performance.now();
  const fitted = fitRecommender(split.train);
  const fitSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const ourLists = recommenderLists(fitted.recommender, split.users);
  systems.push({
    system: 'ours',
    params: { defaults: 'DEFAULT_RECOMMENDER_OPTIONS', fitSeconds: fitted.seconds },
    fitSeconds: round(fitSeconds),
    recommendSeconds: round((performance.now() - started) / 1000),
    metrics: heldOutMetrics(ourLists, split.users, catalogue),
    usersWithoutList: ourLists.filter((l) => l.length === 0).length,
  });

  systems.push({
    system: 'popularity',
    params: {},
    fitSeconds: 0,
    recommendSeconds: 0,
    metrics: heldOutMetrics(popularityLists(split.train, split.users), split.users, catalogue),
    usersWithoutList: 0,
  });

  systems.push(
    await tunedPeer('EASE', 'ranking_ease.py', grids.ease, dir, split, validation, catalogue, seed),
  );
  systems.push(
    await tunedPeer(
      'implicit ALS',
      'ranking_ials.py',
      grids.implicit,
      dir,
      split,
      validation,
      catalogue,
      seed,
    ),
  );
  for (const s of systems)
    log(
      `  ${s.system.padEnd(13)} ndcg@100 ${s.metrics['ndcg@100'].toFixed(4)} recall@20 ${s.metrics['recall@20'].toFixed(4)} ` +
        `ndcg@10 ${s.metrics['ndcg@10'].toFixed(4)} fit ${s.fitSeconds} s`,
    );
  return {
    seed,
    split: {
      trainRatings: split.train.length,
      eligibleUsers: split.eligible,
      heldOutUsers: split.heldOut,
      scoredUsers: split.users.length,
      validation: {
        seed: 1000 + seed,
        trainRatings: validation.train.length,
        scoredUsers: validation.users.length,
      },
      files: relative(ROOT, dir),
    },
    systems,
  };
}

/** Where the report goes: --out FILE (relative to the working directory), else ranking.json. */
function outFile(): string {
  const out = arg('out');
  return out === undefined ? join(resultsDir(), 'ranking.json') : resolve(out);
}

async function main(): Promise<void> {
  const wanted = (arg('datasets') ?? 'small,small-100k,small-int,100k,1m')
    .split(',')
    .map((s) => s.trim());
  const unknown = wanted.filter((d) => !(d in DATASETS));
  if (unknown.length > 0)
    throw new Error(
      `unknown data set(s) ${unknown.join(',')}; use ${Object.keys(DATASETS).join(',')}`,
    );
  const seeds = (arg('seeds') ?? '0').split(',').map(Number);
  const orders = (arg('orders') ?? HELD_OUT_ORDERS.join(',')).split(',').map((o) => o.trim());
  const badOrder = orders.find((o) => !HELD_OUT_ORDERS.some((known) => known === o));
  if (badOrder !== undefined)
    throw new Error(`--orders: ${HELD_OUT_ORDERS.join(' or ')}, got ${badOrder}`);
  if (seeds.some((s) => !Number.isInteger(s)))
    throw new Error(`--seeds: integers, got ${arg('seeds')}`);
  const grids: Grids = {
    ease: arg('ease-grid') ? (JSON.parse(arg('ease-grid')!) as Grids['ease']) : EASE_GRID,
    implicit: arg('ials-grid') ? (JSON.parse(arg('ials-grid')!) as Grids['implicit']) : IALS_GRID,
  };
  await ensurePeersVenv(log);
  const before = loadAverage();
  const started = performance.now();
  const datasets = [];
  for (const key of wanted) {
    const { name, load } = DATASETS[key]!;
    const { table, source } = await load();
    for (const order of orders as HeldOutOrder[]) {
      const perSeed: Awaited<ReturnType<typeof measureSeed>>[] = [];
      const entry = () => ({
        dataset: name,
        order,
        source,
        ratings: table.length,
        catalogue: catalogueSize(table),
        seeds: perSeed,
        mean: meanMetrics(perSeed.map((s) => s.systems)),
      });
      for (const seed of seeds) {
        perSeed.push(await measureSeed(table, name, order, seed, grids));
        // After each seed, so a stopped run keeps every seed it finished.
        writeReport([...datasets, entry()], seeds, grids, before, started);
      }
      datasets.push(entry());
    }
  }
  log(`wrote ${outFile()}`);
}

function writeReport(
  datasets: unknown[],
  seeds: number[],
  grids: Grids,
  before: number[],
  started: number,
): void {
  const report = {
    run: runStamp(
      commandLine('tsx scripts/bench/ranking.ts'),
      before,
      round((performance.now() - started) / 1000, 1),
    ),
    protocol: {
      split:
        'heldOutUsersSplit(table, { seed, order }): positives = ratings ≥ 4; users with ≥ 5 positives eligible; 20 % of them held out; each gives 80 % of their ratings (order random: a seeded shuffle; time: the earliest by timestamp, ties by movie id), targets = positives among the rest',
      validation:
        'heldOutUsersSplit(split.train, { seed: 1000 + seed, order }): validation users held out of the training users, in the same order; peers fit every grid point on the rest and are scored on them',
      selectOn: SELECT_ON,
      refit:
        'the chosen point refitted on the whole split.train, then scored once on the test users',
      metrics:
        'heldOutMetrics (lambdas/core/eval/held-out-users.ts) for every system; lists of 100, given movies excluded; coverage@10 over every movie in the data set',
      seeds,
      threads:
        'one: ours in process, EASE with BLAS on one thread, implicit num_threads=1 (BLAS on one thread)',
    },
    grids,
    ours: { options: DEFAULT_RECOMMENDER_OPTIONS },
    datasets,
  };
  mkdirSync(dirname(outFile()), { recursive: true });
  writeFileSync(outFile(), JSON.stringify(report, null, 2) + '\n');
}

await main();
