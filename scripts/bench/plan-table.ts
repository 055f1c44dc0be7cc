/**
 * The README's scale-and-cost table: `recsys plan` for ml-latest-small, ml-25m, ml-32m and a
 * billion ratings with the training defaults (rating model rank 20, ranking model rank 64 by CG,
 * 15 fit + 5 refit iterations, 2,000 neighbour movies), at the per-core rates this machine
 * measured (bench/results/als.json, bench/results/als-vs-implicit.json; the latter from the
 * repository's results when `dir` has none: it is a --peers step).
 * Run alone: `npx tsx scripts/bench/plan-table.ts` (also written by `npm run bench`).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { estimatePlan, PRICES_AS_OF, type PlanInput } from '../../lambdas/core/plan/index.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import { DEFAULT_NEIGHBOUR_SETTINGS } from '../../lambdas/core/neighbours/options.ts';
import { TRAIN_DEFAULTS } from '../../lambdas/core/train/train-request.ts';
import { formatDuration, measuredCgGflops, measuredGflops } from '../commands/plan.ts';
import { resultsDir } from './machine.ts';

const REPO_RESULTS = fileURLToPath(new URL('../../bench/results/', import.meta.url));

export const PLAN_DATASETS = [
  { name: 'ml-latest-small', ratings: 100_836, users: 610, movies: 9_742, blocks: 4 },
  { name: 'ml-25m', ratings: 25_000_095, users: 162_541, movies: 59_047, blocks: 64 },
  { name: 'ml-32m', ratings: 32_000_204, users: 200_948, movies: 87_585, blocks: 64 },
  // Assumed shape: ~160 ratings per user as in ml-32m, and a catalogue of 300,000 movies; 500
  // blocks is the most a training request takes (MAX_BLOCKS).
  {
    name: '1 billion (assumed shape)',
    ratings: 1e9,
    users: 6_250_000,
    movies: 300_000,
    blocks: 500,
  },
] as const;

const money = (x: number) => `$${x < 10 ? x.toFixed(2) : Math.round(x).toLocaleString('en-US')}`;

export function planTable(dir: string, rank = 20, iterations = 15, requestsPerMonth = 1e6) {
  const rate = measuredGflops(dir, rank);
  const ranking = DEFAULT_RECOMMENDER_OPTIONS.als;
  const rankingRank = ranking.rank ?? 64;
  const cgRate = measuredCgGflops(
    existsSync(join(dir, 'als-vs-implicit.json')) ? dir : REPO_RESULTS,
    rankingRank,
  );
  const neighbourMovies =
    (DEFAULT_RECOMMENDER_OPTIONS.neighbours || {}).maxItems ?? DEFAULT_NEIGHBOUR_SETTINGS.maxItems;
  const rows = PLAN_DATASETS.map((d) => {
    const input: PlanInput = {
      ...d,
      rank,
      iterations,
      refitIterations: TRAIN_DEFAULTS.refitIterations,
      rankingRank,
      cgSteps: ranking.cgSteps ?? 3,
      neighbourMovies,
      concurrency: d.blocks,
      requestsPerMonth,
      gflopsPerCore: rate.gflops,
      cgGflopsPerCore: cgRate.gflops,
    };
    return { dataset: d.name, input, estimate: estimatePlan(input) };
  });
  const md = [
    `### Scale and cost on AWS (estimate: \`npx recsys plan\`)\n`,
    `Rating model rank ${rank} (Cholesky) and ranking model rank ${rankingRank} (CG, ${ranking.cgSteps ?? 3} steps) solved side by side, ` +
      `${iterations} fit + ${TRAIN_DEFAULTS.refitIterations} refit iterations, neighbour model over the ${neighbourMovies.toLocaleString('en-US')} most-rated movies, ` +
      `concurrency = blocks, ${requestsPerMonth.toLocaleString('en-US')} API requests a month; ` +
      `ALS rate ${rate.gflops} GFLOP/s per Lambda vCPU (${rate.source}); CG rate ${cgRate.gflops} GFLOP/s (${cgRate.source}); us-east-1 prices as of ${PRICES_AS_OF}. ` +
      `Every assumption is printed with its reason by \`npx recsys plan\` (docs/cost-model.md). The billion-rating row assumes 6.25 M users and 300,000 movies.\n`,
    '| data set | ratings | users | movies | blocks | ingest wall | ingest $ | training wall | training $ | serving $/month |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(({ dataset, input, estimate: e }) =>
      [
        '',
        dataset,
        input.ratings.toLocaleString('en-US'),
        input.users.toLocaleString('en-US'),
        input.movies.toLocaleString('en-US'),
        input.blocks,
        formatDuration(e.ingest.wallSeconds),
        money(e.ingest.dollars),
        formatDuration(e.train.wallSeconds),
        money(e.train.dollars),
        money(e.servingMonth.dollars),
        '',
      ]
        .join(' | ')
        .trim(),
    ),
  ].join('\n');
  return { md: md + '\n', rows, rate, cgRate };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = resultsDir();
  const { md, rows, rate, cgRate } = planTable(dir);
  writeFileSync(join(dir, 'plan.md'), md);
  writeFileSync(
    join(dir, 'plan.json'),
    JSON.stringify({ rate, cgRate, pricesAsOf: PRICES_AS_OF, rows }, null, 2) + '\n',
  );
  process.stdout.write(md);
}
