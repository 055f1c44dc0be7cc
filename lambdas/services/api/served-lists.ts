import { randomBytes } from 'node:crypto';
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

/**
 * Gives a list its `recommendationId` and, when it falls in the sample
 * (`RECSYS_SERVED_LIST_SAMPLE`, by user: core/feedback/keys.ts), records it in `served_lists`
 * for the online metrics. The record is awaited (a Lambda may freeze unfinished work once it has
 * answered) but never fails the request: a lost record thins the sample, a failed list would
 * lose the user their answer.
 */
export async function issueList(deps: RouteDeps, list: ServedListInfo): Promise<string> {
  const servedAt = Date.now();
  const recommendationId = newRecommendationId(servedAt, randomBytes(8).toString('hex'));
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
