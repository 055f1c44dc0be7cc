/**
 * What the two temporal benches (temporal-window.ts, temporal-rerank.ts) share: their protocol
 * (held-out users under both orders; per seed, points scored on validation users; the point chosen
 * on time-ordered validation users; it and the baseline scored once on the test users), the rating
 * times, the given movies excluded from a list, and the report they write.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import { denseItemIndices } from '../../lambdas/core/als/index.ts';
import {
  HELD_OUT_ORDERS,
  heldOutUsersSplit,
  type HeldOutMetrics,
  type HeldOutUser,
} from '../../lambdas/core/eval/held-out-users.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { fitRecommender } from '../../lambdas/core/recommender/fit.ts';
import type { Recommender } from '../../lambdas/core/serving/recommender.ts';
import { commandLine, loadAverage, resultsDir, runStamp } from './machine.ts';

/** The metrics each report's validation section averages over seeds. */
export const TEMPORAL_METRICS = ['ndcg@10', 'ndcg@100', 'recall@20', 'coverage@10'] as const;

/** The held-out users split of `source` for this seed, under each order. */
export const splitsFor = (source: RatingsTable, seed: number) =>
  Object.fromEntries(
    HELD_OUT_ORDERS.map((order) => [order, heldOutUsersSplit(source, { seed, order })]),
  );

/** The time of a user's rating of a movie in the table. */
export function ratingTimes(table: RatingsTable): (userId: number, movieId: number) => number {
  const stamp = new Map<string, number>();
  for (let i = 0; i < table.length; i++) {
    stamp.set(`${table.userIds[i]}:${table.movieIds[i]}`, table.timestamps[i]!);
  }
  return (userId, movieId) => stamp.get(`${userId}:${movieId}`)!;
}

/** The user's given movies, as the recommender's dense item indices: never listed. */
export const givenExcluded = (recommender: Recommender, user: HeldOutUser): Set<number> =>
  new Set(
    denseItemIndices(
      recommender.ranking,
      user.given.map((g) => g.movieId),
    ),
  );

/** The point with the best mean NDCG@10 on time-ordered validation users (the first on ties). */
export const chooseOnTime = <P>(
  points: readonly P[],
  mean: (order: string, point: P, metric: keyof HeldOutMetrics) => number,
): P =>
  points.reduce((best, p) =>
    mean('time', p, 'ndcg@10') > mean('time', best, 'ndcg@10') ? p : best,
  );

export interface TemporalReport<P> {
  readonly before: number[];
  /** performance.now() when the bench started. */
  readonly started: number;
  readonly ratings: string;
  readonly seeds: readonly number[];
  readonly chosen: string | number;
  /** The points scored on validation users, and the name each has in the report. */
  readonly points: readonly P[];
  readonly label: (point: P) => string | number;
  readonly mean: (order: string, point: P, metric: keyof HeldOutMetrics) => number;
  readonly test: unknown[];
}

/** Writes bench/results/<name>.json: the run, the validation means per order and point, the test. */
export function writeTemporalReport<P>(name: string, report: TemporalReport<P>): string {
  const out = join(resultsDir(), `${name}.json`);
  const body = {
    run: runStamp(
      commandLine(`tsx scripts/bench/${name}.ts`),
      report.before,
      Math.round((performance.now() - report.started) / 100) / 10,
    ),
    ratings: report.ratings,
    seeds: report.seeds,
    chosenOn: 'validation users, time order, mean NDCG@10 over seeds',
    chosen: report.chosen,
    validation: Object.fromEntries(
      HELD_OUT_ORDERS.map((order) => [
        order,
        Object.fromEntries(
          report.points.map((p) => [
            report.label(p),
            Object.fromEntries(TEMPORAL_METRICS.map((m) => [m, report.mean(order, p, m)])),
          ]),
        ),
      ]),
    ),
    test: report.test,
  };
  writeFileSync(out, JSON.stringify(body, null, 2) + '\n');
  return out;
}

/** Scores by order, then by point key. */
export type TemporalScores = Record<string, Record<string | number, HeldOutMetrics>>;

export interface TemporalBench<P> {
  /** The script's name: scripts/bench/<name>.ts writes bench/results/<name>.json. */
  readonly name: string;
  readonly ratings: string;
  readonly seeds: readonly number[];
  /** The points scored on validation users, the baseline among them. */
  readonly points: readonly P[];
  /** The key of a point's scores. */
  readonly key: (point: P) => string | number;
  /** A point's name in the report's validation section; its key by default. */
  readonly label?: (point: P) => string | number;
  /** These points scored on the held-out users of each order, after a fit on `train`. */
  readonly score: (
    table: RatingsTable,
    train: RatingsTable,
    recommender: Recommender,
    users: Record<string, readonly HeldOutUser[]>,
    points: readonly P[],
  ) => TemporalScores;
  /** A seed's validation scores, said on the log. */
  readonly logValidation: (scores: TemporalScores) => void;
  /** The line that says the point chosen. */
  readonly describeChoice: (chosen: P) => string;
  /** The points scored on test users: the baseline and the one chosen. */
  readonly testPoints: (chosen: P) => P[];
  readonly log: (line: string) => void;
}

/** Runs the protocol (see the top of this file) and writes the report. */
export async function runTemporalBench<P>(bench: TemporalBench<P>): Promise<void> {
  const { log, key } = bench;
  const table = await readRatingsFile(bench.ratings);
  const before = loadAverage();
  const started = performance.now();
  const fitAndScore = (
    splits: ReturnType<typeof splitsFor>,
    seed: number,
    what: string,
    points: readonly P[],
  ) => {
    const train = splits.random!.train;
    log(`seed ${seed}: fitting on ${train.length} ratings (${what})`);
    const { recommender } = fitRecommender(train);
    const users = Object.fromEntries(Object.entries(splits).map(([o, s]) => [o, s.users]));
    return bench.score(table, train, recommender, users, points);
  };

  const validation: TemporalScores[] = [];
  for (const seed of bench.seeds) {
    const val = splitsFor(splitsFor(table, seed).random!.train, 1000 + seed);
    const scores = fitAndScore(val, seed, 'validation', bench.points);
    validation.push(scores);
    bench.logValidation(scores);
  }
  const mean = (order: string, point: P, metric: keyof HeldOutMetrics) =>
    validation.reduce((sum, s) => sum + s[order]![key(point)]![metric], 0) / validation.length;
  const chosen = chooseOnTime(bench.points, mean);
  log(bench.describeChoice(chosen));

  const test = bench.seeds.map((seed) => ({
    seed,
    ...fitAndScore(splitsFor(table, seed), seed, 'test', bench.testPoints(chosen)),
  }));
  const out = writeTemporalReport(bench.name, {
    before,
    started,
    ratings: bench.ratings,
    seeds: bench.seeds,
    chosen: key(chosen),
    points: bench.points,
    label: bench.label ?? key,
    mean,
    test,
  });
  log(`wrote ${out}`);
}
