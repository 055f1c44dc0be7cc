import { DEFAULT_ALS_OPTIONS, MAX_RANK, resolveAlsOptions } from '../als/index.ts';
import { resolveNeighbourSettings } from '../neighbours/options.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../recommender/options.ts';
import { writerPace, type WriterPace } from '../ingest/write-budget.ts';
import { MAX_BLOCKS, chooseBlockCount } from './block-count.ts';
import { HEAD_DEFAULTS, RATING_OPTION_KEYS, plannedHeadOptions } from './heads.ts';
import { assertRunId } from './run-layout.ts';
import { planTokenRanges, type Partitioner } from './token-ranges.ts';
import { DEFAULT_TUNE_GRID, tuneCandidates } from './tune-grid.ts';
import type {
  RunPlan,
  TrainRankingOptions,
  TrainRatingOptions,
  TrainRequest,
} from './workflow-types.ts';

/** A request that can never succeed (bad ranges, unknown fields): failing fast beats retrying. */
export class TrainRequestError extends Error {
  override readonly name = 'TrainRequestInvalid';
}

export const TRAIN_DEFAULTS = {
  /** Blocks when the data set's size is unknown; otherwise chosen from it (block-count.ts). */
  blocks: 4,
  validation: 0.2,
  splitSeed: 0,
  tolerance: 0,
  topN: 50,
  similarN: 20,
  refitIterations: 5,
} as const;

/**
 * A warm-started run (`warmStart: true`) begins both ALS models at the active model's factors, so
 * it needs far fewer iterations than a cold one (15 fit + 5 refit); measured in docs/training.md.
 * A request's own `options.iterations` / `refitIterations` still win.
 */
export const WARM_START_DEFAULTS = {
  iterations: 2,
  refitIterations: 2,
} as const;

/**
 * The execution state holds a few hundred bytes per block (the plan's block list and token ranges,
 * the evaluation partials, the output counts): 500 blocks stay well inside the 256 KB quota.
 */
export { MAX_BLOCKS };

/**
 * The ranges a request's numbers must fall in, checked here; `recsys train` and `recsys plan`
 * read their flags' ranges and help from them, so the CLI refuses exactly what a run would.
 */
export const TRAIN_LIMITS = {
  /** Either model's latent factors (resolveAlsOptions checks it). */
  rank: { min: 1, max: MAX_RANK },
  blocks: { min: 1, max: MAX_BLOCKS },
  /** The held-out fraction: at least 0, below 0.9 (a tenth of the ratings or more to train on). */
  validation: { min: 0, below: 0.9 },
  splitSeed: { min: 0, max: 0xffffffff },
  topN: { min: 1, max: 1000 },
  similarN: { min: 1, max: 1000 },
  minRatings: { min: 1, max: 1_000_000_000 },
  refitIterations: { min: 0, max: 500 },
} as const;

function integer(
  name: string,
  value: unknown,
  { min, max }: { readonly min: number; readonly max: number },
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TrainRequestError(
      `${name} must be an integer in [${min}, ${max}], got ${String(value)}`,
    );
  }
  return value;
}

function fraction(name: string, value: unknown, range: { min: number; below: number }): number {
  if (typeof value !== 'number' || !(value >= range.min && value < range.below)) {
    throw new TrainRequestError(
      `${name} must be a number in [${range.min}, ${range.below}), got ${String(value)}`,
    );
  }
  return value;
}

/** The request's rating-model settings, under their name or the older one (`options`). */
function ratingRequest(request: TrainRequest): TrainRatingOptions | undefined {
  if (request.rating !== undefined && request.options !== undefined) {
    throw new TrainRequestError('give rating or its older name options, not both');
  }
  return request.rating ?? request.options;
}

function checkedRating(rating: TrainRatingOptions = {}): TrainRatingOptions {
  for (const key of Object.keys(rating)) {
    if (!RATING_OPTION_KEYS.includes(key as keyof TrainRatingOptions)) {
      throw new TrainRequestError(`unknown rating option "${key}"`);
    }
  }
  if (rating.implicit === true) {
    throw new TrainRequestError(
      'rating configures the rating model, which is explicit; the ranking model is implicit ALS (set ranking)',
    );
  }
  try {
    resolveAlsOptions(rating, { ratingMin: 0, ratingMax: 0 });
  } catch (error) {
    throw new TrainRequestError(`rating: ${(error as Error).message}`);
  }
  return rating;
}

const RANKING_KEYS: readonly (keyof TrainRankingOptions)[] = [
  'rank',
  'reg',
  'alpha',
  'unobservedWeight',
  'regExponent',
  'solver',
  'cgSteps',
];

function checkedRanking(ranking: TrainRankingOptions = {}): TrainRankingOptions {
  for (const key of Object.keys(ranking)) {
    if (!RANKING_KEYS.includes(key as keyof TrainRankingOptions)) {
      throw new TrainRequestError(`unknown ranking option "${key}"`);
    }
  }
  try {
    resolveAlsOptions(
      plannedHeadOptions({ rating: {}, ranking }, HEAD_DEFAULTS.ranking.iterations).ranking,
      {
        ratingMin: 0,
        ratingMax: 0,
      },
    );
  } catch (error) {
    throw new TrainRequestError(`ranking: ${(error as Error).message}`);
  }
  return ranking;
}

function checkedNeighbours(request: TrainRequest) {
  if (request.neighbours === false) return null;
  const base = DEFAULT_RECOMMENDER_OPTIONS.neighbours || {};
  try {
    return resolveNeighbourSettings({ ...base, ...request.neighbours });
  } catch (error) {
    throw new TrainRequestError((error as Error).message);
  }
}

export interface PlanContext {
  readonly runId: string;
  readonly executionName: string;
  readonly dataset: string;
  readonly now: Date;
  /** The cluster's token ring (system.local); Murmur3 if not given. */
  readonly partitioner?: Partitioner;
  /** The most Lambdas at once the deployment allows (its `concurrency` setting). */
  readonly maxConcurrency?: number;
  /** The ingested data set's exact counts (its datasets row): the default block count follows. */
  readonly data?: { readonly ratings: number; readonly users: number; readonly movies: number };
  /** The account's Lambda memory quota as deployed (`maxMemoryMb`): no task gets more. */
  readonly maxMemoryMb?: number;
  /** The active model, which a `warmStart` request starts from (null: none, so a cold start). */
  readonly warmStartFrom?: string | null;
  /**
   * Write units per second each stored-lists table sustains (Keyspaces: a new table's rate;
   * RECSYS_OUTPUT_TABLE_WRITE_UNITS); absent (a local Cassandra): the list writers are unpaced.
   */
  readonly outputTableWriteUnits?: number;
}

/** Refuses a requested concurrency above what the deployment allows (its `concurrency`). */
export function assertConcurrencyWithin(requested: unknown, maxConcurrency: number): void {
  if (typeof requested === 'number' && requested > maxConcurrency) {
    throw new TrainRequestError(
      `concurrency ${requested} is above the deployment's ${maxConcurrency} ` +
        "(cdk deploy -c concurrency=…, sized to the account's Lambda concurrency quota)",
    );
  }
}

/** Half the concurrency for each of the two output Maps that run side by side. */
export function outputConcurrency(concurrency: number): number {
  return Math.max(1, Math.floor(concurrency / 2));
}

/**
 * The pace of each top-N (or similar-movies) block writer: its share of its table's rate among the
 * blocks of its Map in flight at once (the Map's MaxConcurrency, or the block count if smaller),
 * the way Validate shares the ratings tables among the chunk writers. Each list is a partition of
 * its own. Undefined (a local Cassandra, or a plan written before): unpaced.
 */
export function outputWriterPace(
  plan: Pick<RunPlan, 'outputConcurrency' | 'blockCount' | 'outputTableWriteUnits'>,
): WriterPace | undefined {
  if (!plan.outputTableWriteUnits) return undefined;
  return writerPace(plan.outputTableWriteUnits, Math.min(plan.outputConcurrency, plan.blockCount));
}

function flag(name: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TrainRequestError(`${name} must be true or false, got ${String(value)}`);
  }
  return value === true;
}

/** The request with every default filled in and every value checked. */
export function resolveTrainRequest(request: TrainRequest, context: PlanContext): RunPlan {
  const heads = {
    rating: checkedRating(ratingRequest(request)),
    ranking: checkedRanking(request.ranking),
  };
  flag('ifNewData', request.ifNewData);
  const warmFrom = flag('warmStart', request.warmStart) ? (context.warmStartFrom ?? null) : null;
  const defaults = warmFrom ? WARM_START_DEFAULTS : TRAIN_DEFAULTS;
  const iterations =
    heads.rating.iterations ??
    (warmFrom ? WARM_START_DEFAULTS.iterations : DEFAULT_ALS_OPTIONS.iterations);
  const validation = fraction(
    'validation',
    request.validation ?? TRAIN_DEFAULTS.validation,
    TRAIN_LIMITS.validation,
  );
  const neighbours = checkedNeighbours(request);
  const { blocks: blockRange } = TRAIN_LIMITS;
  const blockCount =
    request.blocks !== undefined
      ? integer('blocks', request.blocks, blockRange)
      : defaultBlockCount(request, context, { heads, validation, neighbours });
  const scanRanges = integer('scanRanges', request.scanRanges ?? blockCount, blockRange);
  const maxConcurrency = context.maxConcurrency ?? 10_000;
  assertConcurrencyWithin(request.concurrency, maxConcurrency);
  const concurrency = integer(
    'concurrency',
    request.concurrency ?? Math.min(Math.max(blockCount, scanRanges), maxConcurrency),
    { min: 1, max: maxConcurrency },
  );
  const tolerance = request.tolerance ?? TRAIN_DEFAULTS.tolerance;
  if (typeof tolerance !== 'number' || !(tolerance >= 0)) {
    throw new TrainRequestError(`tolerance must be ≥ 0, got ${String(tolerance)}`);
  }
  const blend = request.blend ?? DEFAULT_RECOMMENDER_OPTIONS.blend;
  if (typeof blend !== 'number' || !(blend >= 0 && blend <= 1)) {
    throw new TrainRequestError(`blend must be a number in [0, 1], got ${String(blend)}`);
  }
  // The old project dropped movies with fewer than 50 ratings (ingestion records that as the data
  // set's min_ratings_per_movie); it caps the lists' quality (lambdas/core/recommender/README.md),
  // so lists take the product policy's threshold unless the request sets one.
  const minRatings = integer(
    'minRatings',
    request.minRatings ?? DEFAULT_RECOMMENDER_OPTIONS.policy.minRatings,
    TRAIN_LIMITS.minRatings,
  );
  const tuning = request.tune !== undefined && request.tune !== false;
  if (tuning && validation === 0) {
    throw new TrainRequestError('tuning needs a validation split (validation > 0)');
  }
  const grid =
    typeof request.tune === 'object'
      ? { ...DEFAULT_TUNE_GRID, ...request.tune }
      : DEFAULT_TUNE_GRID;
  let candidates;
  try {
    candidates = tuning ? tuneCandidates(grid) : [];
  } catch (error) {
    throw new TrainRequestError((error as Error).message);
  }
  return {
    runId: assertRunIdOrReject(context.runId),
    executionName: context.executionName,
    dataset: context.dataset,
    createdAt: context.now.toISOString(),
    heads,
    iterations,
    blockCount,
    blocks: Array.from({ length: blockCount }, (_, b) => b),
    ranges: planTokenRanges(scanRanges, context.partitioner ?? 'murmur3'),
    partitioner: context.partitioner ?? 'murmur3',
    concurrency,
    outputConcurrency: outputConcurrency(concurrency),
    ...(context.outputTableWriteUnits
      ? { outputTableWriteUnits: context.outputTableWriteUnits }
      : {}),
    tolerance,
    validation,
    splitSeed: integer(
      'splitSeed',
      request.splitSeed ?? TRAIN_DEFAULTS.splitSeed,
      TRAIN_LIMITS.splitSeed,
    ),
    topN: integer('topN', request.topN ?? TRAIN_DEFAULTS.topN, TRAIN_LIMITS.topN),
    similarN: integer(
      'similarN',
      request.similarN ?? TRAIN_DEFAULTS.similarN,
      TRAIN_LIMITS.similarN,
    ),
    minRatings,
    tuning,
    tuneCandidates: candidates,
    tuneBlends: grid.blends,
    activate: request.activate ?? true,
    neighbours,
    blend: neighbours ? blend : 0,
    policy: { ...DEFAULT_RECOMMENDER_OPTIONS.policy, minRatings },
    refitIterations: integer(
      'refitIterations',
      request.refitIterations ?? defaults.refitIterations,
      TRAIN_LIMITS.refitIterations,
    ),
    warmStart: warmFrom ? { modelId: warmFrom } : null,
    resumed: false,
  };
}

/**
 * Blocks for a request that names none: chosen from the ingested data set's counts so that every
 * Task fits its Lambda (block-count.ts), or TRAIN_DEFAULTS.blocks when the counts are unknown. A
 * data set no block count fits (a whole side of factors or the bundle outgrows its Lambda) stops
 * here with the reason: the run could only fail later, out of memory, after its scans.
 */
function defaultBlockCount(
  request: TrainRequest,
  context: PlanContext,
  checked: Pick<RunPlan, 'heads' | 'validation' | 'neighbours'>,
): number {
  const data = context.data;
  if (!data || !(data.ratings > 0)) return TRAIN_DEFAULTS.blocks;
  const { heads, validation, neighbours } = checked;
  // Sized, like the refit below, for a cold run (the request's iterations or the default) even
  // when a warm start runs fewer, so a warm run gets the block count a cold one would.
  const iterations = heads.rating.iterations ?? DEFAULT_ALS_OPTIONS.iterations;
  const planned = plannedHeadOptions(heads, iterations);
  const rating = resolveAlsOptions(planned.rating, { ratingMin: 0, ratingMax: 0 });
  const ranking = resolveAlsOptions(planned.ranking, { ratingMin: 0, ratingMax: 0 });
  const concurrency =
    typeof request.concurrency === 'number' ? request.concurrency : context.maxConcurrency;
  const choice = chooseBlockCount(
    {
      ratings: data.ratings,
      users: data.users,
      movies: data.movies,
      ratingRank: rating.rank,
      iterations,
      refitIterations: TRAIN_DEFAULTS.refitIterations,
      rankingRank: ranking.rank,
      cgSteps: ranking.cgSteps,
      neighbourMovies: neighbours?.maxItems ?? 0,
    },
    {
      concurrency: concurrency ?? MAX_BLOCKS,
      ...(context.maxMemoryMb ? { maxMemoryMb: context.maxMemoryMb } : {}),
    },
    { validationShare: validation },
  );
  if (!choice.fits) {
    throw new TrainRequestError(
      `${data.ratings} ratings of ${data.users} users and ${data.movies} movies fit the training ` +
        `Lambdas at no block count (at ${choice.blocks}: ${choice.misfits.join('; ')}); see ` +
        'docs/cost-model.md, "Block count", or pass blocks explicitly',
    );
  }
  return choice.blocks;
}

function assertRunIdOrReject(runId: string): string {
  try {
    return assertRunId(runId);
  } catch (error) {
    throw new TrainRequestError((error as Error).message);
  }
}
