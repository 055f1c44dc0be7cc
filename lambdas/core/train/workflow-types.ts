import type { AlsSolver, IterationRecord, ResolvedAlsOptions } from '../als/index.ts';
import type { NeighbourSettings } from '../neighbours/options.ts';
import type { RankingPolicy } from '../serving/ranking.ts';
import type { ErrorSum } from './prediction-error.ts';
import type { ScanTotals } from './shuffle.ts';
import type { Partitioner, TokenRange } from './token-ranges.ts';
import type { TuneCandidate, TuneGrid, TuneResult } from './tune-grid.ts';
import type { Head, Side } from './run-layout.ts';

/**
 * The payloads the train state machine passes between its Tasks: run ids, block numbers, token
 * bounds and a few numbers. Matrices and factors stay in S3 under `runs/<runId>/`, so a payload
 * stays far below the 256 KB Step Functions quota however large the data set is.
 */

/**
 * The settings of the rating model (explicit ALS, predicted stars) a request may set; the rest
 * take `DEFAULT_ALS_OPTIONS`. `iterations` and `seed` apply to both models.
 */
export interface TrainRatingOptions {
  readonly rank?: number;
  readonly reg?: number;
  readonly biasReg?: number;
  readonly iterations?: number;
  readonly implicit?: boolean;
  readonly alpha?: number;
  readonly biases?: boolean;
  readonly solver?: AlsSolver;
  readonly cgSteps?: number;
  readonly seed?: number;
}

/** The ranking model's implicit-ALS settings a request may set (the rest: the product defaults). */
export interface TrainRankingOptions {
  readonly rank?: number;
  readonly reg?: number;
  readonly alpha?: number;
  readonly unobservedWeight?: number;
  readonly regExponent?: number;
  readonly solver?: AlsSolver;
  readonly cgSteps?: number;
}

/**
 * The two phases of the loop. `fit`: the training split only, scored on the validation split
 * every iteration (the report, early stopping). `refit`: every rating, validation included, warm
 * from the fitted factors, so the published model has seen all the data.
 */
export type LoopPhase = 'fit' | 'refit';

/** Execution input (`recsys train`, or an EventBridge rule after ingestion). */
export interface TrainRequest {
  /** The model id, which is also the run id; derived from the execution name when absent. */
  readonly modelId?: string;
  /** Continue the run `modelId` from its last complete iteration. */
  readonly resume?: boolean;
  /** Recorded with the model; defaults to the data set the ingestion last marked ready. */
  readonly dataset?: string;
  /** The rating model (explicit ALS) settings (`recsys train --rating-rank` …). */
  readonly rating?: TrainRatingOptions;
  /**
   * The older name of `rating`, still read: deployed stacks send it (the ingest → train rule and
   * the retraining schedule, whose templates name it), and so may users' scripts.
   */
  readonly options?: TrainRatingOptions;
  /** Row blocks per side: the unit of work of every block Map (results do not depend on it). */
  readonly blocks?: number;
  /** Token ranges the ratings table is scanned in (default: the block count). */
  readonly scanRanges?: number;
  /** MaxConcurrency of every Map (default: all items at once). */
  readonly concurrency?: number;
  /** Stop when an iteration improves validation RMSE by less than this (default 0: never). */
  readonly tolerance?: number;
  /** Fraction of ratings held out for validation (default 0.2). */
  readonly validation?: number;
  readonly splitSeed?: number;
  /** Recommendations stored per user (default 50). */
  readonly topN?: number;
  /** Neighbours stored per movie (default 20). */
  readonly similarN?: number;
  /**
   * Movies with fewer ratings are neither recommended nor given neighbours (default: the data set's
   * min_ratings_per_movie from ingestion, else 50).
   */
  readonly minRatings?: number;
  /** Grid-search rank × reg on the validation split first (true: the default grid). */
  readonly tune?: boolean | Partial<TuneGrid>;
  /** Make the model the one that serves once it is published (default true). */
  readonly activate?: boolean;
  /** The ranking model (implicit ALS) settings (`recsys train --ranking-rank` …). */
  readonly ranking?: TrainRankingOptions;
  /** The EASE neighbour model's settings, or false to rank by the ALS factors alone. */
  readonly neighbours?: Partial<NeighbourSettings> | false;
  /** The neighbour model's share of the blend. */
  readonly blend?: number;
  /** Iterations over all ratings after the validated fit (default 5; 0 publishes the fit). */
  readonly refitIterations?: number;
  /**
   * Start both ALS models from the active model's factors, mapped by id (users and movies it
   * lacks start from the hash-seeded factors), with fewer iterations by default
   * (`WARM_START_DEFAULTS`). Without an active model the run starts cold.
   */
  readonly warmStart?: boolean;
  /**
   * End the run at once, as a success with output `{skipped: true, reason}`, unless ratings
   * changed since the active model was trained (the API's writes, or a newer ingestion) and no
   * other run is training: what the stack's retraining schedule sends.
   */
  readonly ifNewData?: boolean;
}

/** Plan's output when `ifNewData` finds nothing new: the execution ends here, successfully. */
export interface SkippedRun {
  readonly skipped: true;
  readonly reason: string;
  /** The serving model, and when it was trained (ISO time). */
  readonly activeModelId: string | null;
  readonly activeModelCreatedAt: string | null;
  /** The latest change of the ratings the check found (ISO time), if any. */
  readonly lastChangeAt: string | null;
  readonly checkedAt: string;
}

/** Plan's output and `plan.json`: the request resolved, fixed for the whole run. */
export interface RunPlan {
  readonly runId: string;
  readonly executionName: string;
  readonly dataset: string;
  readonly createdAt: string;
  /** Each model's settings as the request gave them (heads.ts adds the defaults). */
  readonly heads: {
    readonly rating: TrainRatingOptions;
    readonly ranking: TrainRankingOptions;
  };
  /** The fit's iterations, both models. */
  readonly iterations: number;
  readonly blockCount: number;
  /** 0..blockCount-1: the items of every block Map. */
  readonly blocks: readonly number[];
  readonly ranges: readonly TokenRange[];
  /** The token ring the ranges cut (absent in plans written before: Murmur3). */
  readonly partitioner?: Partitioner;
  readonly concurrency: number;
  /**
   * MaxConcurrency of each of the two output Maps (top-N and similar movies), which run side by
   * side: half the concurrency each, so the run never has more than `concurrency` Lambdas at once.
   */
  readonly outputConcurrency: number;
  /**
   * Write units per second each stored-lists table sustains (Keyspaces: a new table's rate); the
   * output writers share it (train-request.ts `outputWriterPace`). Absent (local): unpaced.
   */
  readonly outputTableWriteUnits?: number;
  readonly tolerance: number;
  readonly validation: number;
  readonly splitSeed: number;
  readonly topN: number;
  readonly similarN: number;
  readonly minRatings: number;
  readonly tuning: boolean;
  readonly tuneCandidates: readonly TuneCandidate[];
  /** Blend weights each tuning point scores (absent in plans written before). */
  readonly tuneBlends?: readonly number[];
  readonly activate: boolean;
  readonly neighbours: NeighbourSettings | null;
  readonly blend: number;
  readonly policy: RankingPolicy;
  readonly refitIterations: number;
  /** The model whose factors start both ALS models (absent or null: the hash-seeded ones). */
  readonly warmStart?: { readonly modelId: string } | null;
  /** True when an earlier execution of this run got past Init: skip prepare and tuning. */
  readonly resumed: boolean;
}

export interface ScanTask {
  readonly runId: string;
  readonly range: TokenRange;
}

export interface ScanResult extends ScanTotals {
  readonly range: number;
  readonly seconds: number;
}

export interface BuildIndexTask {
  readonly runId: string;
  readonly scans: readonly ScanResult[];
}

/** `index.json`; also BuildIndex's output. */
export interface RunIndex {
  readonly users: number;
  readonly items: number;
  readonly trainRatings: number;
  readonly validationRatings: number;
  readonly ratingSumUnits: number;
  readonly globalMean: number;
  readonly ratingMin: number;
  readonly ratingMax: number;
}

export interface BlockTask {
  readonly runId: string;
  readonly block: number;
}

export interface TuneTask {
  readonly runId: string;
  readonly candidate: TuneCandidate;
}

export interface TuneSelectTask {
  readonly runId: string;
  readonly results: readonly TuneResult[];
}

/** The chosen grid point, or {} when the run does not tune. */
export type TunedParams = Partial<
  Pick<TuneResult, 'unobservedWeight' | 'neighbourReg' | 'blend' | 'ndcg'>
>;

export interface InitTask {
  readonly runId: string;
  readonly tuned: TunedParams;
}

/** `settings.json`: what every solve uses. */
export interface RunSettings {
  /**
   * Each model's solver settings: `rating` (explicit ALS) and `ranking` (implicit ALS), solved in
   * the same block tasks.
   */
  readonly heads: Readonly<Record<Head, ResolvedAlsOptions>>;
  readonly neighbours: NeighbourSettings | null;
  readonly blend: number;
  readonly tuned: TunedParams;
  /** What the warm start took from the earlier model (absent: a cold start). */
  readonly warmStart?: WarmStartSummary;
}

/** Per ALS model: rows taken from the earlier model and rows hash-seeded, or why it started cold. */
export type WarmStartHead =
  | {
      readonly users: { readonly kept: number; readonly seeded: number };
      readonly items: { readonly kept: number; readonly seeded: number };
    }
  | { readonly cold: string };

export interface WarmStartSummary {
  readonly modelId: string;
  readonly rating: WarmStartHead;
  readonly ranking: WarmStartHead;
}

/** The loop variable the Choice state reads. */
export interface LoopState {
  /** Last complete iteration (0 after Init). */
  readonly iteration: number;
  /** The iteration the next pass of the loop computes. */
  readonly next: number;
  /** The phase of the next iteration. */
  readonly phase: LoopPhase;
  /** True when no iteration remains: the Choice leaves the loop. */
  readonly done: boolean;
  readonly converged: boolean;
  readonly rmse: number | null;
  readonly trainRmse: number | null;
  /** Seconds the last iteration took, from the end of the one before. */
  readonly seconds: number | null;
  /** Epoch ms when the last iteration (or Init) finished. */
  readonly finishedAt: number;
}

export interface SolveTask extends BlockTask {
  readonly side: Side;
  readonly iteration: number;
  readonly phase: LoopPhase;
}

export interface CombineTask {
  readonly runId: string;
  readonly side: Side;
  readonly iteration: number;
}

/** The neighbour model's steps: partial XᵀX per user block, then the solve. */
export interface NeighbourSolveTask {
  readonly runId: string;
}

export interface EvaluateTask extends BlockTask {
  readonly iteration: number;
  readonly phase: LoopPhase;
}

export interface EvaluateResult {
  readonly block: number;
  readonly validation: ErrorSum;
  readonly train: ErrorSum;
}

export interface CheckpointTask {
  readonly runId: string;
  readonly iteration: number;
  readonly phase: LoopPhase;
  readonly partials: readonly EvaluateResult[];
  readonly previousFinishedAt: number;
}

export interface IterationSummary extends IterationRecord {
  /** Validation RMSE (null in the refit phase, which trains on the validation ratings). */
  readonly rmse: number | null;
  readonly trainRmse?: number;
  readonly phase?: LoopPhase;
}

/** `checkpoint.json`: the last complete iteration; factors are in `factors/i<k>/`. */
export interface Checkpoint {
  readonly iteration: number;
  readonly converged: boolean;
  /** Iterations of the fit phase, once it has ended (the refit phase counts from there). */
  readonly fitIterations?: number;
  readonly done?: boolean;
  readonly history: readonly IterationSummary[];
  readonly finishedAt: number;
}

export interface OutputResult {
  readonly block: number;
  readonly written: number;
  readonly seconds: number;
}

export interface PublishTask {
  readonly runId: string;
  /** The Parallel state's output: [top-N results, similar-movies results]. */
  readonly outputs: readonly (readonly OutputResult[])[];
}

export interface TrainSummary {
  readonly modelId: string;
  readonly dataset: string;
  readonly status: 'ready';
  readonly activated: boolean;
  /**
   * Validation RMSE of the rating model fitted without the validation ratings (null without a
   * validation split); the published model was then refitted on all ratings (`refitIterations`).
   */
  readonly rmse: number | null;
  readonly refitIterations: number;
  readonly trainRmse: number | null;
  readonly iterations: number;
  readonly converged: boolean;
  readonly users: number;
  readonly items: number;
  readonly trainRatings: number;
  readonly validationRatings: number;
  readonly recommendationsWritten: number;
  readonly similarMoviesWritten: number;
  readonly params: Readonly<Record<string, unknown>>;
  readonly tuned: TunedParams;
  readonly history: readonly IterationSummary[];
  readonly artifactsPrefix: string;
  readonly seconds: number;
}

/** MarkFailed's input: the whole execution state at the Catch. */
export interface FailureState {
  readonly plan?: { readonly runId?: string };
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}
