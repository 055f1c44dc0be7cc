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
 * Writes bench/results/diversity.json. The default it prints is the value with the best mean
 * validation NDCG@10 over seeds and orders (the smaller value on a tie): 0 unless some d > 0 costs
 * nothing there.
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
// The default: the best mean validation NDCG@10 over both orders; a tie keeps the smaller value.
const validationBoth = curve('validation', opts.orders);
const best = validationBoth.reduce((a, b) => (b['ndcg@10'] > a['ndcg@10'] ? b : a));
console.log(
  `default (best mean validation NDCG@10 over ${opts.orders.join(' and ')}): d = ${best.diversity}`,
);
console.log(JSON.stringify(summary));
writeFileSync(
  join(resultsDir(), 'diversity.json'),
  JSON.stringify(
    {
      ...opts,
      chosenDefault: best.diversity,
      rule: 'best mean validation NDCG@10 over seeds and orders; a tie keeps the smaller value',
      summary,
      validationBothOrders: validationBoth,
      runs,
      seconds: (performance.now() - started) / 1000,
      load: { before: loadBefore, after: loadAverage() },
      machine: machine(),
    },
    null,
    2,
  ) + '\n',
);
