/**
 * Two time signals tried as a re-ranking of the product's list (issue 23, item 4): its top 500 by
 * the blended score (in σ units) re-ranked by
 *
 *     score(i) + β · f(i)
 *
 * so β is "how many σ one unit of f is worth"; β = 0 is the product's list today.
 * - drift, W days: movies trend, so what other people rated in the weeks before a person's "now"
 *   may say what they rate next. "Now" is the timestamp of the user's latest given rating;
 *   f(i) = log(1 + training ratings of i in [now − W, now]) (never after now: the future).
 * - transition, last L: what someone rated last suggests the next. T(a → b) counts training
 *   users who rated b right after a (consecutive by timestamp, ties by movie id);
 *   f(i) = Σ over the user's L latest given movies j of log(1 + T(j → i)).
 *
 *   npx tsx scripts/bench/temporal-rerank.ts [--seeds 0,1,2] [--days 30,180,730] [--last 1,3,10]
 *                                            [--betas 0,0.02,0.05,0.1,0.2,0.4]
 *
 * Splits as scripts/bench/temporal-window.ts: the point chosen on time-ordered validation users by
 * mean NDCG@10 over seeds; then the defaults refitted on split.train and β = 0 and the chosen point
 * scored once on the test users, both orders. Writes bench/results/temporal-rerank.json.
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

const nums = (value: string) => value.split(',').map(Number);
const opts = new Command()
  .option('--seeds <list>', 'split seeds', nums, [0, 1, 2])
  .option('--days <list>', 'drift: window W before now, days', nums, [30, 180, 730])
  .option('--last <list>', 'transition: latest given movies L', nums, [1, 3, 10])
  .option('--betas <list>', 'weight β', nums, [0, 0.02, 0.05, 0.1, 0.2, 0.4])
  .option('--ratings <file>', 'ratings file', ML_LATEST_SMALL_RATINGS)
  .parse()
  .opts<{ seeds: number[]; days: number[]; last: number[]; betas: number[]; ratings: string }>();

const log = (line: string) => void process.stderr.write(`temporal-rerank ${line}\n`);
const CANDIDATES = 500;
const DAY = 86_400;

/** Each movie's training rating times, ascending: c(i) in a window is two binary searches. */
function timesByMovie(train: RatingsTable): Map<number, Float64Array> {
  const lists = new Map<number, number[]>();
  for (let i = 0; i < train.length; i++) {
    const id = train.movieIds[i]!;
    const list = lists.get(id) ?? [];
    list.push(train.timestamps[i]!);
    lists.set(id, list);
  }
  const out = new Map<number, Float64Array>();
  for (const [id, list] of lists) out.set(id, Float64Array.from(list).sort());
  return out;
}

/** Index of the first element ≥ x (or > x when `after`). */
function lowerBound(sorted: Float64Array, x: number, after = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x || (after && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Each user's given ratings by time (timestamp, then movie id), latest last. */
function timedGiven(table: RatingsTable, users: readonly HeldOutUser[]) {
  const at = ratingTimes(table);
  return users.map((u) =>
    u.given
      .map((g) => ({ movieId: g.movieId, t: at(u.userId, g.movieId) }))
      .sort((a, b) => a.t - b.t || a.movieId - b.movieId),
  );
}

/** T(a → b): training users who rated b right after a, keyed `a:b`. */
function transitions(train: RatingsTable): Map<string, number> {
  const rows = Array.from({ length: train.length }, (_, i) => i).sort(
    (a, b) =>
      train.userIds[a]! - train.userIds[b]! ||
      train.timestamps[a]! - train.timestamps[b]! ||
      train.movieIds[a]! - train.movieIds[b]!,
  );
  const counts = new Map<string, number>();
  for (let k = 1; k < rows.length; k++) {
    const [a, b] = [rows[k - 1]!, rows[k]!];
    if (train.userIds[a] !== train.userIds[b]) continue;
    const pair = `${train.movieIds[a]}:${train.movieIds[b]}`;
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  return counts;
}

type Grid = Record<string, HeldOutMetrics>;
interface Point {
  signal: 'none' | 'drift' | 'transition';
  param: number;
  beta: number;
}
const key = ({ signal, param, beta }: Point) =>
  signal === 'none'
    ? 'β 0'
    : signal === 'drift'
      ? `drift W ${param} d, β ${beta}`
      : `transition L ${param}, β ${beta}`;

function scoreGrid(
  table: RatingsTable,
  train: RatingsTable,
  recommender: Recommender,
  users: readonly HeldOutUser[],
  points: readonly Point[],
): Grid {
  const times = timesByMovie(train);
  const pairs = transitions(train);
  const given = timedGiven(table, users);
  const now = given.map((g) => g[g.length - 1]!.t);
  const feature = (point: Point, u: number, movieId: number): number => {
    if (point.signal === 'drift') {
      const t = times.get(movieId);
      if (!t) return 0;
      return Math.log1p(lowerBound(t, now[u]!, true) - lowerBound(t, now[u]! - point.param * DAY));
    }
    if (point.signal === 'transition') {
      let f = 0;
      for (const g of given[u]!.slice(-point.param)) {
        f += Math.log1p(pairs.get(`${g.movieId}:${movieId}`) ?? 0);
      }
      return f;
    }
    return 0;
  };
  const candidates = users.map((user) => {
    const exclude = givenExcluded(recommender, user);
    return recommendForProfile(recommender, { ratings: user.given }, { n: CANDIDATES, exclude })
      .items;
  });
  const out: Grid = {};
  for (const point of points) {
    const lists = candidates.map((items, u) =>
      items
        .map(({ movieId, score }) => ({
          movieId,
          score: score + point.beta * feature(point, u, movieId),
        }))
        .sort((a, b) => b.score - a.score || a.movieId - b.movieId)
        .slice(0, 100)
        .map((m) => m.movieId),
    );
    out[key(point)] = heldOutMetrics(lists, users, catalogueSize(table));
  }
  return out;
}

const grid: Point[] = [{ signal: 'none', param: 0, beta: 0 }];
for (const beta of opts.betas.filter((b) => b > 0)) {
  for (const param of opts.days) grid.push({ signal: 'drift', param, beta });
  for (const param of opts.last) grid.push({ signal: 'transition', param, beta });
}

await runTemporalBench({
  name: 'temporal-rerank',
  ratings: opts.ratings,
  seeds: opts.seeds,
  points: grid,
  key,
  score: (table, train, recommender, users, points) =>
    Object.fromEntries(
      HELD_OUT_ORDERS.map((order) => [
        order,
        scoreGrid(table, train, recommender, users[order]!, points),
      ]),
    ),
  logValidation: (scores) => {
    for (const order of HELD_OUT_ORDERS) {
      const best = Object.entries(scores[order]!).sort(
        (a, b) => b[1]['ndcg@10'] - a[1]['ndcg@10'],
      )[0]!;
      log(
        `  ${order}: β 0 ndcg@10 ${scores[order]!['β 0']!['ndcg@10'].toFixed(4)}; best ${best[0]} ${best[1]['ndcg@10'].toFixed(4)}`,
      );
    }
  },
  describeChoice: (chosen) => `chosen on time-ordered validation users: ${key(chosen)}`,
  testPoints: (chosen) => [grid[0]!, chosen],
  log,
});
