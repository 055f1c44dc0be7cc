/**
 * A recommender of the ml-25m shape with random numbers, for timing the list and fold-in paths
 * where training the real thing would take half an hour: 62,423 movies × rank 64 implicit factors,
 * the product's EASE model over M = 2,000 movies, per-movie support like the 25M scale run's (48,946
 * movies with ≥ 20 ratings), and users of ~154 ratings (25M / 162,541). Scores mean nothing; the
 * work per list (every movie's x·y, each rating's neighbour row, the blend, the heap) is the real
 * one. Values come from a fixed hash, so every run times the same model.
 */
import { DEFAULT_ALS_OPTIONS, type AlsModel } from '../../lambdas/core/als/index.ts';
import { hash4, unitFromHash } from '../../lambdas/core/matrix/hash.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import { DEFAULT_NEIGHBOUR_SETTINGS } from '../../lambdas/core/neighbours/options.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import {
  prepareRecommender,
  type ListQuery,
  type Recommender,
} from '../../lambdas/core/serving/recommender.ts';

export const SHAPE_25M = {
  movies: 62_423,
  users: 162_541,
  rank: 64,
  neighbourMovies: DEFAULT_NEIGHBOUR_SETTINGS.maxItems,
  recommendable: 48_946,
  ratingsPerUser: 154,
} as const;

/** A value in (−scale, scale) from the hash of (a, b, salt). */
function noise(a: number, b: number, salt: number, scale: number): number {
  return (unitFromHash(hash4(a, b, salt)) * 2 - 1) * scale;
}

/** Movie ids 1 … movies, as the dense order; the first `recommendable` have ≥ 20 ratings. */
export function shapedRecommender(shape = SHAPE_25M): Recommender {
  const { movies, rank, neighbourMovies, recommendable } = shape;
  const ranking: AlsModel = {
    rank,
    userIds: IdMap.fromIds([]),
    itemIds: IdMap.fromIds(Array.from({ length: movies }, (_, i) => i + 1)),
    userFactors: new Float32Array(0),
    itemFactors: Float32Array.from({ length: movies * rank }, (_, p) => noise(p, 0, 1, 0.2)),
    globalMean: 0,
    options: {
      ...DEFAULT_ALS_OPTIONS,
      rank,
      implicit: true,
      biases: false,
      ratingMin: 0.5,
      ratingMax: 5,
    },
    history: [],
  };
  const M = neighbourMovies;
  const neighbours = {
    settings: DEFAULT_NEIGHBOUR_SETTINGS,
    movieIds: Int32Array.from({ length: M }, (_, n) => n + 1),
    weights: Float32Array.from({ length: M * M }, (_, p) => noise(p, 0, 2, 0.01)),
  };
  const support = Int32Array.from({ length: movies }, (_, i) =>
    i < recommendable ? 20 + Math.floor(unitFromHash(hash4(i, 3)) * 5000) : i % 20,
  );
  return prepareRecommender({
    ranking,
    neighbours,
    blend: DEFAULT_RECOMMENDER_OPTIONS.blend,
    support,
    policy: DEFAULT_RECOMMENDER_OPTIONS.policy,
  });
}

/** `count` users: a random vector, `ratings` ratings on random movies (¾ of them among the M). */
export function shapedUsers(
  recommender: Recommender,
  count: number,
  n: number,
  ratings: number = SHAPE_25M.ratingsPerUser,
): ListQuery[] {
  const { ranking } = recommender;
  const { rank } = ranking;
  const movies = ranking.itemIds.size;
  const M = recommender.neighbours?.movieIds.length ?? 0;
  return Array.from({ length: count }, (_, u) => {
    const rated = new Map<number, number>();
    for (let k = 0; rated.size < ratings; k++) {
      const h = unitFromHash(hash4(u, k, 4));
      const i = k % 4 === 3 || M === 0 ? Math.floor(h * movies) : Math.floor(h * M);
      rated.set(i, 0.5 + Math.floor(unitFromHash(hash4(u, k, 5)) * 10) / 2);
    }
    return {
      user: { vector: Float32Array.from({ length: rank }, (_, k) => noise(u, k, 6, 1)), bias: 0 },
      ratings: [...rated].map(([i, stars]) => ({
        movieId: ranking.itemIds.ids[i]!,
        rating: stars,
      })),
      request: { n, exclude: new Set(rated.keys()) },
    };
  });
}
