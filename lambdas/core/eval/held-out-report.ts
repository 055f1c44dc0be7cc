import { denseItemIndices } from '../als/index.ts';
import { IdMap } from '../matrix/id-map.ts';
import type { RatingsTable } from '../ratings.ts';
import { candidatePoolSize, DEFAULT_DIVERSITY, diversify } from '../serving/diversity.ts';
import { recommendForProfile, type Recommender } from '../serving/recommender.ts';
import { popularityOrder } from './baselines.ts';
import {
  HELD_OUT_LIST_LENGTH,
  heldOutMetrics,
  type HeldOutMetrics,
  type HeldOutUser,
} from './held-out-users.ts';

/**
 * Each held-out user's list exactly as `POST /recommendations` computes it: their given ratings
 * folded in, the given movies excluded, the serving policy applied. With `dislikeAtMost`, a given
 * rating at or below it is folded in as a dislike (a negative signal, core/serving/dislikes.ts)
 * instead of as a weak positive, as a person's dislikes are in `GET /users/{id}/recommendations`.
 * With `diversity` > 0 the routes' dial applies: the top `candidatePoolSize(n, d)` re-ranked by MMR
 * to n (core/serving/diversity.ts).
 */
export function recommenderLists(
  recommender: Recommender,
  users: readonly HeldOutUser[],
  n = HELD_OUT_LIST_LENGTH,
  dislikeAtMost?: number,
  diversity = DEFAULT_DIVERSITY,
): number[][] {
  return users.map((user) => {
    const given = user.given.map((g) => g.movieId);
    const exclude = new Set(denseItemIndices(recommender.ranking, given));
    const disliked = (rating: number) => dislikeAtMost !== undefined && rating <= dislikeAtMost;
    const profile = {
      ratings: user.given.filter((g) => !disliked(g.rating)),
      dislikes: user.given.filter((g) => disliked(g.rating)).map((g) => g.movieId),
    };
    const pool = candidatePoolSize(n, diversity);
    const { items } = recommendForProfile(recommender, profile, { n: pool, exclude });
    return diversify(recommender.ranking, items, n, diversity).map((m) => m.movieId);
  });
}

/** The most-rated training movies, the user's given movies skipped. */
export function popularityLists(
  train: RatingsTable,
  users: readonly HeldOutUser[],
  n = HELD_OUT_LIST_LENGTH,
): number[][] {
  const order = popularityOrder(train);
  return users.map((user) => {
    const given = new Set(user.given.map((g) => g.movieId));
    const list: number[] = [];
    for (let k = 0; k < order.length && list.length < n; k++) {
      if (!given.has(order[k]!)) list.push(order[k]!);
    }
    return list;
  });
}

/** Catalogue size for coverage: every movie in the whole ratings file. */
export function catalogueSize(table: RatingsTable): number {
  return IdMap.fromIds(table.movieIds).size;
}

export type { HeldOutMetrics };
export { heldOutMetrics };

/** `recsys evaluate --protocol users`: the product's lists and popularity's on the same users. */
export interface HeldOutReport extends HeldOutMetrics {
  popularity: HeldOutMetrics;
  /** Ratings trained on (every rating of the users not held out). */
  train: number;
  heldOutUsers: number;
  eligibleUsers: number;
  trainSeconds: number;
  seed: number;
}
