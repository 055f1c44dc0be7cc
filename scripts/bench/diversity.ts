/**
 * The diversity dial's curve (issue 24, item 5): the product's recommender fitted as `recsys
 * evaluate --protocol users` fits it, every held-out user's list made with MMR at each dial value
 * (core/serving/diversity.ts, the code the routes run), on both orders of the given ratings and
 * several split seeds. Two sets of users per (order, seed):
 *   - validation: held out of the training users with seed + 1000 (as `--tune` does), the model
 *     refitted without them: the default is chosen here;
 *   - test: the protocol's held-out users, the model fitted on everyone else: reported only.
 * Metrics: NDCG@10, NDCG@100, intra-list diversity@10 (mean pairwise 1 − cosine of ranking-model
 * item factors), coverage@10, the mean popularity rank of the top 10 (1: most rated).
 *
 *   nice -n 10 npx tsx scripts/bench/diversity.ts [--seeds 0,1,2] [--orders random,time]
 *       [--values 0,0.1,0.2,0.3,0.5,0.7]
 *
 * Writes bench/results/diversity.json. The default it prints moves off 0 only for a measured gain
 * on validation users: the d with the best mean NDCG@10 over both orders and the seeds, if it beats
 * d = 0 by more than two standard errors of the paired per-(order, seed) differences and costs
 * NDCG@100 (the tuning metric) no more than two standard errors; otherwise 0. (Any d > 0 also gives
 * up the stored fast path for lists longer than 5, which no NDCG shows.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import {
  diversityMetrics,
  type DiversityMetrics,
} from '../../lambdas/core/eval/diversity-report.ts';
import { catalogueSize } from '../../lambdas/core/eval/held-out-report.ts';
import {
  HELD_OUT_ORDERS,
  heldOutUsersSplit,
  type HeldOutOrder,
} from '../../lambdas/core/eval/held-out-users.ts';
import { fitRecommender } from '../../lambdas/core/recommender/fit.ts';
import { VALIDATION_SEED_OFFSET } from '../../lambdas/core/recommender/tune.ts';
import { loadAverage, machine, resultsDir } from './machine.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';

const list = (v: string) => v.split(',').map(Number);
const opts = new Command()
  .option('--seeds <list>', 'split seeds', list, [0, 1, 2])
  .option('--orders <list>', 'given-ratings orders', (v: string) => v.split(','), [
    ...HELD_OUT_ORDERS,
  ])
  .option('--values <list>', 'dial values', list, [0, 0.1, 0.2, 0.3, 0.5, 0.7])
  .parse()
  .opts<{ seeds: number[]; orders: HeldOutOrder[]; values: number[] }>();

const KEYS = [
  'ndcg@10',
  'ndcg@100',
  'ild@10',
  'coverage@10',
  'popularityRank@10',
  'recall@20',
] as const;
type Key = (typeof KEYS)[number];
type Users = 'validation' | 'test';

const started = performance.now();
const loadBefore = loadAverage();
const table = await readRatingsFile(ML_LATEST_SMALL_RATINGS);
const runs: { users: Users; order: HeldOutOrder; seed: number; metrics: DiversityMetrics[] }[] = [];
const show = (m: DiversityMetrics) => KEYS.map((k) => `${k} ${m[k].toFixed(4)}`).join(' ');
for (const order of opts.orders) {
  for (const seed of opts.seeds) {
    const test = heldOutUsersSplit(table, { seed, order });
    const validation = heldOutUsersSplit(test.train, {
      seed: seed + VALIDATION_SEED_OFFSET,
      order,
    });
    for (const [users, split, whole] of [
      ['validation', validation, test.train],
      ['test', test, table],
    ] as const) {
      const { recommender } = fitRecommender(split.train);
      const catalogue = catalogueSize(whole);
      const metrics = opts.values.map((d) =>
        diversityMetrics(recommender, split.users, split.train, catalogue, d),
      );
      runs.push({ users, order, seed, metrics });
      for (const m of metrics)
        console.log(`${users} ${order} seed ${seed} d ${m.diversity}: ${show(m)}`);
    }
  }
}

/** Mean over seeds of one (users, order) at each dial value. */
function curve(users: Users, orders: readonly HeldOutOrder[]) {
  const chosen = runs.filter((r) => r.users === users && orders.includes(r.order));
  return opts.values.map((diversity, k) => ({
    diversity,
    ...Object.fromEntries(
      KEYS.map((key: Key) => [
        key,
        chosen.reduce((sum, r) => sum + r.metrics[k]![key], 0) / chosen.length,
      ]),
    ),
    users: chosen.reduce((sum, r) => sum + r.metrics[k]!.users, 0) / chosen.length,
  })) as ({ diversity: number; users: number } & Record<Key, number>)[];
}

const summary = Object.fromEntries(
  (['validation', 'test'] as const).map((users) => [
    users,
    Object.fromEntries(opts.orders.map((order) => [order, curve(users, [order])])),
  ]),
);
/**
 * d − 0 on validation users, paired per (order, seed): mean and standard error of the mean of the
 * differences, for one metric at dial index k.
 */
function paired(k: number, key: Key) {
  const diffs = runs
    .filter((r) => r.users === 'validation')
    .map((r) => r.metrics[k]![key] - r.metrics[0]![key]);
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const variance = diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, diffs.length - 1);
  return { mean, se: Math.sqrt(variance / diffs.length), diffs };
}
if (opts.values[0] !== 0) throw new Error('--values must start with 0, the reference');
const validationBoth = curve('validation', opts.orders);
const validationPaired = opts.values.map((diversity, k) => ({
  diversity,
  'ndcg@10': paired(k, 'ndcg@10'),
  'ndcg@100': paired(k, 'ndcg@100'),
}));
let bestK = 0;
validationBoth.forEach((row, k) => {
  if (row['ndcg@10'] > validationBoth[bestK]!['ndcg@10']) bestK = k;
});
const gain = validationPaired[bestK]!['ndcg@10'];
const deep = validationPaired[bestK]!['ndcg@100'];
const measured = bestK > 0 && gain.mean > 2 * gain.se && deep.mean >= -2 * deep.se;
const best = measured ? validationBoth[bestK]! : validationBoth[0]!;
console.log(
  `best mean validation NDCG@10: d = ${opts.values[bestK]} (${gain.mean >= 0 ? '+' : ''}${gain.mean.toFixed(4)} ± ${gain.se.toFixed(4)} s.e. vs d = 0; NDCG@100 ${deep.mean.toFixed(4)} ± ${deep.se.toFixed(4)}); default: d = ${best.diversity}`,
);
console.log(JSON.stringify(summary));
writeFileSync(
  join(resultsDir(), 'diversity.json'),
  JSON.stringify(
    {
      ...opts,
      chosenDefault: best.diversity,
      rule: 'the d with the best mean validation NDCG@10 over seeds and orders, if it beats d = 0 by more than 2 s.e. of the paired per-(order, seed) differences and costs NDCG@100 no more than 2 s.e.; else 0',
      summary,
      validationBothOrders: validationBoth,
      validationPaired,
      runs,
      seconds: (performance.now() - started) / 1000,
      load: { before: loadBefore, after: loadAverage() },
      machine: machine(),
    },
    null,
    2,
  ) + '\n',
);
