import { InvalidArgumentError, type Command } from 'commander';
import {
  ASSUMPTIONS,
  INGEST_SCHEDULE,
  PRICES_AS_OF,
  US_EAST_1,
  estimateCosts,
  ingestOptions,
  type IngestSetting,
  type CostModelInput,
} from '../../../lambdas/core/cost/index.ts';
import {
  INGEST_CAPACITIES,
  NEW_TABLE_WRITE_UNITS_PER_SECOND,
  type IngestCapacity,
} from '../../../lambdas/core/ingest/write-budget.ts';
import { chooseBlockCount } from '../../../lambdas/core/train/block-count.ts';
import { MAX_DEFAULT_CONCURRENCY } from '../../../infra/config.ts';
import { DEFAULT_ALS_OPTIONS } from '../../../lambdas/core/als/index.ts';
import { DEFAULT_NEIGHBOUR_SETTINGS } from '../../../lambdas/core/neighbours/options.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../../lambdas/core/recommender/options.ts';
import { HEAD_DEFAULTS } from '../../../lambdas/core/train/heads.ts';
import {
  MAX_BLOCKS,
  TRAIN_DEFAULTS,
  TRAIN_LIMITS,
} from '../../../lambdas/core/train/train-request.ts';
import {
  action,
  intOption,
  intWithin,
  numberOption,
  renamedFlag,
  UserError,
} from '../lib/cli-support.ts';
import {
  blockLine,
  describeIngestSetting,
  formatDuration,
  ingestSettingFlags,
  money,
  phaseLines,
  qty,
} from '../../runtime/plan/plan-text.ts';
import {
  measuredCgGflops,
  measuredGflops,
  REPOSITORY_BENCH_RESULTS,
} from '../../runtime/plan/measured-rates.ts';

/**
 * The flags of `recsys plan`, parsed. The workload's flags carry the cost model's own names
 * (CostModelInput); the rest choose the rates, the ingest setting and the output.
 */
interface PlanFlags extends Pick<
  CostModelInput,
  | 'ratings'
  | 'users'
  | 'movies'
  | 'iterations'
  | 'refitIterations'
  | 'rankingRank'
  | 'cgSteps'
  | 'neighbourMovies'
  | 'concurrency'
  | 'requestsPerMonth'
> {
  tags: number;
  /** Absent: the rating model's default rank; `rank` is the flag's older name. */
  ratingRank?: number;
  rank?: number;
  /** Absent: chosen from the data size as the train Plan step chooses it. */
  blocks?: number;
  ingestCapacity: IngestCapacity;
  ingestWriteUnits?: number;
  region: string;
  gflops?: number;
  cgGflops?: number;
  benchResults: string;
  json?: boolean;
}

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description(
      'estimate AWS wall time and dollars for ingest, training and a month of serving (prints every assumption)',
    )
    .requiredOption('--ratings <n>', 'number of ratings', intOption(1))
    .requiredOption('--users <n>', 'number of users', intOption(1))
    .requiredOption('--movies <n>', 'number of movies', intOption(1))
    .option(
      '--rating-rank <n>',
      `rating model (explicit ALS, Cholesky) rank (default ${HEAD_DEFAULTS.rating.rank})`,
      intWithin(TRAIN_LIMITS.rank),
    )
    .option('--rank <n>', 'older name of --rating-rank', intWithin(TRAIN_LIMITS.rank))
    .option(
      '--iterations <n>',
      'fit iterations (both models, training split)',
      intOption(1, 500),
      DEFAULT_ALS_OPTIONS.iterations,
    )
    .option(
      '--refit-iterations <n>',
      'iterations on every rating after the fit',
      intOption(0, 500),
      TRAIN_DEFAULTS.refitIterations,
    )
    .option(
      '--ranking-rank <n>',
      'ranking model (implicit ALS, CG) rank',
      intWithin(TRAIN_LIMITS.rank),
      HEAD_DEFAULTS.ranking.rank,
    )
    .option(
      '--cg-steps <n>',
      'ranking model: conjugate-gradient steps per row',
      intOption(1, 100),
      HEAD_DEFAULTS.ranking.cgSteps,
    )
    .option(
      '--neighbour-movies <n>',
      'movies in the neighbour model (0: none)',
      intOption(0, 20_000),
      (DEFAULT_RECOMMENDER_OPTIONS.neighbours || {}).maxItems ??
        DEFAULT_NEIGHBOUR_SETTINGS.maxItems,
    )
    .option(
      '--blocks <n>',
      'blocks per side (training Map items; default: chosen from the data size, as the train Plan step chooses)',
      intOption(1, MAX_BLOCKS),
    )
    .option(
      '--concurrency <n>',
      "Lambdas at once (the stack's -c concurrency; 40 where the account allows)",
      intOption(1, 10_000),
      MAX_DEFAULT_CONCURRENCY,
    )
    .option(
      '--tags <n>',
      'tag applications (tags.csv lines) ingested with the movies',
      intOption(0),
      0,
    )
    .option(
      '--ingest-capacity <mode>',
      `how the ratings tables take the ingest: ${INGEST_CAPACITIES.join(' or ')} (the stack's -c ingestCapacity)`,
      (value: string) => {
        if (!(INGEST_CAPACITIES as readonly string[]).includes(value)) {
          throw new InvalidArgumentError(
            `expected ${INGEST_CAPACITIES.join(' or ')}, got "${value}"`,
          );
        }
        return value as IngestCapacity;
      },
      'on-demand' as IngestCapacity,
    )
    .option(
      '--ingest-write-units <n>',
      `WRU/s per ratings table on-demand (default ${NEW_TABLE_WRITE_UNITS_PER_SECOND}, a new table; above, pre-warmed), or WCU per table provisioned (default: the cheapest)`,
      intOption(1, 1_000_000),
    )
    .option('--region <name>', 'AWS region (only us-east-1 prices are known)', 'us-east-1')
    .option('--requests-per-month <n>', 'API requests a month', intOption(0), 1_000_000)
    .option(
      '--gflops <x>',
      'GFLOP/s per core (default: measured, bench/results/als.json)',
      numberOption(0.001, 1e4),
    )
    .option(
      '--cg-gflops <x>',
      'ranking-model CG GFLOP/s per core (default: measured, bench/results/als-vs-implicit.json)',
      numberOption(0.001, 1e4),
    )
    .option('--bench-results <dir>', 'where the benchmark results are', REPOSITORY_BENCH_RESULTS)
    .option('--json', 'print one JSON object')
    .action(action(plan));
}

function plan(opts: PlanFlags): void {
  if (opts.region !== 'us-east-1')
    throw new UserError(`--region: only us-east-1 list prices are built in, got ${opts.region}`);
  const ratingRank =
    renamedFlag(opts.ratingRank, opts.rank, { flag: '--rating-rank', older: '--rank' }) ??
    HEAD_DEFAULTS.rating.rank;
  const measured =
    opts.gflops !== undefined
      ? { gflops: opts.gflops, source: '--gflops' }
      : measuredGflops(opts.benchResults, ratingRank);
  const measuredCg =
    opts.cgGflops !== undefined
      ? { gflops: opts.cgGflops, source: '--cg-gflops' }
      : measuredCgGflops(opts.benchResults, opts.rankingRank);
  const sizes = {
    ratings: opts.ratings,
    users: opts.users,
    movies: opts.movies,
    tags: opts.tags,
    ratingRank,
    iterations: opts.iterations,
    refitIterations: opts.refitIterations,
    rankingRank: opts.rankingRank,
    cgSteps: opts.cgSteps,
    neighbourMovies: opts.neighbourMovies,
    gflopsPerCore: measured.gflops,
    cgGflopsPerCore: measuredCg.gflops,
  };
  const blockChoice = chooseBlockCount(sizes, { concurrency: opts.concurrency });
  const base: CostModelInput = {
    ...sizes,
    blocks: opts.blocks ?? blockChoice.blocks,
    concurrency: opts.concurrency,
    requestsPerMonth: opts.requestsPerMonth,
  };
  const ingestChoices = ingestOptions(base);
  const ingest: IngestSetting =
    opts.ingestCapacity === 'provisioned' && opts.ingestWriteUnits === undefined
      ? ingestChoices.options.find((o) => o.estimate.setting.capacity === 'provisioned')!.estimate
          .setting
      : {
          capacity: opts.ingestCapacity,
          writeUnits: opts.ingestWriteUnits ?? NEW_TABLE_WRITE_UNITS_PER_SECOND,
        };
  const input: CostModelInput = { ...base, ingest };
  const estimate = estimateCosts(input);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ input, gflopsSource: measured.source, cgGflopsSource: measuredCg.source, pricesAsOf: PRICES_AS_OF, prices: US_EAST_1, assumptions: ASSUMPTIONS, ingestSchedule: INGEST_SCHEDULE, blockChoice, ingestOptions: ingestChoices, estimate })}\n`,
    );
    return;
  }
  const t = estimate.train;
  const out = [
    `recsys plan: ${qty(input.ratings)} ratings, ${qty(input.users)} users, ${qty(input.movies)} movies, ${qty(input.tags ?? 0)} tags; rating model rank ${input.ratingRank} (Cholesky), ranking model rank ${input.rankingRank} (CG, ${input.cgSteps} steps), ${input.iterations} fit + ${input.refitIterations} refit iterations, ${input.neighbourMovies} neighbour movies, ${input.blocks} blocks, concurrency ${input.concurrency}; ${qty(input.requestsPerMonth)} API requests/month`,
    `ALS rate (Cholesky): ${measured.gflops} GFLOP/s per core (${measured.source})`,
    `CG rate (ranking model): ${measuredCg.gflops} GFLOP/s per core (${measuredCg.source})`,
    blockLine(blockChoice, opts.blocks, opts.concurrency),
    '',
    `Ingest setting assumed: ${describeIngestSetting(ingest)} (cdk deploy: ${ingestSettingFlags(ingest)})`,
    ...phaseLines('Ingest (once)', estimate.ingest),
    `  ${estimate.ingest.chunks} chunks, ${estimate.ingest.chunkConcurrency} at once; chunk writes ≈ ${formatDuration(estimate.ingest.writeSeconds)}${estimate.ingest.provisionedHours ? `; provisioned ≈ ${formatDuration(estimate.ingest.provisionedSeconds)} (the chunk Map between two switches of ${formatDuration(ASSUMPTIONS.capacitySwitchSeconds.value)}), ${estimate.ingest.provisionedHours} billed h` : ''}`,
    ...estimate.ingest.refusals.map((r) => `  NOT RUNNABLE AS SET: ${r}`),
    'Ingest settings compared:',
    ...ingestChoices.options.map(
      (o) =>
        `  ${o === ingestChoices.cheapest ? '*' : ' '} ${`${o.label}: ${describeIngestSetting(o.estimate.setting)}`.padEnd(88)} ${money(o.estimate.dollars).padStart(9)}  ${formatDuration(o.estimate.wallSeconds).padStart(9)}  (${ingestSettingFlags(o.estimate.setting)})${o.estimate.refusals.length ? ' — refused: ' + o.estimate.refusals.join('; ') : ''}`,
    ),
    '  (* the cheapest that runs)',
    `Ingest choice: ${ingestChoices.reason}`,
    '',
    ...phaseLines('Training (one run)', t),
    `  ${t.gflopPerIteration.toFixed(2)} GFLOP/iteration (both models), block ≈ ${formatDuration(t.blockSeconds)}, fit iteration ≈ ${formatDuration(t.secondsPerIteration)}, refit iteration ≈ ${formatDuration(t.secondsPerRefitIteration)}, ${t.loopIterations} iterations, neighbour stage ≈ ${formatDuration(t.neighbourSeconds)}`,
    `  longest task ≈ ${formatDuration(t.longestTaskSeconds)} (Lambda timeout 900 s): ${Object.entries(
      t.tasks,
    )
      .map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`)
      .join(
        ', ',
      )}; ${qty(t.stateTransitions)} transitions, ${qty(t.lambdaInvocations)} invocations`,
    '',
    ...phaseLines('Serving (one month)', estimate.servingMonth),
    '',
    `Total (ingest + one training run + one month): ${money(estimate.totalDollars)}`,
    '',
    `Prices: us-east-1 list prices as of ${PRICES_AS_OF}; Keyspaces provisioned $${US_EAST_1.keyspacesPerWcuHour} per WCU-hour, $${US_EAST_1.keyspacesPerRcuHour} per RCU-hour; pre-warming ASSUMED at $${US_EAST_1.keyspacesPerPrewarmWriteUnit} per write unit/s added (no published figure found; lambdas/core/cost/prices.ts).`,
    'Assumptions:',
    ...Object.entries(ASSUMPTIONS).map(
      ([name, a]) => `  ${name} = ${qty(a.value)} ${a.unit}: ${a.why}`,
    ),
    'Ingest schedule (lambdas/core/ingest/write-budget.ts, what ingestion runs):',
    ...Object.entries(INGEST_SCHEDULE).map(
      ([name, a]) => `  ${name} = ${qty(a.value)} ${a.unit}: ${a.why}`,
    ),
  ];
  process.stdout.write(out.join('\n') + '\n');
}
