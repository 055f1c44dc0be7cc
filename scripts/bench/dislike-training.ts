/**
 * Dislikes as negative confidence in training (issue 24, item 4), measured before any pipeline
 * change: the training users' ratings at or below `--at-most` stars are given to the ranking fit
 * as the value −s (implicit ALS: preference 0, confidence 1 + α·s; EASE: x = −s, see
 * lambdas/core/serving/dislikes.ts) instead of as weak positives, and the held-out users are
 * scored as `recsys evaluate --protocol users` scores them, with their own low stars folded in
 * either way. Three fits per seed, same split:
 *   - `today`: trained on stars, low stars folded in as weak positives (the product);
 *   - `serving`: trained on stars, the held-out users' low stars folded in as dislikes;
 *   - `training`: trained with low stars as dislikes, folded in as dislikes.
 *
 *   npx tsx scripts/bench/dislike-training.ts [--seeds 0,1,2] [--at-most 2] [--strength 1]
 *
 * Writes bench/results/dislike-training.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import { catalogueSize, recommenderLists } from '../../lambdas/core/eval/held-out-report.ts';
import {
  heldOutMetrics,
  heldOutUsersSplit,
  type HeldOutMetrics,
} from '../../lambdas/core/eval/held-out-users.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { fitRecommender } from '../../lambdas/core/recommender/fit.ts';
import { loadAverage, machine, resultsDir } from './machine.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';

const opts = new Command()
  .option('--seeds <list>', 'split seeds', (v: string) => v.split(',').map(Number), [0, 1, 2])
  .option('--at-most <stars>', 'ratings at or below this are dislikes', Number, 2)
  .option('--strength <s>', 'a dislike is the value −s in training', Number, 1)
  .parse()
  .opts<{ seeds: number[]; atMost: number; strength: number }>();

/** The table with every rating ≤ atMost replaced by −strength (a dislike). */
function withDislikes(table: RatingsTable): RatingsTable {
  const ratings = Float32Array.from(table.ratings, (r) => (r <= opts.atMost ? -opts.strength : r));
  return { ...table, ratings };
}

const KEYS = ['ndcg@10', 'ndcg@100', 'recall@20', 'coverage@10'] as const;
const started = performance.now();
const loadBefore = loadAverage();
const table = await readRatingsFile(ML_LATEST_SMALL_RATINGS);
const catalogue = catalogueSize(table);
const perSeed: Record<string, HeldOutMetrics>[] = [];
for (const seed of opts.seeds) {
  const split = heldOutUsersSplit(table, { seed });
  const plain = fitRecommender(split.train).recommender;
  const trained = fitRecommender(withDislikes(split.train)).recommender;
  const score = (lists: number[][]) => heldOutMetrics(lists, split.users, catalogue);
  const row = {
    today: score(recommenderLists(plain, split.users)),
    serving: score(recommenderLists(plain, split.users, undefined, opts.atMost)),
    training: score(recommenderLists(trained, split.users, undefined, opts.atMost)),
  };
  perSeed.push(row);
  for (const [name, m] of Object.entries(row)) {
    console.log(`seed ${seed} ${name}: ${KEYS.map((k) => `${k} ${m[k].toFixed(4)}`).join(' ')}`);
  }
}
const mean = (name: string, key: (typeof KEYS)[number]) =>
  perSeed.reduce((sum, row) => sum + row[name]![key], 0) / perSeed.length;
const summary = Object.fromEntries(
  ['today', 'serving', 'training'].map((name) => [
    name,
    Object.fromEntries(KEYS.map((k) => [k, mean(name, k)])),
  ]),
);
console.log(JSON.stringify(summary));
writeFileSync(
  join(resultsDir(), 'dislike-training.json'),
  JSON.stringify(
    {
      ...opts,
      summary,
      perSeed,
      seconds: (performance.now() - started) / 1000,
      load: { before: loadBefore, after: loadAverage() },
      machine: machine(),
    },
    null,
    2,
  ) + '\n',
);
