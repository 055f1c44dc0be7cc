import { userVector, type ScoredMovie } from '../../../core/als/index.ts';
import {
  candidatePoolSize,
  DEFAULT_DIVERSITY,
  diversify,
} from '../../../core/serving/diversity.ts';
import { MAX_EXCLUDE_IDS, RECOMMENDATION_LIMIT } from '../../../core/serving/input-limits.ts';
import {
  chooseStrategy,
  excludedMovies,
  foldInReason,
  mayServeStored,
  personProfile,
  popularityReason,
  staleVectorReason,
  type ListStrategy,
} from '../../../core/serving/list-strategy.ts';
import {
  ratingUser,
  recommendForProfile,
  recommendForVector,
} from '../../../core/serving/recommender.ts';
import { ratingProfile, withPredictedRatings } from '../../../core/serving/serving-bundle.ts';
import { readRankedList } from '../../models/registry.ts';
import { readFeedbackMarker, readUserLikes, type UserLike } from '../feedback-store.ts';
import { scoredMovies } from '../movie-views.ts';
import { ParameterReader } from '../parameter-reader.ts';
import type { ApiRoute } from '../route.ts';
import { issueList } from '../served-lists.ts';
import type { ServingModel } from '../serving-state.ts';
import { readUserRatings, type UserRating } from '../user-data.ts';
import { explainedList } from './explanations.ts';
import {
  listFilters,
  listFromSources,
  listRequest,
  popularityFallback,
  readDiversity,
} from './recommendation-support.ts';

const ROUTE = '/users/{userId}/recommendations';

/**
 * A user's top-N. Fast path: the list training stored (one partition read). Filters (genres,
 * exclude, excludeRated=false) or a limit past the stored list score on-line: the user's trained
 * ranking vector and their stored ratings (for the neighbour model) through `recommendForVector`.
 * A user the model never saw — or whose ratings the API changed after the active model was
 * planned (`user_rating_changes`, read beside the stored list), or who liked anything (no model
 * is trained on likes) — is folded in from their stored ratings and likes (`recommendForProfile`,
 * likes as favourites), so a write shows in the very next list; with neither they get the most
 * popular movies. `strategy` says which happened. A share of the places go to cold movies (new or
 * rarely rated, scored from their content), and a list the sources cannot fill takes trending then
 * popular movies: each item's `source` says where it came from. Every item carries the stars the
 * bundle's rating model predicts for this user (`predictedRating`), and the list a
 * `recommendationId` that feedback can name. With `explain=true` each item also carries `because`:
 * the user's movies that contributed most to its score (explanations.ts).
 */
export const userRecommendationsRoute: ApiRoute = {
  method: 'GET',
  path: ROUTE,
  async handle(request, deps) {
    const { state, stores } = deps;
    const catalogue = await state.catalogue();
    const params = new ParameterReader(request.query, request.path);
    params.only('limit', 'genre', 'excludeRated', 'exclude', 'explain', 'diversity');
    const userId = params.pathId('userId');
    const limit = params.int('limit', { ...RECOMMENDATION_LIMIT, fallback: 10 });
    const genres = params.choices('genre', catalogue.genres);
    const excludeRated = params.bool('excludeRated', true);
    const exclude = params.idList('exclude', MAX_EXCLUDE_IDS);
    const explain = params.bool('explain', false);
    const diversity = readDiversity(params);
    params.done();

    const { db } = stores();
    // The active model, or the candidate for a user in a running experiment's candidate arm.
    const { serving, experiment, arm } = await state.modelFor(userId);
    const options = { limit, genres, excludeRated, exclude };
    const filters = { ...listFilters(genres, exclude), excludeRated };
    const ranking = serving?.recommender.ranking;
    const known = ranking ? userVector(ranking, userId) : null;
    // The diversity dial re-ranks a pool of candidates (10 × limit when on): the stored list serves
    // only when it holds the whole pool, else the pool is scored on-line.
    const pool = candidatePoolSize(limit, diversity);
    const facts = {
      hasModel: serving !== undefined,
      known: known !== null,
      options: { ...options, limit: pool },
    };
    const [marker, stored] = await Promise.all([
      readFeedbackMarker(db, userId),
      serving && mayServeStored(facts)
        ? readRankedList(db, 'recommendations', serving.record.modelId, userId, pool)
        : [],
    ]);
    const staleReason = serving
      ? staleVectorReason({
          ratingsChangedAt: marker.changedAt,
          likedAt: marker.likedAt,
          modelPlannedAt: serving.record.createdAt.getTime(),
        })
      : null;
    const stale = staleReason !== null;
    // Read at most once, and only when a path needs them (the stored fast path usually does not);
    // at LOCAL_QUORUM when the API changed them, so the list sees the write just acknowledged.
    const consistency = marker.changedAt === undefined ? 'one' : 'quorum';
    let ratings: Promise<UserRating[]> | undefined;
    const userRatings = () => (ratings ??= readUserRatings(db, userId, consistency));
    let likes: Promise<UserLike[]> | undefined;
    const userLikes = () =>
      (likes ??=
        marker.likedAt === undefined
          ? Promise.resolve([])
          : readUserLikes(db, userId, consistency));
    const respond = async (
      strategy: ListStrategy,
      primary: readonly { movieId: number; score: number }[],
      vector: ArrayLike<number> | null,
      extra: Record<string, unknown> = {},
    ) => {
      const modelId = serving?.record.modelId ?? null;
      // Cold and fill movies skip the same movies; read only when such a source is used.
      const skip = async () =>
        excludedMovies(options, { ratings: await userRatings(), likes: await userLikes() });
      const items = await listFromSources(state, serving, catalogue, {
        limit,
        genres,
        skip,
        user: vector,
        primary: { source: strategy === 'popularity' ? 'popular' : 'model', items: primary },
      });
      const [withStars, recommendationId] = await Promise.all([
        predicted(serving, stale ? null : userId, items, userRatings, userLikes),
        issueList(deps, { route: ROUTE, strategy, modelId, userId, items, experiment, arm }),
      ]);
      // explain=true: `because` per item from the user's ratings and likes (explanations.ts).
      const explained = await explainedList(
        explain,
        serving,
        catalogue,
        strategy,
        withStars,
        async () => personProfile(await userRatings(), await userLikes()),
      );
      return {
        body: {
          userId,
          modelId,
          strategy,
          recommendationId,
          ...(experiment === null ? {} : { experiment, arm }),
          filters,
          ...(diversity !== DEFAULT_DIVERSITY ? { diversity } : {}),
          ...extra,
          ...explained,
        },
        cache: 'no-store' as const,
      };
    };

    // The model's pool re-ranked by the dial (MMR, core/serving/diversity.ts) to `limit`.
    const dial = (pool: readonly ScoredMovie[]) =>
      diversify(serving!.recommender.ranking, pool, limit, diversity);

    const strategy = chooseStrategy({ ...facts, stale, storedCount: stored.length });
    if (strategy === 'stored') {
      return respond('stored', scoredMovies(catalogue, dial(stored)), known!.vector);
    }
    const feedback = { ratings: await userRatings(), likes: await userLikes() };
    const skipped = excludedMovies(options, feedback);
    if (strategy === 'online') {
      const list = recommendForVector(
        serving!.recommender,
        known!,
        feedback.ratings,
        listRequest(serving!, catalogue, skipped, genres, pool),
      );
      return respond('online', scoredMovies(catalogue, dial(list)), known!.vector);
    }
    const profile = personProfile(feedback.ratings, feedback.likes);
    if (strategy === 'fold-in' && (profile.ratings.length > 0 || profile.favourites.length > 0)) {
      const folded = recommendForProfile(
        serving!.recommender,
        profile,
        listRequest(serving!, catalogue, skipped, genres, pool),
      );
      if (folded.used > 0) {
        return respond(
          'fold-in',
          scoredMovies(catalogue, dial(folded.items)),
          folded.user!.vector,
          {
            reason: foldInReason(staleReason),
          },
        );
      }
    }
    return respond(
      'popularity',
      popularityFallback(catalogue, { limit, genres, exclude: skipped }),
      null,
      { reason: popularityReason(serving !== undefined) },
    );
  },
};

/**
 * The list with `predictedRating` from the bundle's rating model: a user it was trained on uses
 * their trained vector (no read) unless `trainedUserId` is null (their ratings changed since);
 * anyone else is folded in from their stored ratings and likes.
 */
async function predicted<T extends { movieId: number }>(
  serving: ServingModel | undefined,
  trainedUserId: number | null,
  items: readonly T[],
  ratings: () => Promise<readonly UserRating[]>,
  likes: () => Promise<readonly UserLike[]>,
) {
  const rating = serving?.rating ?? null;
  if (!rating || items.length === 0) return withPredictedRatings(items, null, null);
  const trained = trainedUserId === null ? null : userVector(rating, trainedUserId);
  const user =
    trained ??
    ratingUser(rating, null, ratingProfile(rating, personProfile(await ratings(), await likes())));
  return withPredictedRatings(items, rating, user);
}
