import type { AlsModel } from '../als/index.ts';
import { BinaryReader, BinaryWriter } from '../matrix/binary.ts';
import { choleskyInPlace } from '../neighbours/dense-cholesky.ts';

/**
 * Item vectors from content, for movies the ranking model cannot place from ratings (cold start).
 *
 * A movie's content — genres, release year, tags — becomes a feature vector f (a few hundred
 * dimensions, most zero), and a ridge regression W maps it into the ranking model's factor space:
 *
 *     W = argmin Σ_i ‖y_i − Wᵀf_i‖² + λ‖W‖²  =  (FᵀF + λI)⁻¹ FᵀY
 *
 * fitted on the movies the model knows well (≥ `minRatings` ratings), y_i their item factors.
 * A new movie gets ŷ = Wᵀf: the factors of well-rated movies with the same content, averaged by
 * least squares, so a person's score x·ŷ says how much they like movies of that kind, and its
 * cosine with other movies' factors gives similar movies. The intercept is penalized 1,000 times
 * less than the rest, so a movie with no features gets (nearly) the mean item vector.
 */
export interface ContentFeatureSpace {
  /** Genre names, sorted; one feature each, 1/√(genres of the movie). */
  readonly genres: readonly string[];
  /**
   * Release-year bins by their first year, ascending: a movie falls in the last bin whose start
   * is ≤ its year (years before the first bin fall in the first). One feature each; a movie
   * without a year has none.
   */
  readonly yearBins: readonly number[];
  /** Tag vocabulary (lower case, sorted); one feature each, 1/√(known tags of the movie). */
  readonly tags: readonly string[];
}

export interface MovieContent {
  readonly genres: readonly string[];
  readonly year: number | null;
  readonly tags: readonly string[];
}

export interface ContentSettings {
  /** λ of the ridge regression. */
  readonly reg: number;
  /** Movies with fewer ratings than this do not take part in the fit (their factors are noise). */
  readonly minRatings: number;
  /** A tag joins the vocabulary when at least this many fitting movies carry it… */
  readonly minTagMovies: number;
  /** …up to this many tags, most common first. */
  readonly maxTags: number;
  /**
   * Serving: a movie the ranking model has with 0 < n < `coldRatings` ratings is a cold item too;
   * its vector mixes its own factors and the content's: ownWeight·y + (1 − ownWeight)·ŷ.
   */
  readonly coldRatings: number;
  readonly ownWeight: number;
}

/** Chosen on ml-latest-small's cold-item split (docs/benchmarks.md, `scripts/bench/cold-items.ts`). */
export const DEFAULT_CONTENT_SETTINGS: ContentSettings = {
  reg: 3,
  minRatings: 3,
  minTagMovies: 3,
  maxTags: 300,
  coldRatings: 10,
  ownWeight: 0.5,
};

export interface ContentModel {
  readonly settings: ContentSettings;
  readonly space: ContentFeatureSpace;
  /** The ranking model's rank. */
  readonly rank: number;
  /** d × rank row-major, d = featureCount(space); row 0 is the intercept. */
  readonly weights: Float32Array;
  /** Movies the regression was fitted on. */
  readonly fittedOn: number;
}

/** Decades from the 1930s to the 2010s, then the 2020s: 11 bins (earlier years share the first). */
export const YEAR_BINS: readonly number[] = [
  0, 1930, 1940, 1950, 1960, 1970, 1980, 1990, 2000, 2010, 2020,
];

export function featureCount(space: ContentFeatureSpace): number {
  return 1 + space.genres.length + space.yearBins.length + space.tags.length;
}

/** Lower case, trimmed, inner whitespace collapsed: how tags are compared. */
export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/\s+/g, ' ');
}

/**
 * The feature space of a set of movies (the well-rated ones the regression is fitted on): every
 * genre they use, the fixed year bins, and the tags at least `minTagMovies` of them carry.
 */
export function buildFeatureSpace(
  movies: Iterable<MovieContent>,
  settings: Pick<ContentSettings, 'minTagMovies' | 'maxTags'>,
): ContentFeatureSpace {
  const genres = new Set<string>();
  const tagMovies = new Map<string, number>();
  for (const movie of movies) {
    for (const genre of movie.genres) genres.add(genre);
    for (const tag of new Set(movie.tags.map(normalizeTag))) {
      if (tag !== '') tagMovies.set(tag, (tagMovies.get(tag) ?? 0) + 1);
    }
  }
  const tags = [...tagMovies]
    .filter(([, count]) => count >= settings.minTagMovies)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, settings.maxTags)
    .map(([tag]) => tag)
    .sort();
  return { genres: [...genres].sort(), yearBins: YEAR_BINS, tags };
}

/** Index lookups of a feature space, built once per model. */
export class FeatureEncoder {
  readonly size: number;
  private readonly genre: Map<string, number>;
  private readonly tag: Map<string, number>;
  private readonly yearOffset: number;

  constructor(readonly space: ContentFeatureSpace) {
    this.size = featureCount(space);
    this.genre = new Map(space.genres.map((g, k) => [g, 1 + k]));
    this.yearOffset = 1 + space.genres.length;
    const tagOffset = this.yearOffset + space.yearBins.length;
    this.tag = new Map(space.tags.map((t, k) => [t, tagOffset + k]));
  }

  /** Sparse features of a movie: indices ascending, values beside them. Index 0 (intercept) first. */
  encode(movie: MovieContent): { index: number[]; value: number[] } {
    const genres = [...new Set(movie.genres)]
      .map((g) => this.genre.get(g))
      .filter((k): k is number => k !== undefined);
    const tags = [...new Set(movie.tags.map(normalizeTag))]
      .map((t) => this.tag.get(t))
      .filter((k): k is number => k !== undefined);
    const index = [0];
    const value = [1];
    const g = genres.length > 0 ? 1 / Math.sqrt(genres.length) : 0;
    for (const k of genres.sort((a, b) => a - b)) {
      index.push(k);
      value.push(g);
    }
    if (movie.year !== null && Number.isFinite(movie.year)) {
      const bins = this.space.yearBins;
      let bin = 0;
      while (bin + 1 < bins.length && bins[bin + 1]! <= movie.year) bin++;
      index.push(this.yearOffset + bin);
      value.push(1);
    }
    const t = tags.length > 0 ? 1 / Math.sqrt(tags.length) : 0;
    for (const k of tags.sort((a, b) => a - b)) {
      index.push(k);
      value.push(t);
    }
    return { index, value };
  }
}

/** Penalty of the intercept relative to λ: barely shrunk, so it carries the mean item vector. */
const INTERCEPT_PENALTY = 1e-3;

/**
 * Fits W on the movies given (their content and factors, `rank` values each, row-major). The
 * caller picks which movies take part (`selectFitMovies`); the space comes from the same movies.
 * Cost: n·nnz(f)² for FᵀF, d³/3 for the Cholesky (d ≈ 350: milliseconds), d²·rank to solve.
 */
export function fitContentModel(
  movies: readonly MovieContent[],
  factors: Float32Array | Float64Array,
  rank: number,
  settings: ContentSettings = DEFAULT_CONTENT_SETTINGS,
): ContentModel {
  if (factors.length !== movies.length * rank) {
    throw new RangeError(`factors hold ${factors.length} values, need ${movies.length * rank}`);
  }
  if (!(settings.reg > 0)) throw new RangeError(`reg must be positive, got ${settings.reg}`);
  const space = buildFeatureSpace(movies, settings);
  const encoder = new FeatureEncoder(space);
  const d = encoder.size;
  const gram = new Float64Array(d * d);
  const rhs = new Float64Array(d * rank);
  for (let m = 0; m < movies.length; m++) {
    const { index, value } = encoder.encode(movies[m]!);
    const off = m * rank;
    for (let a = 0; a < index.length; a++) {
      const ia = index[a]!;
      const va = value[a]!;
      // Lower triangle only (choleskyInPlace reads it).
      for (let b = 0; b <= a; b++) gram[ia * d + index[b]!]! += va * value[b]!;
      const row = ia * rank;
      for (let k = 0; k < rank; k++) rhs[row + k]! += va * factors[off + k]!;
    }
  }
  for (let i = 0; i < d; i++)
    gram[i * d + i]! += i === 0 ? settings.reg * INTERCEPT_PENALTY : settings.reg;
  choleskyInPlace(gram, d);
  solveCholeskyColumns(gram, d, rhs, rank);
  return { settings, space, rank, weights: Float32Array.from(rhs), fittedOn: movies.length };
}

/** Fewer fitting movies than this and a run publishes no content model (nothing to learn from). */
export const MIN_FIT_MOVIES = 20;

/**
 * The regression for a ranking model, as training fits it: the model's movies with at least
 * `settings.minRatings` ratings (`support`, per dense item) whose content is known (`contentOf`
 * undefined: not in the catalogue). Null when fewer than {@link MIN_FIT_MOVIES} qualify.
 */
export function fitContentForRanking(
  ranking: AlsModel,
  support: ArrayLike<number>,
  contentOf: (movieId: number) => MovieContent | undefined,
  settings: ContentSettings = DEFAULT_CONTENT_SETTINGS,
): ContentModel | null {
  const { rank, itemFactors, itemIds } = ranking;
  const movies: MovieContent[] = [];
  const rows: number[] = [];
  for (let i = 0; i < itemIds.size; i++) {
    if ((support[i] ?? 0) < settings.minRatings) continue;
    const content = contentOf(itemIds.ids[i]!);
    if (!content) continue;
    movies.push(content);
    rows.push(i);
  }
  if (movies.length < MIN_FIT_MOVIES) return null;
  const factors = new Float32Array(rows.length * rank);
  rows.forEach((i, m) => factors.set(itemFactors.subarray(i * rank, (i + 1) * rank), m * rank));
  return fitContentModel(movies, factors, rank, settings);
}

/** Solves L Lᵀ X = B in place for the `columns` columns of B (d × columns, row-major). */
function solveCholeskyColumns(L: Float64Array, d: number, B: Float64Array, columns: number): void {
  // Forward: L Z = B.
  for (let i = 0; i < d; i++) {
    const li = i * d;
    const bi = i * columns;
    for (let j = 0; j < i; j++) {
      const l = L[li + j]!;
      if (l === 0) continue;
      const bj = j * columns;
      for (let k = 0; k < columns; k++) B[bi + k]! -= l * B[bj + k]!;
    }
    const diag = L[li + i]!;
    for (let k = 0; k < columns; k++) B[bi + k]! /= diag;
  }
  // Backward: Lᵀ X = Z.
  for (let i = d - 1; i >= 0; i--) {
    const bi = i * columns;
    for (let j = i + 1; j < d; j++) {
      const l = L[j * d + i]!;
      if (l === 0) continue;
      const bj = j * columns;
      for (let k = 0; k < columns; k++) B[bi + k]! -= l * B[bj + k]!;
    }
    const diag = L[i * d + i]!;
    for (let k = 0; k < columns; k++) B[bi + k]! /= diag;
  }
}

/** ŷ = Wᵀf for one movie, into `out` (length rank) or a new array. */
export function contentVector(
  model: ContentModel,
  encoder: FeatureEncoder,
  movie: MovieContent,
  out: Float32Array = new Float32Array(model.rank),
): Float32Array {
  const { rank, weights } = model;
  const { index, value } = encoder.encode(movie);
  out.fill(0);
  for (let a = 0; a < index.length; a++) {
    const row = index[a]! * rank;
    const v = value[a]!;
    for (let k = 0; k < rank; k++) out[k]! += v * weights[row + k]!;
  }
  return out;
}

/**
 * The vector serving uses for a cold item: ŷ alone for a movie the model lacks (`own` null),
 * else ownWeight·y + (1 − ownWeight)·ŷ.
 */
export function coldItemVector(
  predicted: Float32Array,
  own: ArrayLike<number> | null,
  ownWeight: number,
): Float32Array {
  if (own === null) return predicted;
  const out = new Float32Array(predicted.length);
  for (let k = 0; k < out.length; k++)
    out[k] = ownWeight * own[k]! + (1 - ownWeight) * predicted[k]!;
  return out;
}

const MAGIC = 'RSCONTM1';
const VERSION = 1;

export function encodeContentModel(model: ContentModel): Uint8Array {
  return new BinaryWriter(MAGIC, VERSION)
    .string(
      JSON.stringify({
        settings: model.settings,
        space: model.space,
        rank: model.rank,
        fittedOn: model.fittedOn,
      }),
    )
    .array(model.weights)
    .finish();
}

export function decodeContentModel(bytes: Uint8Array): ContentModel {
  const reader = new BinaryReader(bytes, MAGIC, [VERSION]);
  const meta = JSON.parse(reader.string()) as Omit<ContentModel, 'weights'>;
  const weights = reader.f32Array();
  if (weights.length !== featureCount(meta.space) * meta.rank) {
    throw new Error('corrupt content model: weights do not match the feature space');
  }
  return { ...meta, weights };
}
