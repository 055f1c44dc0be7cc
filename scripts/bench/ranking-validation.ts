/**
 * Where the defaults trail EASE under the time order (issue 23): ours on the **validation** users of
 * scripts/bench/ranking.ts (never the test users), the defaults and two knobs around them, the
 * neighbour model's share of the blend w and its weight on liked movies (x = 1 + boost for a rating
 * ≥ 4), and folding in only the given ratings at or above a star count (`--fold-at-least`; 0, the
 * product, folds in every one; a user with none keeps all, and every given movie stays excluded).
 * EASE's best grid point on the same validation users is in the ranking.ts report.
 *
 *   npx tsx scripts/bench/ranking-validation.ts --datasets small-100k --seeds 0,1,2 \
 *     [--blends 0.3,0.5,0.7] [--boosts 2,5] [--fold-at-least 0] [--out bench/results/ranking-validation.json]
 *
 * The validation split is ranking.ts's: heldOutUsersSplit(split.train, {seed: 1000 + seed, order});
 * its training users are the same under both orders, so one fit per seed and boost serves both.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { catalogueSize, heldOutMetrics } from '../../lambdas/core/eval/held-out-report.ts';
import {
  HELD_OUT_LIST_LENGTH,
  HELD_OUT_ORDERS,
  heldOutUsersSplit,
  type HeldOutUser,
} from '../../lambdas/core/eval/held-out-users.ts';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import { buildRatingMatrices } from '../../lambdas/core/matrix/csr.ts';
import {
  fitNeighbourModel,
  fitRankingAls,
  itemSupport,
} from '../../lambdas/core/recommender/fit.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import { denseItemIndices } from '../../lambdas/core/als/index.ts';
import {
  prepareRecommender,
  recommendForProfile,
  type Recommender,
} from '../../lambdas/core/serving/recommender.ts';
import { arg } from './args.ts';
import { commandLine, loadAverage, runStamp } from './machine.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';
import { cutToShape, usersSince } from './real-shapes.ts';

const nums = (v: string) => v.split(',').map(Number);
const LOADERS: Record<string, (t: Awaited<ReturnType<typeof readRatingsFile>>) => typeof t> = {
  small: (t) => t,
  'small-100k': (t) => cutToShape(t),
  'small-1m': (t) => cutToShape(t, 3_706, 20),
  'small-2008': (t) => usersSince(t, Date.UTC(2008, 0, 1) / 1000),
};

/** recommenderLists, folding in only the given ratings ≥ atLeast (all when none is). */
function lists(recommender: Recommender, users: readonly HeldOutUser[], atLeast: number) {
  return users.map((user) => {
    const exclude = new Set(
      denseItemIndices(
        recommender.ranking,
        user.given.map((g) => g.movieId),
      ),
    );
    const kept = user.given.filter((g) => g.rating >= atLeast);
    const profile = { ratings: kept.length > 0 ? kept : user.given, dislikes: [] };
    return recommendForProfile(recommender, profile, {
      n: HELD_OUT_LIST_LENGTH,
      exclude,
    }).items.map((m) => m.movieId);
  });
}

const log = (line: string) => void process.stderr.write(`bench:ranking-validation ${line}\n`);

async function main(): Promise<void> {
  const datasets = (arg('datasets') ?? 'small-100k').split(',');
  const seeds = nums(arg('seeds') ?? '0,1,2');
  const blends = nums(arg('blends') ?? '0.3,0.5,0.7');
  const boosts = nums(arg('boosts') ?? '2,5');
  const foldAtLeast = nums(arg('fold-at-least') ?? '0');
  const before = loadAverage();
  const started = performance.now();
  const rows: Record<string, unknown>[] = [];
  const raw = await readRatingsFile(ML_LATEST_SMALL_RATINGS);
  for (const dataset of datasets) {
    const load = LOADERS[dataset];
    if (!load)
      throw new Error(`unknown data set ${dataset}; use ${Object.keys(LOADERS).join(',')}`);
    const table = load(raw);
    const catalogue = catalogueSize(table);
    for (const seed of seeds) {
      const split = heldOutUsersSplit(table, { seed, order: 'random' });
      const validations = HELD_OUT_ORDERS.map((order) => ({
        order,
        validation: heldOutUsersSplit(split.train, { seed: 1000 + seed, order }),
      }));
      const train = validations[0]!.validation.train;
      if (validations.some((v) => v.validation.train.length !== train.length))
        throw new Error('validation training users differ between orders');
      const matrices = buildRatingMatrices(train);
      const ranking = fitRankingAls(matrices, DEFAULT_RECOMMENDER_OPTIONS);
      const support = itemSupport(matrices);
      for (const boost of boosts) {
        const options = {
          ...DEFAULT_RECOMMENDER_OPTIONS,
          neighbours: { ...DEFAULT_RECOMMENDER_OPTIONS.neighbours, positiveBoost: boost },
        };
        const neighbours = fitNeighbourModel(matrices, options);
        for (const blend of blends) {
          const recommender = prepareRecommender({
            ranking,
            neighbours,
            blend,
            support,
            policy: options.policy,
          });
          for (const atLeast of foldAtLeast) {
            for (const { order, validation } of validations) {
              const metrics = heldOutMetrics(
                lists(recommender, validation.users, atLeast),
                validation.users,
                catalogue,
              );
              rows.push({ dataset, seed, order, boost, blend, foldAtLeast: atLeast, metrics });
              log(
                `${dataset} seed ${seed} ${order} boost ${boost} blend ${blend} fold ≥ ${atLeast}: ndcg@10 ${metrics['ndcg@10'].toFixed(4)} ndcg@100 ${metrics['ndcg@100'].toFixed(4)} recall@20 ${metrics['recall@20'].toFixed(4)}`,
              );
            }
          }
        }
      }
    }
  }
  const out = resolve(arg('out') ?? 'bench/results/ranking-validation.json');
  const run = runStamp(
    commandLine('tsx scripts/bench/ranking-validation.ts'),
    before,
    Math.round((performance.now() - started) / 100) / 10,
  );
  writeFileSync(out, JSON.stringify({ run, rows }, null, 2) + '\n');
  log(`wrote ${out}`);
}

await main();
