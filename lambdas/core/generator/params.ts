export interface GeneratorOptions {
  /** Exact number of ratings to write. */
  ratings: number;
  /** Defaults to ml-25m's ratings per user (25,000,095 / 162,541 ≈ 154). */
  users?: number;
  /** Defaults to a power law through ml-latest-small and ml-25m (see {@link defaultMovieCount}). */
  movies?: number;
  seed?: number;
  /** Dimension of the planted taste vectors. */
  rank?: number;
  /** Standard deviation of the Gaussian noise added before rounding to half stars. */
  noiseSd?: number;
}

export interface GeneratorParams {
  ratings: number;
  users: number;
  movies: number;
  seed: number;
  rank: number;
  noiseSd: number;
  /** Every user rates at least this many movies (MovieLens keeps only users with ≥ 20). */
  minRatingsPerUser: number;
  model: PlantedModel;
}

/**
 * rating = clamp(roundToHalf(mean + userBias + movieBias + userVector·movieVector + noise)).
 * The spreads are chosen so that the ratings' standard deviation (~1.0) and mean (~3.5) resemble
 * MovieLens, with the taste term (u·v) large enough that a factor model has something to find.
 */
export interface PlantedModel {
  mean: number;
  userBiasSd: number;
  movieBiasSd: number;
  /** Standard deviation of u·v; each vector component is N(0, (tasteSd² / rank)^(1/2)). */
  tasteSd: number;
  /** Zipf–Mandelbrot popularity: weight of popularity rank r (0-based) ∝ (r + offset + 1)^-exponent. */
  popularityExponent: number;
  popularityOffset: number;
  /** Lomax tail index of the number of ratings a user makes beyond the minimum. */
  activityTailIndex: number;
}

export const DEFAULT_MODEL: PlantedModel = {
  mean: 3.55,
  userBiasSd: 0.45,
  movieBiasSd: 0.5,
  tasteSd: 0.7,
  // Fitted to ml-latest-small: the top movie gets ~0.33% of ratings, the top 1% of movies ~21%, the
  // top 10% ~63% (real: 0.33%, 16%, 60%); at ml-25m's size the same law gives top 1% ≈ 45%.
  popularityExponent: 1.2,
  popularityOffset: 100,
  // Lomax α = 2.2 reproduces ml-latest-small's activity: median 84 (real 71), 90th percentile
  // ~340 (real 403), max ~3,000 (real 2,698) ratings per user, with a power-law tail.
  activityTailIndex: 2.2,
};

export const DEFAULT_SEED = 42;
export const DEFAULT_RANK = 10;
export const DEFAULT_NOISE_SD = 0.5;

const ML25M_RATINGS_PER_USER = 25_000_095 / 162_541;
const SMALL = { ratings: 100_836, movies: 9_742 };
const ML25M = { ratings: 25_000_095, movies: 62_423 };
const MOVIE_EXPONENT =
  Math.log(ML25M.movies / SMALL.movies) / Math.log(ML25M.ratings / SMALL.ratings);

/** Catalogues grow slower than ratings: M = 9,742 · (N / 100,836)^0.337 hits both ml-latest-small and ml-25m. */
export function defaultMovieCount(ratings: number): number {
  return Math.max(1, Math.round(SMALL.movies * (ratings / SMALL.ratings) ** MOVIE_EXPONENT));
}

export function defaultUserCount(ratings: number): number {
  return Math.max(1, Math.round(ratings / ML25M_RATINGS_PER_USER));
}

/** Fills in defaults and rejects impossible combinations with a message fit for a CLI. */
export function resolveGeneratorParams(options: GeneratorOptions): GeneratorParams {
  const ratings = options.ratings;
  requireInteger('ratings', ratings, 1);
  const users = options.users ?? Math.min(defaultUserCount(ratings), ratings);
  const movies = options.movies ?? defaultMovieCount(ratings);
  // Caps keep the per-user and per-movie arrays (not the ratings, which stream) within memory.
  requireInteger('users', users, 1, 50_000_000);
  requireInteger('movies', movies, 1, 10_000_000);
  const seed = options.seed ?? DEFAULT_SEED;
  requireInteger('seed', seed, 0, 0xffffffff);
  const rank = options.rank ?? DEFAULT_RANK;
  requireInteger('rank', rank, 1, 1000);
  const noiseSd = options.noiseSd ?? DEFAULT_NOISE_SD;
  if (!(noiseSd >= 0 && noiseSd <= 10))
    throw new RangeError(`noiseSd must be in [0, 10], got ${noiseSd}`);
  if (users > ratings) {
    throw new RangeError(
      `${users} users need at least ${users} ratings (one each), got ${ratings}`,
    );
  }
  if (ratings > users * movies) {
    throw new RangeError(
      `${ratings} ratings do not fit ${users} users × ${movies} movies (each pair is rated at most once)`,
    );
  }
  const minRatingsPerUser = Math.min(20, Math.floor(ratings / users), movies);
  return { ratings, users, movies, seed, rank, noiseSd, minRatingsPerUser, model: DEFAULT_MODEL };
}

function requireInteger(name: string, value: number, min: number, max = 2 ** 31 - 1): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}
