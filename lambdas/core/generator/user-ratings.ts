import { MAX_RATING, MIN_RATING } from '../formats/ratings-format.ts';
import { TAG_WORDS } from './catalogue.ts';
import type { GeneratorParams } from './params.ts';
import { factorComponentSd, type PlantedMovies } from './planted-movies.ts';
import type { PopularitySampler } from './popularity.ts';
import { Rng, STREAM } from './random.ts';

/** One user's ratings in time order, in buffers reused from user to user (no allocation per row). */
export interface UserRatings {
  userId: number;
  count: number;
  movieIds: Int32Array;
  ratings: Float32Array;
  timestamps: Float64Array;
  tags: { movieId: number; tag: string; timestamp: number }[];
}

/** ml-25m's time span: 1995-01-09 to 2019-11-21. */
const FIRST_TIMESTAMP = 789_652_009;
const LAST_TIMESTAMP = 1_574_327_703;
// Users rate in sessions: seconds apart within one, days between them.
const WITHIN_SESSION_GAP_S = 30;
const BETWEEN_SESSIONS_GAP_S = 7 * 86_400;
const NEW_SESSION_PROBABILITY = 0.05;
const MEAN_GAP_S =
  (1 - NEW_SESSION_PROBABILITY) * WITHIN_SESSION_GAP_S +
  NEW_SESSION_PROBABILITY * BETWEEN_SESSIONS_GAP_S;
/** ml-25m has ~1.1M tags for 25M ratings. */
const TAG_PROBABILITY = 0.04;
/**
 * Above this share of the catalogue, drawing with rejection of repeats slows down (the popular
 * movies are taken), so heavy users get exact weighted sampling without replacement instead.
 */
const REJECTION_LIMIT = 1 / 8;

/**
 * Generates users one at a time: which movies (by popularity, no repeats), the ratings from the planted
 * model, increasing timestamps, and a few tags. Memory is O(movies × rank), independent of ratings.
 */
export class UserRatingsGenerator {
  private readonly buffer: UserRatings;
  /** seenBy[m] === userId marks movie m as already drawn for the current user (never cleared). */
  private readonly seenBy: Int32Array;
  private readonly userVector: Float64Array;
  private readonly componentSd: number;
  private oracleSquaredError = 0;
  private rows = 0;

  constructor(
    private readonly params: GeneratorParams,
    private readonly movies: PlantedMovies,
    private readonly popularity: PopularitySampler,
  ) {
    const maxCount = params.movies;
    this.buffer = {
      userId: 0,
      count: 0,
      movieIds: new Int32Array(maxCount),
      ratings: new Float32Array(maxCount),
      timestamps: new Float64Array(maxCount),
      tags: [],
    };
    this.seenBy = new Int32Array(params.movies);
    this.userVector = new Float64Array(params.rank);
    this.componentSd = factorComponentSd(params);
  }

  /**
   * RMSE of the best prediction the planted model allows, clamp(mean + biases + u·v), over all rows
   * generated so far: the noise floor that a perfect recovery would reach.
   */
  get oracleRmse(): number {
    return Math.sqrt(this.oracleSquaredError / Math.max(1, this.rows));
  }

  /** Fills and returns the shared buffer for `userIndex` (0-based; the userId is userIndex + 1). */
  generate(userIndex: number, count: number): UserRatings {
    const { params, movies, buffer } = this;
    const { rank, model, noiseSd } = params;
    const userId = userIndex + 1;
    const rng = Rng.for(params.seed, STREAM.userRatings, userId);
    const userBias = model.userBiasSd * rng.normal();
    for (let k = 0; k < rank; k++) this.userVector[k] = this.componentSd * rng.normal();
    const picks = this.pickMovies(userId, count, rng);

    // Users join over the whole span (ids in join order, as in MovieLens); heavy users' gaps shrink
    // so that their history still ends near the data set's last day.
    const start =
      FIRST_TIMESTAMP +
      ((LAST_TIMESTAMP - FIRST_TIMESTAMP) * (userIndex + rng.next())) / params.users;
    const timeScale = Math.min(1, (LAST_TIMESTAMP - start) / (count * MEAN_GAP_S * 1.2));
    let timestamp = Math.floor(start);
    buffer.userId = userId;
    buffer.count = count;
    buffer.tags.length = 0;
    for (let i = 0; i < count; i++) {
      const m = picks[i]!;
      let score = model.mean + userBias + movies.bias[m]!;
      for (let k = 0, offset = m * rank; k < rank; k++) {
        score += this.userVector[k]! * movies.factors[offset + k]!;
      }
      const rating = clamp(Math.round(2 * (score + noiseSd * rng.normal())) / 2);
      const oracleError = rating - clamp(score);
      this.oracleSquaredError += oracleError * oracleError;
      const gapMean =
        rng.next() < NEW_SESSION_PROBABILITY ? BETWEEN_SESSIONS_GAP_S : WITHIN_SESSION_GAP_S;
      timestamp += 1 + Math.floor(timeScale * rng.exponential(gapMean));
      buffer.movieIds[i] = movies.ids[m]!;
      buffer.ratings[i] = rating;
      buffer.timestamps[i] = timestamp;
      if (rng.next() < TAG_PROBABILITY) {
        buffer.tags.push({
          movieId: movies.ids[m]!,
          tag: rng.pick(TAG_WORDS),
          timestamp: timestamp + 1 + rng.int(600),
        });
      }
    }
    this.rows += count;
    return buffer;
  }

  /** Distinct movie indices in the order the user rates them. */
  private pickMovies(userId: number, count: number, rng: Rng): ArrayLike<number> {
    const picks = this.buffer.movieIds; // reused as scratch; overwritten with ids by the caller
    if (count <= this.params.movies * REJECTION_LIMIT) {
      const seenBy = this.seenBy;
      for (let i = 0; i < count;) {
        const m = this.popularity.sample(rng);
        if (seenBy[m] === userId) continue;
        seenBy[m] = userId;
        picks[i++] = m;
      }
      return picks;
    }
    return weightedSampleWithoutReplacement(this.popularity.weightByMovie, count, rng);
  }
}

/**
 * Efraimidis–Spirakis: the `count` smallest keys -ln(U)/weight, in key order, are distributed exactly
 * like drawing one by one by weight and rejecting repeats — the same law as the rejection path.
 */
function weightedSampleWithoutReplacement(
  weights: Float64Array,
  count: number,
  rng: Rng,
): Int32Array {
  const keys = new Float64Array(weights.length);
  for (let m = 0; m < weights.length; m++) keys[m] = -Math.log(1 - rng.next()) / weights[m]!;
  const threshold = keys.slice().sort()[count - 1]!;
  const chosen: number[] = [];
  for (let m = 0; m < weights.length && chosen.length < count; m++)
    if (keys[m]! <= threshold) chosen.push(m);
  chosen.sort((a, b) => keys[a]! - keys[b]!);
  return Int32Array.from(chosen);
}

function clamp(value: number): number {
  return value < MIN_RATING ? MIN_RATING : value > MAX_RATING ? MAX_RATING : value;
}
