import { IdMap } from '../matrix/id-map.ts';
import type { RatingsTable } from '../ratings.ts';
import { MAX_RATING, MIN_RATING } from '../formats/ratings-format.ts';
import { rowsByUser } from './split.ts';

/**
 * The yardsticks a model must beat. A model that does not clearly beat bias-only has learned nothing
 * about taste, only which movies and users are rated high.
 */

/** Predicted rating of a user for a movie; must cope with ids absent from training. */
export type RatingPredictor = (userId: number, movieId: number) => number;

/** The top-k movie ids for a user, best first, excluding movies the user has already rated. */
export type Recommender = (userId: number, k: number) => ArrayLike<number>;

export function clampRating(value: number): number {
  return value < MIN_RATING ? MIN_RATING : value > MAX_RATING ? MAX_RATING : value;
}

export function meanRating(table: RatingsTable): number {
  let sum = 0;
  for (let i = 0; i < table.length; i++) sum += table.ratings[i]!;
  return table.length === 0 ? (MIN_RATING + MAX_RATING) / 2 : sum / table.length;
}

export function globalMeanPredictor(train: RatingsTable): RatingPredictor {
  const mean = meanRating(train);
  return () => mean;
}

export interface BiasOptions {
  /**
   * Damping: a bias is the regularized mean residual Σ residual / (reg + count), so a movie or user
   * with few ratings stays near zero. 5 / 5 were best on an ml-latest-small validation split (not
   * its test set), and anything in 2–10 is within 0.002 RMSE; Koren's Netflix values (25 / 10)
   * over-damp MovieLens' many rarely rated movies (+0.018 RMSE).
   */
  itemReg?: number;
  userReg?: number;
  /** Alternating passes (item biases, then user biases); converged after ~5 on MovieLens. */
  iterations?: number;
}

export interface BiasModel {
  mean: number;
  users: IdMap;
  movies: IdMap;
  userBias: Float64Array;
  movieBias: Float64Array;
}

/** Fits rating ≈ mean + userBias + movieBias by alternating regularized least squares. */
export function fitBiases(train: RatingsTable, options: BiasOptions = {}): BiasModel {
  const itemReg = options.itemReg ?? 5;
  const userReg = options.userReg ?? 5;
  const iterations = options.iterations ?? 5;
  const mean = meanRating(train);
  const users = IdMap.fromIds(train.userIds);
  const movies = IdMap.fromIds(train.movieIds);
  const userOf = users.indexAll(train.userIds);
  const movieOf = movies.indexAll(train.movieIds);
  const userBias = new Float64Array(users.size);
  const movieBias = new Float64Array(movies.size);
  const userCount = counts(userOf, users.size);
  const movieCount = counts(movieOf, movies.size);
  const sums = new Float64Array(Math.max(users.size, movies.size));
  for (let pass = 0; pass < iterations; pass++) {
    sums.fill(0);
    for (let i = 0; i < train.length; i++) {
      sums[movieOf[i]!]! += train.ratings[i]! - mean - userBias[userOf[i]!]!;
    }
    for (let m = 0; m < movies.size; m++) movieBias[m] = sums[m]! / (itemReg + movieCount[m]!);
    sums.fill(0);
    for (let i = 0; i < train.length; i++) {
      sums[userOf[i]!]! += train.ratings[i]! - mean - movieBias[movieOf[i]!]!;
    }
    for (let u = 0; u < users.size; u++) userBias[u] = sums[u]! / (userReg + userCount[u]!);
  }
  return { mean, users, movies, userBias, movieBias };
}

/** Unknown users or movies get a zero bias; predictions are clamped to the rating scale. */
export function biasPredictor(model: BiasModel): RatingPredictor {
  return (userId, movieId) => {
    const u = model.users.indexOf(userId);
    const m = model.movies.indexOf(movieId);
    return clampRating(
      model.mean + (u < 0 ? 0 : model.userBias[u]!) + (m < 0 ? 0 : model.movieBias[m]!),
    );
  };
}

function counts(indices: Int32Array, size: number): Int32Array {
  const out = new Int32Array(size);
  for (let i = 0; i < indices.length; i++) out[indices[i]!]!++;
  return out;
}

/** Movie ids by number of training ratings, most rated first (ties: smaller id first). */
export function popularityOrder(train: RatingsTable): Int32Array {
  const movies = IdMap.fromIds(train.movieIds);
  const movieCount = counts(movies.indexAll(train.movieIds), movies.size);
  const order = Array.from(movies.ids.keys()).sort(
    (a, b) => movieCount[b]! - movieCount[a]! || movies.ids[a]! - movies.ids[b]!,
  );
  return Int32Array.from(order, (m) => movies.ids[m]!);
}

/** Recommends the most-rated movies the user has not rated in training — the same list for everyone. */
export function popularityRecommender(train: RatingsTable): Recommender {
  const order = popularityOrder(train);
  const users = IdMap.fromIds(train.userIds);
  const byUser = rowsByUser(train, users);
  return (userId, k) => {
    const u = users.indexOf(userId);
    const seen = new Set<number>();
    if (u >= 0) {
      for (let r = byUser.offsets[u]!; r < byUser.offsets[u + 1]!; r++) {
        seen.add(train.movieIds[byUser.rows[r]!]!);
      }
    }
    const picks: number[] = [];
    for (let i = 0; i < order.length && picks.length < k; i++) {
      if (!seen.has(order[i]!)) picks.push(order[i]!);
    }
    return picks;
  };
}
