import type { PartitionStrategy } from '../matrix/csr.ts';

export type AlsSolver = 'cholesky' | 'cg';

/** The numeric settings a block solve needs; everything here is plain data (serializable). */
export interface SolverSettings {
  /** Number of latent factors. */
  rank: number;
  /** λ of Spark's weighted-λ regularization: each row's factor is penalized by λ·n_row. */
  reg: number;
  /**
   * Penalty on each bias term, NOT weighted by n_row: a fixed prior strength shrinks rows with few
   * ratings toward the mean and leaves well-observed rows alone (weighting it by n shrinks every
   * bias by the same fraction, which calibrated ~0.003 RMSE worse).
   */
  biasReg: number;
  /** Hu–Koren–Volinsky implicit feedback instead of explicit rating regression. */
  implicit: boolean;
  /** Implicit confidence slope: c = 1 + alpha·|r|. */
  alpha: number;
  /**
   * Implicit: α₀, the weight of every unrated entry (target 0) relative to a rated one's c. Rendle
   * et al. (2022) tune it with λ; below 1 it lets rarely-rated movies rank (at 1, every unrated
   * pair counts as much as a rating, which pushes the model toward popularity).
   */
  unobservedWeight: number;
  /** Implicit: ν of the frequency-scaled penalty λ·(n⁺ + α₀·N)^ν (see `rowPenalty`). */
  regExponent: number;
  /** Learn user and item biases around the global mean (explicit only). */
  biases: boolean;
  solver: AlsSolver;
  /** Conjugate-gradient steps per row per half-iteration (solver 'cg'). */
  cgSteps: number;
}

/** Everything that defines a trained model; stored with it. */
export interface ResolvedAlsOptions extends SolverSettings {
  iterations: number;
  /** Number of row blocks per side (the distribution grain; results do not depend on it). */
  blocks: number;
  partition: PartitionStrategy;
  seed: number;
  /** Predictions are clamped to [ratingMin, ratingMax] (explicit models). */
  ratingMin: number;
  ratingMax: number;
  /** Compute training RMSE after every iteration (explicit only; costs one pass of nnz·rank). */
  trackTrainRmse: boolean;
}

/**
 * Options accepted by `trainAls`; anything omitted takes the calibrated default. Plain data, all
 * of it stored with the model (callbacks are `TrainingHooks`, a separate argument).
 */
export type AlsOptions = Partial<ResolvedAlsOptions>;

/**
 * Calibrated on ml-latest-small with 80/20 hash splits over three split seeds (table in README.md):
 * rank 16–32 with weighted λ ≈ 0.15 sits on a plateau (mean test RMSE 0.852–0.853), rank 10 is
 * ~0.003 worse, λ = 0.1 overfits (+0.010), λ ≥ 0.3 collapses the factors to a bias-only model
 * (~0.877), and biases are worth ~0.05 against Spark-style uncentred ALS. 15 iterations come within
 * ~0.0005 of 30. Rank 20 (the old project's rank) costs ~30% more than 16 for the same accuracy
 * and leaves headroom for larger data sets.
 */
export const DEFAULT_ALS_OPTIONS: Readonly<Omit<ResolvedAlsOptions, 'ratingMin' | 'ratingMax'>> = {
  rank: 20,
  reg: 0.15,
  biasReg: 2,
  iterations: 15,
  implicit: false,
  // Implicit on ml-latest-small (star ratings as confidence): precision@10 0.200 at α = 1, 0.165
  // at 5, 0.128 at 10, 0.061 at 40 (popularity 0.116); λ barely matters there.
  alpha: 1,
  unobservedWeight: 1,
  regExponent: 1,
  biases: true,
  solver: 'cholesky',
  cgSteps: 3,
  blocks: 1,
  partition: 'range',
  seed: 42,
  trackTrainRmse: true,
};

/** The most latent factors a model may have (the CLI's rank flags read it). */
export const MAX_RANK = 1024;

/** Merges defaults and checks ranges; rating bounds default to those observed in the data. */
export function resolveAlsOptions(
  options: AlsOptions,
  observed: { ratingMin: number; ratingMax: number },
): ResolvedAlsOptions {
  const resolved: ResolvedAlsOptions = {
    ...DEFAULT_ALS_OPTIONS,
    ratingMin: observed.ratingMin,
    ratingMax: observed.ratingMax,
  };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && key in resolved)
      (resolved as unknown as Record<string, unknown>)[key] = value;
  }
  const positiveInt = (name: keyof ResolvedAlsOptions, max: number): void => {
    const v = resolved[name] as number;
    if (!Number.isInteger(v) || v < 1 || v > max) {
      throw new RangeError(`${name} must be an integer in [1, ${max}], got ${v}`);
    }
  };
  positiveInt('rank', MAX_RANK);
  positiveInt('blocks', 1_000_000);
  positiveInt('cgSteps', 1000);
  if (!Number.isInteger(resolved.iterations) || resolved.iterations < 0) {
    throw new RangeError(`iterations must be a non-negative integer, got ${resolved.iterations}`);
  }
  for (const name of ['reg', 'biasReg', 'alpha', 'regExponent'] as const) {
    const v = resolved[name];
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be ≥ 0, got ${v}`);
  }
  // A rated entry must weigh at least as much as an unrated one (c ≥ 1 ≥ α₀), or its term in the
  // normal equations turns negative.
  if (!(resolved.unobservedWeight > 0 && resolved.unobservedWeight <= 1)) {
    throw new RangeError(`unobservedWeight must be in (0, 1], got ${resolved.unobservedWeight}`);
  }
  if (!(resolved.ratingMin <= resolved.ratingMax)) {
    throw new RangeError(`ratingMin ${resolved.ratingMin} exceeds ratingMax ${resolved.ratingMax}`);
  }
  if (resolved.solver !== 'cholesky' && resolved.solver !== 'cg') {
    throw new RangeError(`solver must be 'cholesky' or 'cg', got ${String(resolved.solver)}`);
  }
  if (resolved.implicit) resolved.biases = false;
  return resolved;
}
