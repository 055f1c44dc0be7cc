import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { HEAD_DEFAULTS } from '../../../lambdas/core/train/heads.ts';
import { assertRunId, newModelId } from '../../../lambdas/core/train/run-layout.ts';
import {
  TRAIN_DEFAULTS,
  TRAIN_LIMITS,
  TrainRequestError,
  WARM_START_DEFAULTS,
  resolveTrainRequest,
} from '../../../lambdas/core/train/train-request.ts';
import type {
  TrainRankingOptions,
  TrainRatingOptions,
  TrainRequest,
} from '../../../lambdas/core/train/workflow-types.ts';
import { DEFAULT_NEIGHBOUR_SETTINGS } from '../../../lambdas/core/neighbours/options.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../../lambdas/core/recommender/options.ts';
import { DEFAULT_TUNE_GRID } from '../../../lambdas/core/train/tune-grid.ts';
import { LocalStateMachineError } from '../../runtime/local-sfn/index.ts';
import {
  action,
  intOption,
  intWithin,
  numberBelowOption,
  numberOption,
  renamedFlag,
  UserError,
} from '../lib/cli-support.ts';
import { runLocalTrainOrSkip } from '../../runtime/train/run-local-train.ts';

interface TrainCliOptions {
  ratingRank?: number;
  ratingReg?: number;
  ratingSolver?: string;
  /** Older names of --rating-rank, --rating-reg and --rating-solver. */
  rank?: number;
  reg?: number;
  solver?: string;
  biasReg?: number;
  iterations?: number;
  implicit?: boolean;
  alpha?: number;
  seed?: number;
  blocks?: number;
  concurrency: number;
  scanRanges?: number;
  tolerance?: number;
  validation?: number;
  splitSeed?: number;
  topN?: number;
  similarN?: number;
  minRatings?: number;
  tune?: boolean;
  tuneUnobservedWeights?: number[];
  tuneNeighbourRegs?: number[];
  tuneBlends?: number[];
  rankingRank?: number;
  rankingReg?: number;
  unobservedWeight?: number;
  blend?: number;
  neighbours: boolean;
  neighbourMovies?: number;
  neighbourReg?: number;
  refitIterations?: number;
  dataset?: string;
  keyspace?: string;
  bucket?: string;
  modelId?: string;
  resume?: string;
  activate: boolean;
  progress: boolean;
  warmStart?: boolean;
  ifNewData?: boolean;
}

function numberList(parse: (value: string) => number): (value: string) => number[] {
  return (value) => value.split(',').map((part) => parse(part.trim()));
}

function requestOf(opts: TrainCliOptions): TrainRequest {
  if (opts.resume && opts.modelId)
    throw new UserError('give --resume ID or --model-id ID, not both');
  const ratingRank = renamedFlag(opts.ratingRank, opts.rank, {
    flag: '--rating-rank',
    older: '--rank',
  });
  const ratingReg = renamedFlag(opts.ratingReg, opts.reg, { flag: '--rating-reg', older: '--reg' });
  const ratingSolver = renamedFlag(opts.ratingSolver, opts.solver, {
    flag: '--rating-solver',
    older: '--solver',
  });
  if (ratingSolver !== undefined && ratingSolver !== 'cholesky' && ratingSolver !== 'cg') {
    throw new UserError(`--rating-solver must be cholesky or cg, got "${ratingSolver}"`);
  }
  if (opts.implicit) {
    process.stderr.write(
      'recsys: --implicit is the default now (the ranking model is implicit ALS); ignored\n',
    );
  }
  const rating: TrainRatingOptions = {
    ...(ratingRank !== undefined ? { rank: ratingRank } : {}),
    ...(ratingReg !== undefined ? { reg: ratingReg } : {}),
    ...(opts.biasReg !== undefined ? { biasReg: opts.biasReg } : {}),
    ...(opts.iterations !== undefined ? { iterations: opts.iterations } : {}),
    ...(ratingSolver !== undefined ? { solver: ratingSolver as 'cholesky' | 'cg' } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  };
  const ranking: TrainRankingOptions = {
    ...(opts.rankingRank !== undefined ? { rank: opts.rankingRank } : {}),
    ...(opts.rankingReg !== undefined ? { reg: opts.rankingReg } : {}),
    ...(opts.alpha !== undefined ? { alpha: opts.alpha } : {}),
    ...(opts.unobservedWeight !== undefined ? { unobservedWeight: opts.unobservedWeight } : {}),
  };
  const neighbourSettings = {
    ...(opts.neighbourMovies !== undefined ? { maxItems: opts.neighbourMovies } : {}),
    ...(opts.neighbourReg !== undefined ? { reg: opts.neighbourReg } : {}),
  };
  for (const id of [opts.resume, opts.modelId]) {
    if (id === undefined) continue;
    try {
      assertRunId(id);
    } catch (error) {
      throw new UserError((error as Error).message);
    }
  }
  const tuneGrid = {
    ...(opts.tuneUnobservedWeights ? { unobservedWeights: opts.tuneUnobservedWeights } : {}),
    ...(opts.tuneNeighbourRegs ? { neighbourRegs: opts.tuneNeighbourRegs } : {}),
    ...(opts.tuneBlends ? { blends: opts.tuneBlends } : {}),
  };
  const tuning = opts.tune || Object.keys(tuneGrid).length > 0;
  return {
    modelId: opts.resume ?? opts.modelId ?? newModelId(new Date(), randomBytes(3).toString('hex')),
    ...(opts.resume ? { resume: true } : {}),
    ...(opts.dataset ? { dataset: opts.dataset } : {}),
    rating,
    ...(opts.blocks !== undefined ? { blocks: opts.blocks } : {}),
    concurrency: opts.concurrency,
    ...(opts.scanRanges !== undefined ? { scanRanges: opts.scanRanges } : {}),
    ...(opts.tolerance !== undefined ? { tolerance: opts.tolerance } : {}),
    ...(opts.validation !== undefined ? { validation: opts.validation } : {}),
    ...(opts.splitSeed !== undefined ? { splitSeed: opts.splitSeed } : {}),
    ...(opts.topN !== undefined ? { topN: opts.topN } : {}),
    ...(opts.similarN !== undefined ? { similarN: opts.similarN } : {}),
    ...(opts.minRatings !== undefined ? { minRatings: opts.minRatings } : {}),
    ...(tuning ? { tune: Object.keys(tuneGrid).length > 0 ? tuneGrid : true } : {}),
    activate: opts.activate,
    ...(Object.keys(ranking).length > 0 ? { ranking } : {}),
    ...(!opts.neighbours
      ? { neighbours: false as const }
      : Object.keys(neighbourSettings).length > 0
        ? { neighbours: neighbourSettings }
        : {}),
    ...(opts.blend !== undefined ? { blend: opts.blend } : {}),
    ...(opts.refitIterations !== undefined ? { refitIterations: opts.refitIterations } : {}),
    ...(opts.warmStart ? { warmStart: true } : {}),
    ...(opts.ifNewData ? { ifNewData: true } : {}),
  };
}

export function registerTrainCommand(program: Command): void {
  const { rating: d, ranking: r } = HEAD_DEFAULTS;
  const { rank, blocks, validation, splitSeed, topN, similarN, refitIterations, minRatings } =
    TRAIN_LIMITS;
  const nb = { ...DEFAULT_NEIGHBOUR_SETTINGS, ...(DEFAULT_RECOMMENDER_OPTIONS.neighbours || {}) };
  const cores = availableParallelism();
  program
    .command('train')
    .description(
      'run the train state machine locally: the ranking model (implicit ALS + EASE neighbours) and the rating model (explicit ALS), blocks fanned out by Step Functions Maps over the ratings in Cassandra (local S3 + Cassandra, started if needed)',
    )
    .option(
      '--rating-rank <n>',
      `rating model: latent factors, ${rank.min}–${rank.max} (default ${d.rank})`,
      intWithin(rank),
    )
    .option(
      '--rating-reg <x>',
      `rating model: weighted-λ regularization (default ${d.reg})`,
      numberOption(0, 100),
    )
    .option('--rating-solver <name>', `rating model: cholesky or cg (default ${d.solver})`)
    .option('--rank <n>', 'older name of --rating-rank', intWithin(rank))
    .option('--reg <x>', 'older name of --rating-reg', numberOption(0, 100))
    .option('--solver <name>', 'older name of --rating-solver')
    .option(
      '--bias-reg <x>',
      `rating model: bias regularization (default ${d.biasReg})`,
      numberOption(0, 1e6),
    )
    .option(
      '--iterations <n>',
      `ALS iterations of the fit, both models (default ${d.iterations}; ${WARM_START_DEFAULTS.iterations} with --warm-start)`,
      intOption(0, 500),
    )
    .option(
      '--seed <n>',
      `initial factor seed, both models (default ${d.seed})`,
      intOption(0, 0xffffffff),
    )
    .option(
      '--ranking-rank <n>',
      `ranking model: latent factors, ${rank.min}–${rank.max} (default ${r.rank})`,
      intWithin(rank),
    )
    .option(
      '--ranking-reg <x>',
      `ranking model: λ of the frequency-scaled penalty (default ${r.reg})`,
      numberOption(0, 100),
    )
    .option(
      '--unobserved-weight <x>',
      `ranking model: α₀, the weight of an unrated pair (default ${r.unobservedWeight})`,
      numberOption(1e-6, 1),
    )
    .option(
      '--alpha <x>',
      `ranking model: confidence slope c = 1 + α·stars (default ${r.alpha})`,
      numberOption(0, 1e6),
    )
    .option('--implicit', 'accepted for old scripts: the ranking model is always implicit ALS')
    .option(
      '--blend <w>',
      `the neighbour model's share of the ranking (default ${DEFAULT_RECOMMENDER_OPTIONS.blend})`,
      numberOption(0, 1),
    )
    .option('--no-neighbours', 'rank by the ALS factors alone (no EASE neighbour model)')
    .option(
      '--neighbour-movies <n>',
      `movies in the neighbour model, most rated first (default ${nb.maxItems})`,
      intOption(0, 20_000),
    )
    .option(
      '--neighbour-reg <x>',
      `λ of the neighbour model (default ${nb.reg})`,
      numberOption(1e-6, 1e9),
    )
    .option(
      '--refit-iterations <n>',
      `iterations over every rating after the validated fit (default ${TRAIN_DEFAULTS.refitIterations}; ${WARM_START_DEFAULTS.refitIterations} with --warm-start; 0 publishes the fit)`,
      intWithin(refitIterations),
    )
    .option(
      '--blocks <n>',
      "row blocks per side: items of every block Map (default: from the data set's size, so every task fits a Lambda)",
      intWithin(blocks),
    )
    .option(
      '--concurrency <n>',
      'Map concurrency, and handler worker threads (default: the cores)',
      intOption(1, 1000),
      cores,
    )
    .option(
      '--scan-ranges <n>',
      'token ranges to scan in parallel (default: the block count)',
      intWithin(blocks),
    )
    .option(
      '--tolerance <x>',
      'stop once an iteration improves validation RMSE by less than this (default 0: never)',
      numberOption(0, 10),
    )
    .option(
      '--validation <fraction>',
      `held-out fraction, at least ${validation.min} and below ${validation.below} (default ${TRAIN_DEFAULTS.validation})`,
      numberBelowOption(validation.min, validation.below),
    )
    .option(
      '--split-seed <n>',
      `validation split seed (default ${TRAIN_DEFAULTS.splitSeed})`,
      intWithin(splitSeed),
    )
    .option(
      '--top-n <n>',
      `recommendations stored per user (default ${TRAIN_DEFAULTS.topN})`,
      intWithin(topN),
    )
    .option(
      '--similar-n <n>',
      `similar movies stored per movie (default ${TRAIN_DEFAULTS.similarN})`,
      intWithin(similarN),
    )
    .option(
      '--min-ratings <n>',
      'ratings a movie needs to be recommended or get neighbours (default 1: every movie)',
      intWithin(minRatings),
    )
    .option(
      '--tune',
      'grid-search the ranking model (α₀ × neighbour λ × blend) by NDCG@100 on validation users, in parallel, then train the best',
    )
    .option(
      '--tune-unobserved-weights <list>',
      `α₀ values of the tuning grid (default ${DEFAULT_TUNE_GRID.unobservedWeights.join(',')})`,
      numberList(numberOption(1e-6, 1)),
    )
    .option(
      '--tune-neighbour-regs <list>',
      `neighbour λ values of the tuning grid (default ${DEFAULT_TUNE_GRID.neighbourRegs.join(',')})`,
      numberList(numberOption(1e-6, 1e9)),
    )
    .option(
      '--tune-blends <list>',
      `blend weights of the tuning grid (default ${DEFAULT_TUNE_GRID.blends.join(',')})`,
      numberList(numberOption(0, 1)),
    )
    .option('--dataset <name>', 'data set recorded with the model (default: the ingested one)')
    .option('--keyspace <name>', 'keyspace (default: $RECSYS_KEYSPACE or recsys)')
    .option('--bucket <name>', 'bucket (default: $RECSYS_BUCKET or recsys-local)')
    .option('--model-id <id>', 'id of the new model (default: als-<time>-<random>)')
    .option(
      '--resume <id>',
      'continue a failed or interrupted run from its last complete iteration',
    )
    .option(
      '--warm-start',
      "start both ALS models from the serving model's factors (new users and movies hash-seeded), with fewer iterations",
    )
    .option(
      '--if-new-data',
      'train only if ratings changed since the serving model was trained; else print {"skipped":true,…} and exit 0',
    )
    .option('--no-activate', 'publish the model without making it the one that serves')
    .option('--no-progress', 'no progress output on stderr')
    .action(action(train));
}

/**
 * The request checked by the run's own rules (train-request.ts) before any service starts, so a
 * value the Plan step would refuse fails here, in one line, instead of after Cassandra and S3 are up.
 * What depends on the data or the deployment (the block count that fits) is checked by the run.
 */
function checkedRequest(opts: TrainCliOptions): TrainRequest {
  const request = requestOf(opts);
  try {
    resolveTrainRequest(request, {
      runId: request.modelId!,
      executionName: request.modelId!,
      dataset: request.dataset ?? 'unknown',
      now: new Date(),
    });
  } catch (error) {
    if (error instanceof TrainRequestError) throw new UserError(error.message);
    throw error;
  }
  return request;
}

async function train(opts: TrainCliOptions): Promise<void> {
  const request = checkedRequest(opts);
  try {
    const result = await runLocalTrainOrSkip({
      request,
      ...(opts.keyspace ? { keyspace: opts.keyspace } : {}),
      ...(opts.bucket ? { bucket: opts.bucket } : {}),
      progress: opts.progress,
      onHandlerLog: (line) => {
        if (/"level":"(ERROR|WARN)"/.test(line)) process.stderr.write(line + '\n');
      },
    });
    if ('skipped' in result) {
      const { wallSeconds, ...skipped } = result;
      console.log(JSON.stringify({ ...skipped, seconds: Math.round(wallSeconds * 100) / 100 }));
      return;
    }
    const { history, stageSeconds, wallSeconds, params, ...rest } = result;
    console.log(
      JSON.stringify({
        ...rest,
        seconds: Math.round(wallSeconds * 100) / 100,
        executionSeconds: Math.round(result.seconds * 100) / 100,
        params,
        history,
        stageSeconds,
      }),
    );
  } catch (error) {
    if (error instanceof LocalStateMachineError) {
      throw new UserError(`training ${request.modelId} failed: ${error.message}`);
    }
    throw error;
  }
}
