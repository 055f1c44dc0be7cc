import { randomFillSync } from 'node:crypto';
import type { Arm } from '../../core/experiments/assignment.ts';
import { inServedSample, newRecommendationId } from '../../core/feedback/keys.ts';
import { logger } from '../logger.ts';
import { writeServedList } from './feedback-store.ts';
import type { RouteDeps } from './route.ts';

export interface ServedListInfo {
  /** The route template, e.g. `/users/{userId}/recommendations`. */
  readonly route: string;
  readonly strategy: string;
  readonly modelId: string | null;
  readonly userId: number | null;
  readonly items: readonly { movieId: number }[];
  /** The running experiment and the user's arm when the list was served under one. */
  readonly experiment?: string | null;
  readonly arm?: Arm | null;
}

/** Random bytes drawn 4 KiB at a time: one call into the CSPRNG per 512 ids, not one per list. */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** 16 random hex digits (8 bytes of the CSPRNG), as `randomBytes(8).toString('hex')` gives. */
export function randomHex16(): string {
  if (poolAt + 8 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const hex = pool.toString('hex', poolAt, poolAt + 8);
  poolAt += 8;
  return hex;
}

/**
 * Gives a list its `recommendationId` and, when it falls in the sample
 * (`RECSYS_SERVED_LIST_SAMPLE`, by user: core/feedback/keys.ts), records it in `served_lists`
 * for the online metrics. The record is awaited (a Lambda may freeze unfinished work once it has
 * answered) but never fails the request: a lost record thins the sample, a failed list would
 * lose the user their answer.
 */
export async function issueList(deps: RouteDeps, list: ServedListInfo): Promise<string> {
  const servedAt = Date.now();
  const recommendationId = newRecommendationId(servedAt, randomHex16());
  if (
    list.items.length > 0 &&
    inServedSample(deps.servedListSample, list.userId, recommendationId)
  ) {
    try {
      await writeServedList(deps.stores().db, {
        recommendationId,
        servedAt,
        modelId: list.modelId,
        userId: list.userId,
        route: list.route,
        strategy: list.strategy,
        movieIds: list.items.map((item) => item.movieId),
        experiment: list.experiment ?? null,
        arm: list.arm ?? null,
      });
    } catch (error) {
      logger.warn('served list not recorded', { recommendationId, error: String(error) });
    }
  }
  return recommendationId;
}
