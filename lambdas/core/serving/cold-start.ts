import { itemScorerFor, TopNHeap, type AlsModel, type ScoredMovie } from '../als/index.ts';
import { nearestByCosine, type SimilarOptions } from './neighbours.ts';
import { drainScored } from './scored-list.ts';
import {
  coldItemVector,
  contentVector,
  FeatureEncoder,
  type ContentModel,
} from '../content/content-model.ts';

/**
 * Cold start for movies: the catalogue's movies the ranking model lacks (added after training, or
 * never rated) or has fewer than `coldRatings` ratings for get a vector in its factor space from
 * their content (the bundle's content model), so they can be recommended — in a share of every
 * personal list's slots — and have similar movies. Where the model has a few ratings of the movie,
 * its own factors and the content's are mixed (`ownWeight`); see docs/benchmarks.md for why.
 */
export interface ColdItems {
  readonly rank: number;
  /** Cold movies, ascending. */
  readonly movieIds: Int32Array;
  /** movieIds.length × rank, row-major. */
  readonly vectors: Float32Array;
  readonly norms: Float32Array;
  /** Ratings the ranking model has of each (0: it lacks the movie). */
  readonly ratings: Int32Array;
  indexOf(movieId: number): number;
}

export interface ContentOfMovie {
  readonly movieId: number;
  readonly genres: readonly string[];
  readonly year: number | null;
  readonly topTags: readonly string[];
}

/**
 * The cold items of a catalogue for a bundle. `support` is the ranking model's rating count per
 * dense item; with `hasCounts` false (a catalogue without ingestion's counts) only movies the model
 * lacks are cold, as every known movie would look unrated otherwise.
 */
export function buildColdItems(
  ranking: AlsModel,
  support: ArrayLike<number>,
  content: ContentModel,
  movies: Iterable<ContentOfMovie>,
  hasCounts = true,
): ColdItems {
  const { rank } = ranking;
  if (content.rank !== rank) {
    throw new RangeError(`content model rank ${content.rank} ≠ ranking rank ${rank}`);
  }
  const encoder = new FeatureEncoder(content.space);
  const { coldRatings, ownWeight } = content.settings;
  const chosen: { movieId: number; vector: Float32Array; ratings: number }[] = [];
  for (const movie of movies) {
    const i = ranking.itemIds.indexOf(movie.movieId);
    const ratings = i < 0 ? 0 : (support[i] ?? 0);
    if (i >= 0 && (!hasCounts || ratings >= coldRatings)) continue;
    const predicted = contentVector(content, encoder, {
      genres: movie.genres,
      year: movie.year,
      tags: movie.topTags,
    });
    const own = i < 0 ? null : ranking.itemFactors.subarray(i * rank, (i + 1) * rank);
    chosen.push({
      movieId: movie.movieId,
      vector: coldItemVector(predicted, own, ownWeight),
      ratings,
    });
  }
  chosen.sort((a, b) => a.movieId - b.movieId);
  const vectors = new Float32Array(chosen.length * rank);
  const norms = new Float32Array(chosen.length);
  chosen.forEach(({ vector }, c) => {
    vectors.set(vector, c * rank);
    let s = 0;
    for (let k = 0; k < rank; k++) s += vector[k]! * vector[k]!;
    norms[c] = Math.sqrt(s);
  });
  const movieIds = Int32Array.from(chosen, (c) => c.movieId);
  const position = new Map<number, number>();
  movieIds.forEach((id, c) => position.set(id, c));
  return {
    rank,
    movieIds,
    vectors,
    norms,
    ratings: Int32Array.from(chosen, (c) => c.ratings),
    indexOf: (movieId) => position.get(movieId) ?? -1,
  };
}

/**
 * The cold movies a person's vector scores highest (x·ŷ), among those `accept` lets through: the
 * dot products from the scoring kernel of every list (item-scorer.ts), `accept` asked only of
 * movies good enough to enter the list.
 */
export function coldCandidates(
  cold: ColdItems,
  user: ArrayLike<number>,
  n: number,
  accept: (movieId: number) => boolean = () => true,
): ScoredMovie[] {
  const { rank, vectors, movieIds } = cold;
  const heap = new TopNHeap(n);
  if (movieIds.length === 0) return [];
  const scores = itemScorerFor(vectors, rank).score(user, 0, 1);
  for (let c = 0; c < movieIds.length; c++) {
    if (!heap.admits(c, scores[c]!) || !accept(movieIds[c]!)) continue;
    heap.offer(c, scores[c]!);
  }
  return drainScored(heap, (c) => movieIds[c]!);
}

/**
 * Movies closest to a cold movie by cosine of its vector with the ranking model's item factors,
 * among movies with at least `minRatings` ratings (the same guard as on-line similar movies).
 */
export function similarToColdItem(
  cold: ColdItems,
  movieId: number,
  ranking: AlsModel,
  options: SimilarOptions,
): ScoredMovie[] {
  const c = cold.indexOf(movieId);
  if (c < 0) return [];
  const { rank } = ranking;
  const vector = cold.vectors.subarray(c * rank, (c + 1) * rank);
  return nearestByCosine(
    ranking,
    vector,
    cold.norms[c]!,
    ranking.itemIds.indexOf(movieId),
    options,
  );
}

/** Where a list produced an item: the ranking model, a cold movie's content, or a fill source. */
export type ItemSource = 'model' | 'cold-start' | 'trending' | 'popular' | 'latest';

/**
 * The positions (0-based) that go to cold movies in a list of `limit`: one in every
 * round(1/share), starting in the middle of the first run — with the default share 0.1, the 5th,
 * 15th, 25th, …; so a list's first positions do not depend on its length (a top-10 is the first
 * 10 of a top-50).
 */
export function coldSlotPositions(limit: number, share: number): number[] {
  if (!(share > 0)) return [];
  const period = Math.max(1, Math.round(1 / Math.min(1, share)));
  const offset = Math.ceil(period / 2) - 1;
  const out: number[] = [];
  for (let p = offset; p < limit; p += period) out.push(p);
  return out;
}

/**
 * One list from several sources: `primary` (the ranking model's order) with `cold` movies in the
 * cold slots; when either runs out the other fills its places, then each `fill` source in turn
 * (trending, popular) until `limit`. A movie appears once, in the first place it is offered (a
 * cold movie the model also ranks lower down moves up to its slot), so the first places of a list
 * do not depend on its length; every item says which source produced it.
 */
export function blendSources<T extends { movieId: number }>(
  limit: number,
  share: number,
  primary: { source: ItemSource; items: readonly T[] },
  cold: readonly T[],
  fill: readonly { source: ItemSource; items: readonly T[] }[] = [],
): (T & { source: ItemSource })[] {
  const model = { source: primary.source, items: primary.items, at: 0 };
  const content = { source: 'cold-start' as ItemSource, items: cold, at: 0 };
  const out: (T & { source: ItemSource })[] = [];
  const seen = new Set<number>();
  const take = (queue: { source: ItemSource; items: readonly T[]; at: number }): boolean => {
    while (queue.at < queue.items.length) {
      const item = queue.items[queue.at++]!;
      if (seen.has(item.movieId)) continue;
      seen.add(item.movieId);
      out.push({ ...item, source: queue.source });
      return true;
    }
    return false;
  };
  const slots = new Set(coldSlotPositions(limit, share));
  for (let p = 0; p < limit; p++) {
    const placed = slots.has(p)
      ? take(content) || take(model)
      : take(model) || (share > 0 && take(content));
    if (!placed) break;
  }
  for (const source of fill) {
    const queue = { ...source, at: 0 };
    while (out.length < limit && take(queue));
  }
  return out;
}
