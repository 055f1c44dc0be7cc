/**
 * The README's scale-and-cost table: `recsys plan` for ml-latest-small, ml-25m, ml-32m and a
 * billion ratings, at the per-core ALS rate this machine measured (bench/results/als.json).
 * Run alone: `npx tsx scripts/bench/plan-table.ts` (also written by `npm run bench`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimatePlan, PRICES_AS_OF, type PlanInput } from '../../lambdas/core/plan/index.ts';
import { formatDuration, measuredGflops } from '../commands/plan.ts';
import { resultsDir } from './machine.ts';

export const PLAN_DATASETS = [
  { name: 'ml-latest-small', ratings: 100_836, users: 610, movies: 9_742, blocks: 4 },
  { name: 'ml-25m', ratings: 25_000_095, users: 162_541, movies: 59_047, blocks: 64 },
  { name: 'ml-32m', ratings: 32_000_204, users: 200_948, movies: 87_585, blocks: 64 },
  // Assumed shape: ~160 ratings per user as in ml-32m, and a catalogue of 300,000 movies.
  {
    name: '1 billion (assumed shape)',
    ratings: 1e9,
    users: 6_250_000,
    movies: 300_000,
    blocks: 1000,
  },
] as const;

const money = (x: number) => `$${x < 10 ? x.toFixed(2) : Math.round(x).toLocaleString('en-US')}`;

export function planTable(dir: string, rank = 20, iterations = 15, requestsPerMonth = 1e6) {
  const rate = measuredGflops(dir, rank);
  const rows = PLAN_DATASETS.map((d) => {
    const input: PlanInput = {
      ...d,
      rank,
      iterations,
      concurrency: d.blocks,
      requestsPerMonth,
      gflopsPerCore: rate.gflops,
    };
    return { dataset: d.name, input, estimate: estimatePlan(input) };
  });
  const md = [
    `### Scale and cost on AWS (estimate: \`npx recsys plan\`)\n`,
    `Rank ${rank}, ${iterations} iterations, concurrency = blocks, ${requestsPerMonth.toLocaleString('en-US')} API requests a month; ` +
      `ALS rate ${rate.gflops} GFLOP/s per Lambda vCPU (${rate.source}); us-east-1 prices as of ${PRICES_AS_OF}. ` +
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
  return { md: md + '\n', rows, rate };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = resultsDir();
  const { md, rows, rate } = planTable(dir);
  writeFileSync(join(dir, 'plan.md'), md);
  writeFileSync(
    join(dir, 'plan.json'),
    JSON.stringify({ rate, pricesAsOf: PRICES_AS_OF, rows }, null, 2) + '\n',
  );
  process.stdout.write(md);
}
