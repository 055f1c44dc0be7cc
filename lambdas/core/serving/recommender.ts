import {
  computeGram,
  foldInUser,
  TopNHeap,
  userVector,
  type AlsModel,
  type FoldInOptions,
  type ScoredMovie,
  type UserVector,
} from '../als/index.ts';
import { IdMap } from '../matrix/id-map.ts';
import { neighbourScores, type NeighbourModel } from '../neighbours/model.ts';
import { dislikeRatings } from './dislikes.ts';
import type { RankingPolicy } from './ranking.ts';
import { drainScored } from './scored-list.ts';

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
  readonly ratings: readonly { movieId: number; rating: number }[];
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
 * A list for someone the model has never seen (`POST /recommendations`, a user who rated after
 * training, the held-out users of `recsys evaluate --protocol users`): fold their ratings into
 * the factor model (one user half-step against the fixed item factors), score the neighbour
 * model from the same ratings, blend, rank.
 */
export function recommendForProfile(
  recommender: Recommender,
  profile: Profile,
  request: ListRequest,
): RecommendedList {
  const ratings = profileRatings(recommender, profile);
  const user = foldInUser(recommender.ranking, { ratings }, recommender.foldIn);
  if (user.used === 0) return { items: [], used: 0 };
  return {
    items: recommendForVector(recommender, user, ratings, request),
    used: user.used,
    user,
  };
}

/** The blended list for a user vector (trained or folded in) and the ratings behind it. */
export function recommendForVector(
  recommender: Recommender,
  user: UserVector,
  ratings: readonly { movieId: number; rating: number }[],
  request: ListRequest,
): ScoredMovie[] {
  const scores = blendedScores(recommender, user, ratings);
  return topByScore(recommender, scores, request);
}

const scratch = { neighbour: new Float64Array(0) };

/** (1 − w)·factor/σ + w·neighbour/σ for every dense item of the ranking model. */
export function blendedScores(
  recommender: Recommender,
  user: UserVector,
  ratings: readonly { movieId: number; rating: number }[],
): Float64Array {
  const { ranking, neighbours, blend } = recommender;
  const { rank, itemFactors, itemBias } = ranking;
  const itemCount = ranking.itemIds.size;
  const scores = new Float64Array(itemCount);
  const x = user.vector;
  // An explicit ranking model (a version-1 model published before bundles) scores predicted
  // stars, item bias included, exactly as `rankForVector` did; implicit scores are x·y alone.
  const useBias = !ranking.options.implicit && ranking.options.biases && itemBias !== undefined;
  const base = useBias ? ranking.globalMean + user.bias : 0;
  for (let i = 0; i < itemCount; i++) {
    const off = i * rank;
    let s = 0;
    for (let k = 0; k < rank; k++) s += x[k]! * itemFactors[off + k]!;
    scores[i] = useBias ? base + itemBias[i]! + s : s;
  }
  if (!neighbours || blend === 0) return scores;
  const M = neighbours.movieIds.length;
  if (scratch.neighbour.length < M) scratch.neighbour = new Float64Array(M);
  const near = scratch.neighbour;
  if (neighbourScores(neighbours, recommender.neighbourIds!, ratings, near) === 0) return scores;
  const factorScale = spread(scores, itemCount, 0);
  const neighbourScale = spread(near, M, itemCount - M);
  const wf = factorScale > 0 ? (1 - blend) / factorScale : 0;
  const wn = neighbourScale > 0 ? blend / neighbourScale : 0;
  for (let i = 0; i < itemCount; i++) scores[i]! *= wf;
  const target = recommender.neighbourItem;
  for (let n = 0; n < M; n++) {
    const i = target[n]!;
    if (i >= 0) scores[i]! += wn * near[n]!;
  }
  return scores;
}

/** Standard deviation of values[0..count) together with `zeros` more zeros. */
function spread(values: Float64Array, count: number, zeros: number): number {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < count; i++) {
    sum += values[i]!;
    squares += values[i]! * values[i]!;
  }
  const n = count + Math.max(0, zeros);
  if (n === 0) return 0;
  const mean = sum / n;
  return Math.sqrt(Math.max(0, squares / n - mean * mean));
}

/** Best `n` by score under the policy's support filter, the request's exclusions and mask. */
export function topByScore(
  recommender: Recommender,
  scores: Float64Array,
  request: ListRequest,
): ScoredMovie[] {
  const { ranking, support, policy } = recommender;
  const heap = new TopNHeap(request.n);
  for (let i = 0; i < scores.length; i++) {
    const count = support[i] ?? 0;
    if (count < policy.minRatings) continue;
    if (request.allowed && request.allowed[i] !== 1) continue;
    if (request.exclude?.has(i)) continue;
    heap.offer(i, scores[i]! + policy.popularityWeight * Math.log1p(count));
  }
  return drainScored(heap, (i) => ranking.itemIds.ids[i]!);
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
