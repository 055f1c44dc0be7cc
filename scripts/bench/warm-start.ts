/**
 * Warm-started retraining (issue 14, item 4): what does starting both ALS models from the active
 * model's factors save, and what does it cost in quality, against a cold start?
 *
 *   npx tsx scripts/bench/warm-start.ts [--seeds 0,1,2] [--new 0.01,0.1]
 *       [--warm 0+2,2+2,3+2,5+5] [--ratings FILE]
 *
 * Protocol, per seed and per share of new data: the held-out-users split (the users protocol of
 * `recsys evaluate --protocol users`) removes 20 % of eligible users; of the other users' ratings
 * a further 10 % (hash of user, movie, seed) are never trained on by anyone (the honest RMSE test
 * set). The rest, D, is ordered by timestamp: the first (1 − new) is what the active model was
 * trained on, the last `new` arrived since (new ratings, and with them new users and movies).
 * - active: the pipeline's default run (fit 15 on D_old's training split, refit 5 on D_old);
 * - cold: the default run on D (fit 15 + refit 5), from the hash-seeded factors;
 * - warm f+r: the run on D from the active model's factors (fit f, refit r), as `warmStart` does.
 * Both models are computed by `trainLikePipeline` (the in-process twin of the distributed run).
 * Reported: ALS iterations and seconds (both models), the validation RMSE the run reports (fit
 * phase, hash split 0.2 of D; optimistic for warm runs, whose start has seen those ratings), the
 * RMSE of the published rating model on the never-trained 10 %, and NDCG@100 / Recall@20 of the
 * published ranking model (blended with the EASE neighbours fitted on D, as published) for the
 * held-out users. Writes bench/results/warm-start.json.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { AlsOptions } from '../../lambdas/core/als/index.ts';
import { catalogueSize, recommenderLists } from '../../lambdas/core/eval/held-out-report.ts';
import { heldOutMetrics, heldOutUsersSplit } from '../../lambdas/core/eval/held-out-users.ts';
import { hashSplit } from '../../lambdas/core/eval/split.ts';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import { buildRatingMatrices } from '../../lambdas/core/matrix/csr.ts';
import { selectRows, type RatingsTable } from '../../lambdas/core/ratings.ts';
import { fitNeighbourModel, itemSupport } from '../../lambdas/core/recommender/fit.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import { prepareRecommender } from '../../lambdas/core/serving/recommender.ts';
import { errorSumOfRatings, rmseOfErrorSums } from '../../lambdas/core/train/prediction-error.ts';
import { TRAIN_DEFAULTS, WARM_START_DEFAULTS } from '../../lambdas/core/train/train-request.ts';
import { trainLikePipeline, type InProcessTrainResult } from '../runtime/train/in-process-train.ts';
import { loadAverage, machine, resultsDir } from './machine.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const log = (line: string) => void process.stderr.write(`bench:warm-start ${line}\n`);
const numbers = (text: string) => text.split(',').filter(Boolean).map(Number);

const program = new Command('warm-start')
  .description('warm-started vs cold retraining; bench/results/warm-start.json')
  .option('--seeds <list>', 'split seeds', '0,1,2')
  .option(
    '--new <list>',
    'share of D that arrived since the active model (latest by time)',
    '0.01,0.1',
  )
  .option(
    '--warm <list>',
    'warm runs as fit+refit iterations',
    `0+2,1+2,2+2,3+2,5+5,${WARM_START_DEFAULTS.iterations}+${WARM_START_DEFAULTS.refitIterations}`,
  )
  .option(
    '--chain <n>',
    'also retrain warm n times in a row over the newest share in n equal slices (0: no chain)',
    '5',
  )
  .option('--ratings <file>', 'ratings.csv', ML_LATEST_SMALL_RATINGS)
  .option('--out <file>', 'results file', join(resultsDir(), 'warm-start.json'));

interface Row {
  readonly seed: number;
  readonly newShare: number;
  readonly run: string;
  readonly iterations: number;
  readonly seconds: number;
  readonly reportedRmse: number | null;
  readonly heldOutRmse: number | null;
  readonly ndcg100: number;
  readonly recall20: number;
  readonly warmUsers?: number;
  readonly warmItems?: number;
}

/** The rows of the table up to the `1 − share` quantile of time (ties by row order). */
function before(table: RatingsTable, share: number): RatingsTable {
  const order = Array.from({ length: table.length }, (_, i) => i).sort(
    (a, b) => table.timestamps[a]! - table.timestamps[b]! || a - b,
  );
  const keep = Math.round(table.length * (1 - share));
  return selectRows(
    table,
    order.slice(0, keep).sort((a, b) => a - b),
  );
}

async function main(): Promise<void> {
  const opts = program.parse().opts<{
    seeds: string;
    new: string;
    warm: string;
    chain: string;
    ratings: string;
    out: string;
  }>();
  const table = await readRatingsFile(opts.ratings);
  const rating: AlsOptions = {};
  const refit = TRAIN_DEFAULTS.refitIterations;
  const rows: Row[] = [];
  for (const seed of numbers(opts.seeds)) {
    const users = heldOutUsersSplit(table, { seed });
    const honest = hashSplit(users.train, { test: 0.1, seed: 1000 + seed });
    const data = honest.train;
    const neighboursOf = (ratings: RatingsTable) => {
      const matrices = buildRatingMatrices(ratings);
      return {
        neighbours: fitNeighbourModel(matrices, DEFAULT_RECOMMENDER_OPTIONS),
        support: itemSupport(matrices),
      };
    };
    const published = neighboursOf(data);
    const catalogue = catalogueSize(table);
    const score = (
      label: string,
      share: number,
      result: InProcessTrainResult,
      iterations: number,
      extra: Partial<Row> = {},
      { neighbours, support } = published,
    ): Row => {
      const recommender = prepareRecommender({
        ranking: result.ranking,
        neighbours,
        blend: DEFAULT_RECOMMENDER_OPTIONS.blend,
        support,
        policy: DEFAULT_RECOMMENDER_OPTIONS.policy,
      });
      const metrics = heldOutMetrics(
        recommenderLists(recommender, users.users),
        users.users,
        catalogue,
      );
      const row: Row = {
        seed,
        newShare: share,
        run: label,
        iterations,
        seconds: Math.round(result.seconds * 100) / 100,
        reportedRmse: result.rmse,
        heldOutRmse: rmseOfErrorSums([errorSumOfRatings(result.model, honest.test)]),
        ndcg100: metrics['ndcg@100'],
        recall20: metrics['recall@20'],
        ...extra,
      };
      log(JSON.stringify(row));
      return row;
    };
    const cold = trainLikePipeline(data, rating, { refitIterations: refit });
    for (const share of numbers(opts.new)) {
      const old = before(data, share);
      const active = trainLikePipeline(old, rating, { refitIterations: refit });
      rows.push(
        score('cold', share, cold, (rating.iterations ?? 15) + refit),
        score('active (no retrain)', share, active, 0, {}, neighboursOf(old)),
      );
      for (const spec of opts.warm.split(',').filter(Boolean)) {
        const [fit, refitWarm] = spec.split('+').map(Number) as [number, number];
        const warm = trainLikePipeline(
          data,
          { ...rating, iterations: fit },
          {
            refitIterations: refitWarm,
            warmFrom: { rating: active.model, ranking: active.ranking },
          },
        );
        rows.push(
          score(`warm ${fit}+${refitWarm}`, share, warm, fit + refitWarm, {
            warmUsers: active.ranking.userIds.size,
            warmItems: active.ranking.itemIds.size,
          }),
        );
      }
      // Daily retraining: n warm runs in a row, each over one more slice of the new ratings.
      const chain = Number(opts.chain);
      if (chain > 1) {
        const fit = WARM_START_DEFAULTS.iterations;
        const refitWarm = WARM_START_DEFAULTS.refitIterations;
        let current = active;
        let seconds = 0;
        for (let k = chain - 1; k >= 0; k--) {
          current = trainLikePipeline(
            before(data, (share * k) / chain),
            { ...rating, iterations: fit },
            {
              refitIterations: refitWarm,
              warmFrom: { rating: current.model, ranking: current.ranking },
            },
          );
          seconds += current.seconds;
        }
        rows.push(
          score(
            `warm ${fit}+${refitWarm}, ${chain} runs in a row`,
            share,
            { ...current, seconds },
            chain * (fit + refitWarm),
          ),
        );
      }
    }
  }
  const summary = summarize(rows);
  for (const line of summary) console.log(line);
  writeFileSync(
    opts.out,
    JSON.stringify(
      {
        machine: machine(),
        load: loadAverage(),
        ratings: relative(ROOT, opts.ratings),
        command: `npx tsx scripts/bench/warm-start.ts ${process.argv.slice(2).join(' ')}`.trim(),
        rows,
        summary,
      },
      null,
      2,
    ) + '\n',
  );
  log(`wrote ${relative(ROOT, opts.out)}`);
}

/** Mean per (new share, run) over the seeds, as Markdown table rows. */
function summarize(rows: readonly Row[]): string[] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = `${row.newShare}|${row.run}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const mean = (values: readonly (number | null)[]) => {
    const present = values.filter((v): v is number => v !== null);
    return present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN;
  };
  const out = [
    '| new data | run | iterations | ALS seconds | reported validation RMSE | held-out RMSE | NDCG@100 | Recall@20 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const group of groups.values()) {
    const first = group[0]!;
    out.push(
      `| ${(first.newShare * 100).toFixed(0)} % | ${first.run} | ${first.iterations} | ` +
        `${mean(group.map((r) => r.seconds)).toFixed(2)} | ` +
        `${mean(group.map((r) => r.reportedRmse)).toFixed(4)} | ` +
        `${mean(group.map((r) => r.heldOutRmse)).toFixed(4)} | ` +
        `${mean(group.map((r) => r.ndcg100)).toFixed(4)} | ` +
        `${mean(group.map((r) => r.recall20)).toFixed(4)} |`,
    );
  }
  return out;
}

await main();
