/**
 * Recency at fold-in (issue 23, item 4), in its plainest form: fold in only a held-out user's K
 * most recent given ratings (by timestamp), still excluding every given movie from the list. If
 * what someone rated last says more about what they rate next than their whole past, a window
 * beats folding in everything under the time order.
 *
 *   npx tsx scripts/bench/temporal-window.ts [--seeds 0,1,2] [--windows 0,200,100,50,30,20,10]
 *
 * Per seed: `heldOutUsersSplit(table, {seed, order})` holds out the test users and
 * `heldOutUsersSplit(split.train, {seed: 1000 + seed, order})` the validation users (the users
 * held out do not depend on the order, so one fit serves both orders). The product's defaults are
 * fitted on the validation split's training users and every window is scored on the validation
 * users under both orders; the window is chosen there (NDCG@10, time order, mean over seeds),
 * then the defaults are refitted on split.train and the chosen window and "all" (window 0, what
 * the product does today) are scored once on the test users. Writes
 * bench/results/temporal-window.json.
 */
import { Command } from 'commander';
import { catalogueSize } from '../../lambdas/core/eval/held-out-report.ts';
import {
  HELD_OUT_ORDERS,
  heldOutMetrics,
  type HeldOutMetrics,
  type HeldOutUser,
} from '../../lambdas/core/eval/held-out-users.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { recommendForProfile, type Recommender } from '../../lambdas/core/serving/recommender.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';
import { givenExcluded, ratingTimes, runTemporalBench } from './temporal-protocol.ts';

const ints = (value: string) => value.split(',').map(Number);
const opts = new Command()
  .option('--seeds <list>', 'split seeds', ints, [0, 1, 2])
  .option(
    '--windows <list>',
    'most recent ratings folded in (0 = all)',
    ints,
    [0, 200, 100, 50, 30, 20, 10],
  )
  .option('--ratings <file>', 'ratings file', ML_LATEST_SMALL_RATINGS)
  .parse()
  .opts<{ seeds: number[]; windows: number[]; ratings: string }>();

const log = (line: string) => void process.stderr.write(`temporal-window ${line}\n`);

/** Each user's given ratings, most recent last (timestamp, then movie id): the window's order. */
function byTime(table: RatingsTable, users: readonly HeldOutUser[]): HeldOutUser[] {
  const at = ratingTimes(table);
  return users.map((user) => ({
    ...user,
    given: [...user.given].sort(
      (a, b) => at(user.userId, a.movieId) - at(user.userId, b.movieId) || a.movieId - b.movieId,
    ),
  }));
}

/** Lists from the K most recent given ratings (all when K is 0), every given movie excluded. */
function windowLists(recommender: Recommender, users: readonly HeldOutUser[], window: number) {
  return users.map((user) => {
    const exclude = givenExcluded(recommender, user);
    const ratings = window > 0 ? user.given.slice(-window) : user.given;
    return recommendForProfile(recommender, { ratings }, { n: 100, exclude }).items.map(
      (m) => m.movieId,
    );
  });
}

type Scores = Record<string, Record<number, HeldOutMetrics>>;

function scoreWindows(
  table: RatingsTable,
  recommender: Recommender,
  splits: Record<string, readonly HeldOutUser[]>,
  windows: readonly number[],
): Scores {
  const catalogue = catalogueSize(table);
  const out: Scores = {};
  for (const [order, users] of Object.entries(splits)) {
    const timed = byTime(table, users);
    out[order] = {};
    for (const w of windows) {
      out[order][w] = heldOutMetrics(windowLists(recommender, timed, w), users, catalogue);
    }
  }
  return out;
}

await runTemporalBench({
  name: 'temporal-window',
  ratings: opts.ratings,
  seeds: opts.seeds,
  points: opts.windows,
  key: (w) => w,
  label: (w) => w || 'all',
  score: (table, _train, recommender, users, windows) =>
    scoreWindows(table, recommender, users, windows),
  logValidation: (scores) => {
    for (const order of HELD_OUT_ORDERS) {
      const line = opts.windows
        .map((w) => `${w || 'all'} ${scores[order]![w]!['ndcg@10'].toFixed(4)}`)
        .join(' | ');
      log(`  validation ${order} ndcg@10: ${line}`);
    }
  },
  describeChoice: (chosen) => `chosen window on time-ordered validation users: ${chosen || 'all'}`,
  testPoints: (chosen) => [...new Set([0, chosen])],
  log,
});
