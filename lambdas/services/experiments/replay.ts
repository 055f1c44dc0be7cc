import type { CassandraStore } from '../../adapters/cassandra.ts';
import type { S3Store } from '../../adapters/s3.ts';
import { denseItemIndices } from '../../core/als/index.ts';
import {
  replayEstimate,
  type ReplayEstimate,
  type ReplayEvent,
} from '../../core/experiments/replay.ts';
import { dayOf } from '../../core/feedback/keys.ts';
import { listOutcomes } from '../../core/feedback/online-metrics.ts';
import type { Movie } from '../../core/serving/catalogue.ts';
import { recommendForProfile, type Recommender } from '../../core/serving/recommender.ts';
import { servingRecommender } from '../../core/serving/serving-bundle.ts';
import { readEvents, readServedLists, readUserLikes } from '../api/feedback-store.ts';
import { readUserRatings, type UserRating } from '../api/user-data.ts';
import { getModelRecord, loadModelBundle, type ModelRecord } from '../models/registry.ts';
import { ExperimentError } from './registry.ts';
import { EXPERIMENT_K } from './report.ts';

export interface ReplayReport {
  readonly modelId: string;
  readonly days: number;
  /** Logged lists with a user in the window, and those replayed (the candidate had a list). */
  readonly loggedLists: number;
  /** Lists left out: the user had rated or liked nothing the candidate knows before the list. */
  readonly skippedLists: number;
  readonly estimate: ReplayEstimate;
}

/**
 * `recsys evaluate --replay`: the candidate model's hit rate@10 estimated from the last `days` UTC
 * days of recorded lists (`served_lists`) and the feedback on them (core/experiments/replay.ts for
 * the estimator). For each logged list, the candidate's list is what it would have served that user
 * at that moment: the user's ratings and likes from before the list folded into the candidate
 * (`recommendForProfile`, the fold-in the API serves new and changed users with), the movies they
 * had rated left out. Later ratings are feedback, never input: a rating made after the list is
 * exactly what may make it a hit.
 *
 * Costs (days × 8) partition reads of `served_lists` and of `events`, two partition reads per
 * user, the candidate's bundle from S3 and one fold-in per list (memoised per user and history).
 */
export async function readReplay(
  db: CassandraStore,
  s3: S3Store,
  catalogue: () => Promise<readonly Movie[]>,
  request: { modelId: string; days: number; resamples?: number; seed?: number },
  now = Date.now(),
): Promise<ReplayReport> {
  const record = await getModelRecord(db, request.modelId);
  if (!record) throw new ExperimentError('not_found', `unknown model ${request.modelId}`);
  if (record.status !== 'ready') {
    throw new ExperimentError('invalid', `model ${record.modelId} is ${record.status}, not ready`);
  }
  const today = dayOf(now);
  const days = Array.from({ length: request.days }, (_, i) => today - request.days + 1 + i);
  const since = now - request.days * 86_400_000;
  const [recommender, lists, events] = await Promise.all([
    candidateRecommender(s3, record, catalogue),
    readServedLists(db, days),
    readEvents(db, days),
  ]);
  const userLists = lists.filter(
    (l) => l.userId !== null && l.movieIds.length > 0 && l.servedAt >= since,
  );
  const outcomes = listOutcomes(userLists, events, EXPERIMENT_K);
  const histories = new Map<number, Promise<History>>();
  const history = (userId: number) => {
    let h = histories.get(userId);
    if (!h) {
      h = readHistory(db, userId);
      histories.set(userId, h);
    }
    return h;
  };
  const replayed: ReplayEvent[] = [];
  let skipped = 0;
  const lists$ = new Map<string, number[] | null>();
  for (const outcome of outcomes) {
    const { list } = outcome;
    const userId = list.userId!;
    const { ratings, likes } = await history(userId);
    const before = ratings.filter((r) => r.ratedAt * 1000 < list.servedAt);
    const likedBefore = likes.filter((l) => l.at < list.servedAt);
    // The same history gives the same list: memoised by user and what they had done by then.
    const key = `${userId}:${before.length}:${likedBefore.length}`;
    let candidate = lists$.get(key);
    if (candidate === undefined) {
      candidate = candidateList(recommender, before, likedBefore);
      lists$.set(key, candidate);
    }
    if (candidate === null) {
      skipped++;
      continue;
    }
    replayed.push({ userId, logged: list.movieIds, positives: outcome.positives, candidate });
  }
  const estimate = replayEstimate(replayed, {
    k: EXPERIMENT_K,
    ...(request.resamples === undefined ? {} : { resamples: request.resamples }),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
  });
  return {
    modelId: record.modelId,
    days: request.days,
    loggedLists: outcomes.length,
    skippedLists: skipped,
    estimate,
  };
}

interface History {
  readonly ratings: readonly UserRating[];
  readonly likes: readonly { movieId: number; liked: boolean; at: number }[];
}

async function readHistory(db: CassandraStore, userId: number): Promise<History> {
  const [ratings, likes] = await Promise.all([
    readUserRatings(db, userId),
    readUserLikes(db, userId),
  ]);
  return { ratings, likes };
}

async function candidateRecommender(
  s3: S3Store,
  record: ModelRecord,
  catalogue: () => Promise<readonly Movie[]>,
): Promise<Recommender> {
  const [bundle, movies] = await Promise.all([
    loadModelBundle(s3, record.artifactsPrefix),
    catalogue(),
  ]);
  const counts = new Map(movies.map((m) => [m.movieId, m.ratingCount]));
  return servingRecommender(bundle, (movieId) => counts.get(movieId)).recommender;
}

/**
 * The candidate's first k movies for a user with these ratings and likes (a like as a favourite
 * unless rated, a dislike as a negative signal, as the API folds them in), rated and liked movies
 * left out; null when the candidate knows none of them (the API would serve popular movies, which
 * are no model's ranking to judge).
 */
function candidateList(
  recommender: Recommender,
  ratings: readonly UserRating[],
  likes: History['likes'],
): number[] | null {
  const rated = new Set(ratings.map((r) => r.movieId));
  const profile = {
    ratings,
    favourites: likes.filter((l) => l.liked && !rated.has(l.movieId)).map((l) => l.movieId),
    dislikes: likes.filter((l) => !l.liked).map((l) => l.movieId),
  };
  const seen = [...rated, ...likes.map((l) => l.movieId)];
  const exclude = new Set(denseItemIndices(recommender.ranking, seen));
  const list = recommendForProfile(recommender, profile, { n: EXPERIMENT_K, exclude });
  return list.used === 0 ? null : list.items.map((m) => m.movieId);
}
