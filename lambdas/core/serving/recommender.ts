import {
  computeGram,
  foldInUser,
  userVector,
  type AlsModel,
  type FoldInOptions,
  type ScoredMovie,
  type UserVector,
} from '../als/index.ts';
import { IdMap } from '../matrix/id-map.ts';
import type { NeighbourModel } from '../neighbours/model.ts';
import { DISLIKE_STRENGTH, dislikeRatings } from './dislikes.ts';
import type { RankingPolicy } from './ranking.ts';
import { recommendForVectors } from './ranked-lists.ts';

export { recommendForVectors, SCORE_BLOCK_ROWS, spread } from './ranked-lists.ts';

/**
 * What ranks movies for a person: the implicit ALS factors (every movie, including the long tail)
 * blended with the EASE neighbour model (the most-rated movies). The two see the data differently
 * — a low-rank summary of taste against direct movie-to-movie evidence — and their errors only
 * partly overlap, so a blend ranks better than either.
 *
 * The blend puts both on one scale per person: each score vector is divided by its standard
 * deviation over the catalogue, then mixed as (1 − w)·factor + w·neighbour. Dividing by the
 * spread (rather than the max) keeps one outlier from flattening a whole list; the means need no
 * correction because adding a constant to every movie's score changes no ranking.
 */
export interface Recommender {
  readonly ranking: AlsModel;
  readonly neighbours: NeighbourModel | null;
  /** w: the neighbour model's share of the blend, in [0, 1]. */
  readonly blend: number;
  /** Ratings per dense item of `ranking` (the ranking policy's support filter). */
  readonly support: ArrayLike<number>;
  readonly policy: RankingPolicy;
  /** α₀·YᵀY-ready Gram of the item factors for fold-in, computed once. */
  readonly foldIn: FoldInOptions;
  /** Neighbour index → dense item index of `ranking` (−1 if the factor model lacks the movie). */
  readonly neighbourItem: Int32Array;
  readonly neighbourIds: IdMap | null;
}

export function prepareRecommender(parts: {
  ranking: AlsModel;
  neighbours: NeighbourModel | null;
  blend: number;
  support: ArrayLike<number>;
  policy: RankingPolicy;
}): Recommender {
  const { ranking, neighbours } = parts;
  if (!(parts.blend >= 0 && parts.blend <= 1)) {
    throw new RangeError(`blend must be in [0, 1], got ${parts.blend}`);
  }
  const neighbourItem = neighbours
    ? Int32Array.from(neighbours.movieIds, (movieId) => ranking.itemIds.indexOf(movieId))
    : new Int32Array(0);
  return {
    ...parts,
    foldIn: ranking.options.implicit
      ? { gram: computeGram(ranking.itemFactors, ranking.rank) }
      : {},
    neighbourItem,
    neighbourIds: neighbours ? IdMap.fromSortedUnique(neighbours.movieIds) : null,
  };
}

export interface Profile {
  /**
   * `timestamp`: when the rating was made (any unit that orders them, e.g. seconds since 1970);
   * given on every rating, the fold-in trusts the recent ones more (`FOLD_IN_RECENCY`).
   */
  readonly ratings: readonly { movieId: number; rating: number; timestamp?: number }[];
  /** Count as a top rating. */
  readonly favourites?: readonly number[];
  /** A negative signal in the fold-in (dislikes.ts); wins over a rating of the same movie. */
  readonly dislikes?: readonly number[];
}

export interface ListRequest {
  readonly n: number;
  /** Dense item indices never to return (what the person rated), any order. */
  readonly exclude?: ReadonlySet<number>;
  /** Per dense item index, 1 = allowed (a genre filter); absent means every item. */
  readonly allowed?: Uint8Array;
}

export interface RecommendedList {
  readonly items: ScoredMovie[];
  /** Profile movies the model knows (0: nothing to go on, the list is empty). */
  readonly used: number;
  /** The folded-in vector (absent when `used` is 0): what cold movies are scored with. */
  readonly user?: UserVector;
}

/**
 * Profile ratings with favourites as top ratings and dislikes as negative values; a later entry
 * for the same movie wins.
 */
export function profileRatings(
  recommender: Recommender,
  profile: Profile,
): { movieId: number; rating: number }[] {
  const top = recommender.ranking.options.ratingMax;
  const byMovie = new Map<number, number>();
  for (const { movieId, rating } of profile.ratings) byMovie.set(movieId, rating);
  for (const movieId of profile.favourites ?? []) byMovie.set(movieId, top);
  for (const d of dislikeRatings(recommender.ranking, profile.dislikes)) {
    byMovie.set(d.movieId, d.rating);
  }
  return [...byMovie].map(([movieId, rating]) => ({ movieId, rating }));
}

/**
 * How a person's stars enter the fold-in of an implicit ranking model (issue 23): a rating below
 * `missBelow` is a miss for the factor model — preference 0, the value a dislike has (the movie
 * was seen and not liked) — and the neighbour model sums the rows of B of the ratings at or above
 * `neighbourFrom` only (x = 1 at 3.5 stars, 1 + boost at ≥ 4). A profile with no rating at or
 * above `neighbourFrom` folds in every rating as a positive, as before. Chosen on validation users
 * of both orders (ml-latest-small and its ml-100k, ml-1m and 2008-on shapes, split seeds 0–2):
 * time-ordered NDCG@10 0.1260 → 0.1322, the random order within a standard error (docs/
 * benchmarks.md, "Why the time order trails"). Every given movie stays excluded from the list.
 */
export const FOLD_IN_STARS = { missBelow: 3, neighbourFrom: 3.5 } as const;

/**
 * How much more the fold-in of an implicit ranking model trusts a person's recent ratings (issue
 * 23): with a timestamp on every rating, the k-th most recent (k = 0 the latest; ties: the larger
 * movie id is the later) weighs w = 1 + gamma·exp(−k/tau), which multiplies its confidence in the
 * factor fold-in and its x in the neighbour part (3 for the latest, 1.74 for the 3rd, 1.04 for
 * the 15th). Nothing is dropped. Chosen on validation users of both orders (four shapes, split
 * seeds 0–2; docs/benchmarks.md, "Soft recency weight in the fold-in"): time-ordered NDCG@10
 * 0.1322 → 0.1389. Without timestamps (or with one missing) every weight is 1: a list's order
 * says nothing reliable about when its ratings were made.
 */
export const FOLD_IN_RECENCY = { gamma: 2, tau: 5 } as const;

/** movieId → w of `FOLD_IN_RECENCY` for the profile's ratings; empty without timestamps. */
export function recencyWeights(
  ratings: readonly { movieId: number; timestamp?: number }[],
): Map<number, number> {
  const weights = new Map<number, number>();
  if (ratings.length === 0 || !ratings.every((r) => Number.isFinite(r.timestamp))) return weights;
  const { gamma, tau } = FOLD_IN_RECENCY;
  const latestFirst = [...ratings].sort(
    (a, b) => b.timestamp! - a.timestamp! || b.movieId - a.movieId,
  );
  latestFirst.forEach((r, k) => {
    if (!weights.has(r.movieId)) weights.set(r.movieId, 1 + gamma * Math.exp(-k / tau));
  });
  return weights;
}

/** A rating as a half of the blend folds it in; `weight` (default 1) from `FOLD_IN_RECENCY`. */
export type FoldInRating = { movieId: number; rating: number; weight?: number };

/** What each half of the blend folds in from a profile: the factor model's and the neighbours'. */
export interface FoldInRatings {
  readonly factor: FoldInRating[];
  readonly neighbour: FoldInRating[];
}

/**
 * `profileRatings` split for the two halves by `FOLD_IN_STARS`, each rating weighted by
 * `FOLD_IN_RECENCY` when the profile's ratings carry timestamps. Dislikes (negative values) and
 * favourites (top ratings) go to both halves at weight 1; an explicit (version-1) ranking model,
 * which folds in stars as stars, gets every rating in both, unweighted.
 */
export function foldInRatings(recommender: Recommender, profile: Profile): FoldInRatings {
  const ratings = profileRatings(recommender, profile);
  const { missBelow, neighbourFrom } = FOLD_IN_STARS;
  if (!recommender.ranking.options.implicit) return { factor: ratings, neighbour: ratings };
  const weights = recencyWeights(profile.ratings);
  // Only a movie whose value is still its rating (no favourite or dislike over it) is weighted.
  const stars = new Map(profile.ratings.map((r) => [r.movieId, r.rating]));
  const weigh = (r: FoldInRating, from: { movieId: number; rating: number }): FoldInRating => {
    const w = weights.get(r.movieId);
    return w === undefined || stars.get(r.movieId) !== from.rating ? r : { ...r, weight: w };
  };
  if (!ratings.some((r) => r.rating >= neighbourFrom)) {
    const weighted = ratings.map((r) => weigh(r, r));
    return { factor: weighted, neighbour: weighted };
  }
  const factor = ratings.map((r) =>
    weigh(
      r.rating >= 0 && r.rating < missBelow ? { movieId: r.movieId, rating: -DISLIKE_STRENGTH } : r,
      r,
    ),
  );
  const neighbour = ratings
    .filter((r) => r.rating < 0 || r.rating >= neighbourFrom)
    .map((r) => weigh(r, r));
  return { factor, neighbour };
}

/**
 * A list for someone the model has never seen (`POST /recommendations`, a user who rated after
 * training, the held-out users of `recsys evaluate --protocol users`): fold their ratings into
 * the factor model (one user half-step against the fixed item factors), score the neighbour
 * model from their ratings, each half as `foldInRatings` says, blend, rank.
 */
export function recommendForProfile(
  recommender: Recommender,
  profile: Profile,
  request: ListRequest,
): RecommendedList {
  const query = foldInQuery(recommender, profile, request);
  if (query === null) return { items: [], used: 0 };
  const { user, ratings } = query;
  return { items: recommendForVector(recommender, user, ratings, request), used: user.used, user };
}

/**
 * The fold-in half of `recommendForProfile`: the person's folded-in vector and the ratings the
 * neighbour part sums, as one list to make (null when none of their movies is in the model).
 * Training's top-N batches these for users a run folds in instead of solving.
 */
export function foldInQuery(
  recommender: Recommender,
  profile: Profile,
  request: ListRequest,
): (ListQuery & { user: UserVector & { used: number } }) | null {
  const { factor, neighbour } = foldInRatings(recommender, profile);
  const user = foldInUser(recommender.ranking, { ratings: factor }, recommender.foldIn);
  return user.used > 0 ? { user, ratings: neighbour, request } : null;
}

/** The blended list for a user vector (trained or folded in) and the ratings behind it. */
export function recommendForVector(
  recommender: Recommender,
  user: UserVector,
  ratings: readonly { movieId: number; rating: number }[],
  request: ListRequest,
): ScoredMovie[] {
  return recommendForVectors(recommender, [{ user, ratings, request }])[0]!;
}

/** One list to make: a user vector, the ratings behind it (the neighbour model's input), the ask. */
export interface ListQuery {
  readonly user: UserVector;
  /** The neighbour part's input; a rating's `weight` (default 1) multiplies its x. */
  readonly ratings: readonly { movieId: number; rating: number; weight?: number }[];
  readonly request: ListRequest;
  /** x of a rating in the neighbour part (default the model's `ratingWeight`; 0 leaves it out). */
  readonly neighbourX?: (rating: number) => number;
}

/**
 * The stars the explicit model predicts for `movieIds` given a user vector in its own space (a
 * trained user's, or one folded in from their ratings): clamp(μ + b_u + b_i + x·y). A movie the
 * model never saw gets μ + b_u. This is the "predicted rating" shown beside a recommendation; it
 * never changes the order of a list, which the ranking model decides.
 */
export function predictedStars(
  rating: AlsModel,
  user: UserVector,
  movieIds: readonly number[],
): number[] {
  const { rank, itemFactors, itemBias, globalMean, options } = rating;
  return movieIds.map((movieId) => {
    const i = rating.itemIds.indexOf(movieId);
    let s = globalMean + user.bias;
    if (i >= 0) {
      if (itemBias) s += itemBias[i]!;
      for (let k = 0; k < rank; k++) s += user.vector[k]! * itemFactors[i * rank + k]!;
    }
    return Math.min(options.ratingMax, Math.max(options.ratingMin, s));
  });
}

/** The explicit model's vector for a person: trained if it knows them, else folded in. */
export function ratingUser(
  rating: AlsModel,
  userId: number | null,
  ratings: readonly { movieId: number; rating: number }[],
): UserVector | null {
  const known = userId === null ? null : userVector(rating, userId);
  if (known) return known;
  const folded = foldInUser(rating, { ratings });
  return folded.used > 0 ? folded : null;
}
