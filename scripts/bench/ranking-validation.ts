/**
 * Where the defaults trail EASE under the time order (issue 23): ours on the **validation** users of
 * scripts/bench/ranking.ts (never the test users), the defaults and two knobs around them, the
 * neighbour model's share of the blend w and its weight on liked movies (x = 1 + boost for a rating
 * ≥ 4), and folding in only the given ratings at or above a star count (`--fold-at-least`; 0, the
 * product, folds in every one; a user with none keeps all, and every given movie stays excluded).
 * `--rules` names fold-in rules for the low stars instead (RULES below: which given ratings the
 * ALS fold-in and the neighbour part see, and the neighbour part's x per star), all applied at
 * fold-in time to the same fits; `rec-…` rules weight the given ratings by recency instead of the
 * product's own recency weight, on its star split (`recencyRule`). EASE's best grid point on the
 * same validation users is in the ranking.ts report.
 *
 *   npx tsx scripts/bench/ranking-validation.ts --datasets small-100k --seeds 0,1,2 \
 *     [--blends 0.3,0.5,0.7] [--boosts 2,5] [--fold-at-least 0 | --rules all,nb>=3,rec-exp10-g1-both] \
 *     [--out bench/results/ranking-validation.json]
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
import { denseItemIndices, foldInUser } from '../../lambdas/core/als/index.ts';
import {
  foldInRatings,
  prepareRecommender,
  recommendForProfile,
  recommendForVectors,
  type Recommender,
} from '../../lambdas/core/serving/recommender.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
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

type Given = readonly { movieId: number; rating: number }[];

/**
 * A fold-in rule for a held-out user's given ratings (issue 23, low stars under the time order):
 * which of them the ALS fold-in sees, which the neighbour part sees, and with what x. Every given
 * movie stays excluded from the list whatever a rule keeps.
 */
interface FoldRule {
  /** The ratings the ALS fold-in solves from. */
  als(given: Given): Given;
  /** The ratings the neighbour part sums rows of B for. */
  neighbour(given: Given): Given;
  /** x of a rating in the neighbour part (absent: the model's ratingWeight, 1 or 1 + boost). */
  x?(given: Given, boost: number): (rating: number) => number;
}

const all = (given: Given) => given;
/** The given ratings ≥ s, or all of them when none is (a user is never left with nothing). */
const atLeast = (s: number) => (given: Given) => {
  const kept = given.filter((g) => g.rating >= s);
  return kept.length > 0 ? kept : given;
};
const meanOf = (given: Given) => given.reduce((sum, g) => sum + g.rating, 0) / given.length;
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
/** Today's x (1 + boost at ≥ 4 stars, else 1) for ratings at or above the user's mean, else 0. */
const aboveMean = (given: Given, boost: number) => {
  const mean = meanOf(given);
  return (r: number) => (r < mean ? 0 : r >= 4 ? 1 + boost : 1);
};
/** x = (1 + boost)·clamp((r − zero)/(4 − zero), 0, 1): 0 at `zero` stars and below, today's at ≥ 4. */
const ramp = (zero: number) => (_given: Given, boost: number) => (r: number) =>
  r < 0 ? r : (1 + boost) * clamp01((r - zero) / (4 - zero));

const fiveStars = (_given: Given, boost: number) => (r: number) =>
  r < 0 ? r : r >= 5 ? 1 + 2 * boost : r >= 4 ? 1 + boost : 1;
/** Ratings < s as −1: preference 0 at confidence 1 in the implicit fold-in (α is 0). */
const lowAsMiss = (s: number) => (given: Given) =>
  given.map((g) => (g.rating < s ? { movieId: g.movieId, rating: -1 } : g));

/** The product's fold-in as it is in this tree (`recommendForProfile`), whatever its rule. */
const PRODUCT: FoldRule = { als: all, neighbour: all };

/**
 * A soft recency weight in place of the product's own (`FOLD_IN_RECENCY`, issue 23): the product's
 * star split (`foldInRatings` without timestamps, so unweighted), then each given rating weighted
 * by how recent it is among the person's given ratings, by their timestamps whatever order the
 * split gave them in (what a product that knows when each rating was made would see). The weight
 * multiplies the factor model's confidence c and/or the neighbour part's x. Named
 * `rec-<kind><p>[h<H>]-g<γ>-<parts>[-norm]`:
 *   - `exp<τ>`: w = 1 + γ·exp(−k/τ), k = 0 for the latest given rating (ties: the larger movie id
 *     is later, as the time split orders them);
 *   - `last<K>`: w = 1 + γ for the K latest, 1 for the rest;
 *   - `days<T>`: w = 1 + γ·exp(−Δ/T), Δ the days between a rating and the latest given one;
 *   - `sexp<τ>h<H>`: w = 1 + γ·exp(−s/τ), s the rating's session rank: walking from the latest
 *     given rating back, s goes up by one only where a rating is more than H hours older than the
 *     next-later one, so ratings made in one sitting (whose order within it is the page's, not the
 *     person's) share a rank and a weight;
 *   - parts `als` (the factor model's confidence), `nb` (the neighbour part's x) or `both`;
 *   - a `-norm` suffix divides every weight by the mean weight of the person's given ratings, so
 *     the total confidence is the unweighted fold-in's (Σw = n) and only its spread moves to the
 *     recent ratings.
 */
interface RecencyRule {
  weights(given: readonly Timed[]): Map<number, number>;
  als: boolean;
  nb: boolean;
}
type Timed = { movieId: number; rating: number; timestamp: number };

const DAY = 86_400;

function recencyRule(name: string): RecencyRule | null {
  const m = /^rec-(exp|last|days|sexp)([\d.]+)(?:h([\d.]+))?-g([\d.]+)-(als|nb|both)(-norm)?$/.exec(
    name,
  );
  if (!m) return null;
  const [, kind, p, h, g, parts, norm] = m;
  if ((kind === 'sexp') !== (h !== undefined)) return null;
  const param = Number(p);
  const gapSeconds = Number(h) * 3_600;
  const gamma = Number(g);
  const curve = (k: number, ageDays: number) =>
    kind === 'exp' || kind === 'sexp'
      ? Math.exp(-k / param)
      : kind === 'last'
        ? k < param
          ? 1
          : 0
        : Math.exp(-ageDays / param);
  return {
    weights(given) {
      const latestFirst = [...given].sort(
        (a, b) => b.timestamp - a.timestamp || b.movieId - a.movieId,
      );
      const latest = latestFirst[0]?.timestamp ?? 0;
      // The rank each rating is weighed by: its place for exp/last/days, its session for sexp.
      let session = 0;
      const rank = latestFirst.map((r, k) => {
        if (kind !== 'sexp') return k;
        if (k > 0 && latestFirst[k - 1]!.timestamp - r.timestamp > gapSeconds) session += 1;
        return session;
      });
      const raw = latestFirst.map(
        (r, k) => 1 + gamma * curve(rank[k]!, (latest - r.timestamp) / DAY),
      );
      const scale = norm ? raw.length / raw.reduce((a, w) => a + w, 0) : 1;
      return new Map(latestFirst.map((r, k) => [r.movieId, raw[k]! * scale]));
    },
    als: parts !== 'nb',
    nb: parts !== 'als',
  };
}

const RULES: Record<string, FoldRule> = {
  product: PRODUCT,
  /** Every given rating in both parts, x = ratingWeight (the product before issue 23). */
  all: { als: all, neighbour: all },
  'fold>=3': { als: atLeast(3), neighbour: atLeast(3) },
  'fold>=4': { als: atLeast(4), neighbour: atLeast(4) },
  'nb>=3': { als: all, neighbour: atLeast(3) },
  'nb>=4': { als: all, neighbour: atLeast(4) },
  'als>=3': { als: atLeast(3), neighbour: all },
  /** 0 at ≤ 2.5 stars, 1 at 3 (today's), 2 at 3.5, 3 at ≥ 4 (today's). */
  'nb-ramp2.5': { als: all, neighbour: all, x: ramp(2.5) },
  /** 0 at ≤ 2 stars, 0.75 at 2.5, 1.5 at 3, 2.25 at 3.5, 3 at ≥ 4. */
  'nb-ramp2': { als: all, neighbour: all, x: ramp(2) },
  /** Linear and uncapped: (1 + boost)·max(0, r − 2.5)/1.5: 3 at 4 stars, 5 at 5. */
  'nb-lin': {
    als: all,
    neighbour: all,
    x: (_g, boost) => (r) => (r < 0 ? r : ((1 + boost) * Math.max(0, r - 2.5)) / 1.5),
  },
  /** Low stars (< 3) at half today's weight of a watched movie. */
  'nb-low0.5': {
    als: all,
    neighbour: all,
    x: (_g, boost) => (r) => (r < 0 ? r : r >= 4 ? 1 + boost : r >= 3 ? 1 : 0.5),
  },
  /** Ratings below the user's own given mean leave the neighbour part. */
  'nb-mean': { als: all, neighbour: all, x: aboveMean },
  /** … and the ALS fold-in too (all kept when none is at or above the mean, which cannot be). */
  'fold-mean': {
    als: (given) => given.filter((g) => g.rating >= meanOf(given)),
    neighbour: all,
    x: aboveMean,
  },
  'nb-ramp2.5+als>=3': { als: atLeast(3), neighbour: all, x: ramp(2.5) },
  'fold>=2.5': { als: atLeast(2.5), neighbour: atLeast(2.5) },
  'fold>=3.5': { als: atLeast(3.5), neighbour: atLeast(3.5) },
  'nb>=3.5+als>=3': { als: atLeast(3), neighbour: atLeast(3.5) },
  'nb>=4+als>=3': { als: atLeast(3), neighbour: atLeast(4) },
  /** Today's x, but a 5-star rating weighs 1 + 2·boost (5 at boost 2). */
  'nb-5x': { als: all, neighbour: all, x: fiveStars },
  'fold>=3+nb-5x': { als: atLeast(3), neighbour: atLeast(3), x: fiveStars },
  /** The ALS fold-in sees a rating < 3 as preference 0; the neighbour part sees every rating. */
  'als-neg<3': { als: lowAsMiss(3), neighbour: all },
  'nb>=3.5+als-neg<3': { als: lowAsMiss(3), neighbour: atLeast(3.5) },
  /** Neighbours from ≥ 3; the ALS fold-in sees a rating < 3 as preference 0 (a watched miss). */
  'nb>=3+als-neg<3': {
    als: lowAsMiss(3),
    neighbour: atLeast(3),
  },
};

/** When each (user, movie) rating was made, from the table the held-out users were split from. */
function ratingTimes(table: RatingsTable): (userId: number, movieId: number) => number {
  const times = new Map<string, number>();
  for (let i = 0; i < table.length; i++)
    times.set(`${table.userIds[i]}:${table.movieIds[i]}`, table.timestamps[i]!);
  return (userId, movieId) => {
    const t = times.get(`${userId}:${movieId}`);
    if (t === undefined) throw new Error(`no timestamp for user ${userId} movie ${movieId}`);
    return t;
  };
}

/** recommenderLists under a fold-in rule; `product` is the product's own `recommendForProfile`. */
function lists(
  recommender: Recommender,
  users: readonly HeldOutUser[],
  rule: FoldRule | RecencyRule,
  boost: number,
  when: (userId: number, movieId: number) => number,
) {
  return users.map((user) => {
    const exclude = new Set(
      denseItemIndices(
        recommender.ranking,
        user.given.map((g) => g.movieId),
      ),
    );
    if ('weights' in rule) {
      const weights = rule.weights(
        user.given.map((g) => ({ ...g, timestamp: when(user.userId, g.movieId) })),
      );
      const weigh = (on: boolean) => (r: { movieId: number; rating: number }) =>
        on ? { ...r, weight: weights.get(r.movieId) ?? 1 } : r;
      // The product's star split without its own recency weight (the given ratings' timestamps
      // left out), so that every rec- point weighs on top of the same unweighted fold-in.
      const unweighted = user.given.map(({ movieId, rating }) => ({ movieId, rating }));
      const { factor, neighbour } = foldInRatings(recommender, { ratings: unweighted });
      const vector = foldInUser(
        recommender.ranking,
        { ratings: factor.map(weigh(rule.als)) },
        recommender.foldIn,
      );
      if (vector.used === 0) return [];
      const [list] = recommendForVectors(recommender, [
        {
          user: vector,
          ratings: neighbour.map(weigh(rule.nb)),
          request: { n: HELD_OUT_LIST_LENGTH, exclude },
        },
      ]);
      return list!.map((m) => m.movieId);
    }
    if (rule === PRODUCT) {
      const profile = { ratings: user.given };
      const { items } = recommendForProfile(recommender, profile, {
        n: HELD_OUT_LIST_LENGTH,
        exclude,
      });
      return items.map((m) => m.movieId);
    }
    const vector = foldInUser(
      recommender.ranking,
      { ratings: rule.als(user.given) },
      recommender.foldIn,
    );
    if (vector.used === 0) return [];
    const [list] = recommendForVectors(recommender, [
      {
        user: vector,
        ratings: rule.neighbour(user.given),
        request: { n: HELD_OUT_LIST_LENGTH, exclude },
        neighbourX: rule.x?.(user.given, boost),
      },
    ]);
    return list!.map((m) => m.movieId);
  });
}

const log = (line: string) => void process.stderr.write(`bench:ranking-validation ${line}\n`);

async function main(): Promise<void> {
  const datasets = (arg('datasets') ?? 'small-100k').split(',');
  const seeds = nums(arg('seeds') ?? '0,1,2');
  const blends = nums(arg('blends') ?? '0.3,0.5,0.7');
  const boosts = nums(arg('boosts') ?? '2,5');
  const foldAtLeast = nums(arg('fold-at-least') ?? '0');
  const ruleNames = arg('rules')?.split(',') ?? [];
  for (const name of ruleNames)
    if (!RULES[name] && !recencyRule(name))
      throw new Error(
        `unknown rule ${name}; use ${Object.keys(RULES).join(',')} or rec-<exp|last|days|sexp><p>[h<H>]-g<γ>-<als|nb|both>[-norm]`,
      );
  /** --rules names them; --fold-at-least s is the rule "fold>=s" (0: every rating, the product). */
  const rules: [string, FoldRule | RecencyRule][] =
    ruleNames.length > 0
      ? ruleNames.map((name) => [name, RULES[name] ?? recencyRule(name)!])
      : foldAtLeast.map((s) => [
          s > 0 ? `fold>=${s}` : 'all',
          s > 0 ? { als: atLeast(s), neighbour: atLeast(s) } : RULES.all!,
        ]);
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
      const when = ratingTimes(split.train);
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
          for (const [rule, fold] of rules) {
            for (const { order, validation } of validations) {
              const metrics = heldOutMetrics(
                lists(recommender, validation.users, fold, boost, when),
                validation.users,
                catalogue,
              );
              rows.push({ dataset, seed, order, boost, blend, rule, metrics });
              log(
                `${dataset} seed ${seed} ${order} boost ${boost} blend ${blend} ${rule}: ndcg@10 ${metrics['ndcg@10'].toFixed(4)} ndcg@100 ${metrics['ndcg@100'].toFixed(4)} recall@20 ${metrics['recall@20'].toFixed(4)} coverage@10 ${metrics['coverage@10'].toFixed(4)}`,
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
