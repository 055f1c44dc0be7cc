/**
 * The README's scale-and-cost table: `recsys plan` for ml-latest-small, ml-25m, ml-32m and a
 * billion ratings with the training defaults (rating model rank 20, ranking model rank 64 by CG,
 * 15 fit + 5 refit iterations, 2,000 neighbour movies, the block count chosen from the data size
 * at the stack's concurrency of 40), ingest both as a plain deploy runs it (new on-demand tables)
 * and at the cheapest setting that runs, at the per-core rates this machine measured
 * (bench/results/als.json, bench/results/als-vs-implicit.json; the latter from the repository's
 * results when `dir` has none: it is a --peers step).
 * Run alone: `npx tsx scripts/bench/plan-table.ts` (also written by `npm run bench`).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  estimateCosts,
  ingestOptions,
  PRICES_AS_OF,
  type IngestEstimate,
  type CostModelInput,
} from '../../lambdas/core/cost/index.ts';
import { chooseBlockCount } from '../../lambdas/core/train/block-count.ts';
import { MAX_DEFAULT_CONCURRENCY } from '../../infra/config.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import { DEFAULT_NEIGHBOUR_SETTINGS } from '../../lambdas/core/neighbours/options.ts';
import { TRAIN_DEFAULTS } from '../../lambdas/core/train/train-request.ts';
import { HEAD_DEFAULTS } from '../../lambdas/core/train/heads.ts';
import { measuredCgGflops, measuredGflops } from '../runtime/plan/measured-rates.ts';
import { describeIngestSetting, formatDuration } from '../runtime/plan/plan-text.ts';
import { resultsDir } from './machine.ts';

const REPO_RESULTS = fileURLToPath(new URL('../../bench/results/', import.meta.url));

/** Movies and tags as in each release's movies.csv and tags.csv (the catalogue ingestion writes). */
export const PLAN_DATASETS = [
  { name: 'ml-latest-small', ratings: 100_836, users: 610, movies: 9_742, tags: 3_683 },
  { name: 'ml-25m', ratings: 25_000_095, users: 162_541, movies: 62_423, tags: 1_093_360 },
  { name: 'ml-32m', ratings: 32_000_204, users: 200_948, movies: 87_585, tags: 2_000_072 },
  // Assumed shape: ~160 ratings per user as in ml-32m, a catalogue of 300,000 movies, no tags.
  { name: '1 billion (assumed shape)', ratings: 1e9, users: 6_250_000, movies: 300_000, tags: 0 },
] as const;

/** Lambdas at once: the stack's default where the account allows (-c concurrency). */
export const PLAN_CONCURRENCY = MAX_DEFAULT_CONCURRENCY;

const money = (x: number) => `$${x < 10 ? x.toFixed(2) : Math.round(x).toLocaleString('en-US')}`;

export function planTable(
  dir: string,
  ratingRank = HEAD_DEFAULTS.rating.rank,
  iterations = 15,
  requestsPerMonth = 1e6,
) {
  const rate = measuredGflops(dir, ratingRank);
  const ranking = HEAD_DEFAULTS.ranking;
  const rankingRank = ranking.rank;
  const cgRate = measuredCgGflops(
    existsSync(join(dir, 'als-vs-implicit.json')) ? dir : REPO_RESULTS,
    rankingRank,
  );
  const neighbourMovies =
    (DEFAULT_RECOMMENDER_OPTIONS.neighbours || {}).maxItems ?? DEFAULT_NEIGHBOUR_SETTINGS.maxItems;
  const rows = PLAN_DATASETS.map((d) => {
    const sizes = {
      ...d,
      ratingRank,
      iterations,
      refitIterations: TRAIN_DEFAULTS.refitIterations,
      rankingRank,
      cgSteps: ranking.cgSteps,
      neighbourMovies,
      gflopsPerCore: rate.gflops,
      cgGflopsPerCore: cgRate.gflops,
    };
    const blockChoice = chooseBlockCount(sizes, { concurrency: PLAN_CONCURRENCY });
    const input: CostModelInput = {
      ...sizes,
      blocks: blockChoice.blocks,
      concurrency: PLAN_CONCURRENCY,
      requestsPerMonth,
    };
    const ingest = ingestOptions(input);
    return {
      dataset: d.name,
      input,
      blockChoice: { ...blockChoice, tasks: undefined },
      cheapestIngest: ingest.cheapest.estimate,
      ingestOptions: ingest.options.map((o) => ({
        label: o.label,
        setting: o.estimate.setting,
        dollars: o.estimate.dollars,
        wallSeconds: o.estimate.wallSeconds,
        refusals: o.estimate.refusals,
      })),
      estimate: estimateCosts(input),
    };
  });
  const ingestCell = (e: IngestEstimate) =>
    e.refusals.length > 0
      ? `refused¹ (${money(e.dollars)})`
      : `${money(e.dollars)}, ${formatDuration(e.wallSeconds)}`;
  const md = [
    `### Scale and cost on AWS (estimate: \`npx recsys plan\`)\n`,
    `Rating model rank ${ratingRank} (Cholesky) and ranking model rank ${rankingRank} (CG, ${ranking.cgSteps} steps) solved side by side, ` +
      `${iterations} fit + ${TRAIN_DEFAULTS.refitIterations} refit iterations, neighbour model over the ${neighbourMovies.toLocaleString('en-US')} most-rated movies, ` +
      `blocks chosen from the data size (the train Plan step's rule) at concurrency ${PLAN_CONCURRENCY}, ${requestsPerMonth.toLocaleString('en-US')} API requests a month; ` +
      `ALS rate ${rate.gflops} GFLOP/s per Lambda vCPU (${rate.source}); CG rate ${cgRate.gflops} GFLOP/s (${cgRate.source}); us-east-1 prices as of ${PRICES_AS_OF}. ` +
      `Every assumption is printed with its reason by \`npx recsys plan\` (docs/cost-model.md). The billion-rating row assumes 6.25 M users and 300,000 movies. ` +
      'Ingest, default: a plain deploy (new on-demand tables, 4,000 WRU/s each); cheapest: the cheapest setting that runs (`npx recsys plan` compares them; pre-warming is priced by an assumption).\n',
    '| data set | ratings | users | movies | tags | blocks | ingest, default | ingest, cheapest | cheapest setting | training wall | training $ | serving $/month |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(({ dataset, input, estimate: e, cheapestIngest, blockChoice }) =>
      [
        '',
        dataset,
        input.ratings.toLocaleString('en-US'),
        input.users.toLocaleString('en-US'),
        input.movies.toLocaleString('en-US'),
        (input.tags ?? 0).toLocaleString('en-US'),
        `${input.blocks}${blockChoice.fits ? '' : '²'}`,
        ingestCell(e.ingest),
        ingestCell(cheapestIngest),
        cheapestIngest.refusals.length > 0
          ? 'none runs¹'
          : describeIngestSetting(cheapestIngest.setting),
        formatDuration(e.train.wallSeconds),
        money(e.train.dollars),
        money(e.servingMonth.dollars),
        '',
      ]
        .join(' | ')
        .trim(),
    ),
    '',
    ...rows.flatMap(({ dataset, estimate: e, blockChoice }) => [
      ...(e.ingest.refusals.length
        ? [
            `¹ ${dataset}, ingest: ${e.ingest.refusals.join('; ')} (the dollars are arithmetic only).`,
          ]
        : []),
      ...(blockChoice.fits
        ? []
        : [
            `² ${dataset}, training: no block count fits: ${blockChoice.misfits.join('; ')} (the figures are arithmetic only).`,
          ]),
    ]),
  ].join('\n');
  return { md: md + '\n', rows, rate, cgRate };
}

/** Writes plan.md and plan.json into dir (the summary and a run of this file alone); returns the table. */
export function writePlanResults(dir: string): string {
  const { md, rows, rate, cgRate } = planTable(dir);
  writeFileSync(join(dir, 'plan.md'), md);
  writeFileSync(
    join(dir, 'plan.json'),
    JSON.stringify({ rate, cgRate, pricesAsOf: PRICES_AS_OF, rows }, null, 2) + '\n',
  );
  return md;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(writePlanResults(resultsDir()));
}
