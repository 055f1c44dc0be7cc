import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ASSUMPTIONS,
  PRICES_AS_OF,
  US_EAST_1,
  estimatePlan,
  type PhaseEstimate,
  type PlanInput,
} from '../../lambdas/core/plan/index.ts';
import { action, intOption, numberOption, UserError } from '../lib/cli-support.ts';

interface PlanOptions {
  ratings: number;
  users: number;
  movies: number;
  rank: number;
  iterations: number;
  blocks: number;
  concurrency?: number;
  region: string;
  requestsPerMonth: number;
  gflops?: number;
  benchResults: string;
  json?: boolean;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description(
      'estimate AWS wall time and dollars for ingest, training and a month of serving (prints every assumption)',
    )
    .requiredOption('--ratings <n>', 'number of ratings', intOption(1))
    .requiredOption('--users <n>', 'number of users', intOption(1))
    .requiredOption('--movies <n>', 'number of movies', intOption(1))
    .option('--rank <n>', 'ALS rank', intOption(1, 1024), 20)
    .option('--iterations <n>', 'ALS iterations', intOption(1, 500), 15)
    .option('--blocks <n>', 'blocks per side (training Map items)', intOption(1, 100_000), 16)
    .option('--concurrency <n>', 'Map concurrency (default: blocks)', intOption(1, 10_000))
    .option('--region <name>', 'AWS region (only us-east-1 prices are known)', 'us-east-1')
    .option('--requests-per-month <n>', 'API requests a month', intOption(0), 1_000_000)
    .option(
      '--gflops <x>',
      'GFLOP/s per core (default: measured, bench/results/als.json)',
      numberOption(0.001, 1e4),
    )
    .option(
      '--bench-results <dir>',
      'where the benchmark results are',
      join(ROOT, 'bench', 'results'),
    )
    .option('--json', 'print one JSON object')
    .action(action(plan));
}

/** The measured per-core rate at the rank closest to the plan's, on the largest data set. */
export function measuredGflops(dir: string, rank: number): { gflops: number; source: string } {
  const path = join(dir, 'als.json');
  if (!existsSync(path))
    throw new UserError(`no ${path}: run npm run bench:als first, or pass --gflops`);
  const report = JSON.parse(readFileSync(path, 'utf8')) as {
    cpu?: string;
    generatedAt?: string;
    results: { dataset: string; ratings: number; rank: number; gflopsPerCore: number }[];
  };
  const results = report.results ?? [];
  if (results.length === 0) throw new UserError(`${path} holds no results; pass --gflops`);
  const closest = Math.min(...results.map((r) => Math.abs(r.rank - rank)));
  const best = results
    .filter((r) => Math.abs(r.rank - rank) === closest)
    .sort((a, b) => b.ratings - a.ratings)[0]!;
  return {
    gflops: best.gflopsPerCore,
    source: `${relative(ROOT, path) || path}: ${best.dataset}, rank ${best.rank}, ${report.cpu ?? '?'} (${report.generatedAt?.slice(0, 10) ?? '?'})`,
  };
}

/** Per-unit prices are tiny: per million units reads better. */
const unitPrice = (x: number) => (x < 0.01 ? `$${+(x * 1e6).toPrecision(4)}/M` : `$${x}`);
const money = (x: number) => (x < 0.01 ? `$${x.toFixed(4)}` : `$${x.toFixed(2)}`);
const qty = (x: number) =>
  x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3).replace(/\.?0+$/, '');

export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function phaseLines(title: string, estimate: PhaseEstimate): string[] {
  const wall = estimate.wallSeconds > 0 ? `, wall ≈ ${formatDuration(estimate.wallSeconds)}` : '';
  return [
    `${title}: ${money(estimate.dollars)}${wall}`,
    ...estimate.lines.map(
      (l) =>
        `  ${l.item.padEnd(50)} ${qty(l.quantity).padStart(16)} ${l.unit.padEnd(11)} × ${unitPrice(l.unitPrice).padEnd(12)} = ${money(l.dollars)}`,
    ),
  ];
}

function plan(opts: PlanOptions): void {
  if (opts.region !== 'us-east-1')
    throw new UserError(`--region: only us-east-1 list prices are built in, got ${opts.region}`);
  const measured =
    opts.gflops !== undefined
      ? { gflops: opts.gflops, source: '--gflops' }
      : measuredGflops(opts.benchResults, opts.rank);
  const input: PlanInput = {
    ratings: opts.ratings,
    users: opts.users,
    movies: opts.movies,
    rank: opts.rank,
    iterations: opts.iterations,
    blocks: opts.blocks,
    concurrency: opts.concurrency ?? opts.blocks,
    requestsPerMonth: opts.requestsPerMonth,
    gflopsPerCore: measured.gflops,
  };
  const estimate = estimatePlan(input);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ input, gflopsSource: measured.source, pricesAsOf: PRICES_AS_OF, prices: US_EAST_1, assumptions: ASSUMPTIONS, estimate })}\n`,
    );
    return;
  }
  const t = estimate.train;
  const out = [
    `recsys plan: ${qty(input.ratings)} ratings, ${qty(input.users)} users, ${qty(input.movies)} movies; rank ${input.rank}, ${input.iterations} iterations, ${input.blocks} blocks, concurrency ${input.concurrency}; ${qty(input.requestsPerMonth)} API requests/month`,
    `ALS rate: ${measured.gflops} GFLOP/s per core (${measured.source})`,
    '',
    ...phaseLines('Ingest (once)', estimate.ingest),
    '',
    ...phaseLines('Training (one run)', t),
    `  ${t.gflopPerIteration.toFixed(2)} GFLOP/iteration, block ≈ ${formatDuration(t.blockSeconds)}, iteration ≈ ${formatDuration(t.secondsPerIteration)}, ${qty(t.stateTransitions)} transitions, ${qty(t.lambdaInvocations)} invocations`,
    '',
    ...phaseLines('Serving (one month)', estimate.servingMonth),
    '',
    `Total (ingest + one training run + one month): ${money(estimate.totalDollars)}`,
    '',
    `Prices: us-east-1 list prices as of ${PRICES_AS_OF}.`,
    'Assumptions:',
    ...Object.entries(ASSUMPTIONS).map(
      ([name, a]) => `  ${name} = ${qty(a.value)} ${a.unit}: ${a.why}`,
    ),
  ];
  process.stdout.write(out.join('\n') + '\n');
}
