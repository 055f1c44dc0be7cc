import { createReadStream } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import { trainAls } from '../../lambdas/core/als/index.ts';
import {
  catalogueSize,
  heldOutMetrics,
  recommenderLists,
} from '../../lambdas/core/eval/held-out-report.ts';
import {
  heldOutUsersSplit,
  HELD_OUT_LIST_LENGTH,
  type HeldOutUser,
} from '../../lambdas/core/eval/held-out-users.ts';
import { readRatingsTable } from '../../lambdas/core/formats/ratings-reader.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { fitRecommender } from '../../lambdas/core/recommender/fit.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import { MAX_PROFILE_MOVIES } from '../../lambdas/core/serving/fold-in-body.ts';
import { predictedStars, ratingUser } from '../../lambdas/core/serving/recommender.ts';
import { MAX_BODY_BYTES } from '../../lambdas/services/api/middleware/body-limit.ts';
import { freshStore } from '../support/cassandra.ts';
import { startRecsysServe, type ServeProcess } from '../../scripts/support/recsys-serve.ts';
import { publishBundle, ratingHistory } from '../../scripts/support/serving-fixture.ts';
import { dropQuietly } from '../support/train-fixture.ts';
import { expectMlSmallPresent, mlSmall } from '../support/movielens-small.ts';

const KEY = 'held-out-test-key';
/** How many held-out users are posted: enough to compare metrics, few enough for a 2-core run. */
const SAMPLE = 30;

/** ml-latest-small; a missing data set fails the test with the fix (see expectMlSmallPresent). */
async function ratingsTable(): Promise<{ table: RatingsTable; source: string }> {
  expectMlSmallPresent();
  return {
    table: await readRatingsTable(createReadStream(mlSmall('ratings.csv'))),
    source: 'ml-latest-small',
  };
}

/** The request body for one held-out user: their given ratings, a list as long as the metrics read. */
function requestBody(user: HeldOutUser): string {
  return JSON.stringify({ ratings: user.given, limit: HELD_OUT_LIST_LENGTH });
}

/**
 * Every `step`-th user whose profile the API accepts (`MAX_PROFILE_MOVIES`, `MAX_BODY_BYTES`), so
 * the sample spans the split rather than its first users.
 */
function sampleUsers(users: readonly HeldOutUser[]): HeldOutUser[] {
  const postable = users.filter(
    (user) =>
      user.given.length <= MAX_PROFILE_MOVIES &&
      Buffer.byteLength(requestBody(user)) <= MAX_BODY_BYTES,
  );
  const step = Math.max(1, Math.floor(postable.length / SAMPLE));
  return postable.filter((_, k) => k % step === 0).slice(0, SAMPLE);
}

describe('POST /recommendations gives the held-out-users protocol its in-process lists', () => {
  let db: Awaited<ReturnType<typeof freshStore>>;
  let server: ServeProcess;
  let source = '';
  let table: RatingsTable;
  let split: ReturnType<typeof heldOutUsersSplit>;
  let fitted: ReturnType<typeof fitRecommender>;
  let rating: ReturnType<typeof trainAls>;

  beforeAll(async () => {
    ({ table, source } = await ratingsTable());
    split = heldOutUsersSplit(table, { seed: 0 });
    fitted = fitRecommender(split.train, DEFAULT_RECOMMENDER_OPTIONS);
    rating = trainAls(split.train, {});

    // The catalogue of split.train: every movie of the file, counted over the training users
    // only, so the API's support (the catalogue's counts) is the support of the in-process fit.
    db = await freshStore('api_held_out');
    const counts = new Map<number, number>();
    for (const movieId of table.movieIds) counts.set(movieId, 0);
    for (const movieId of split.train.movieIds) counts.set(movieId, counts.get(movieId)! + 1);
    await db.executeMany(
      `INSERT INTO ${db.table('movies')} (movie_id, title, genres, rating_count) VALUES (?, ?, ?, ?)`,
      [...counts].map(([movieId, count]) => [movieId, `Movie ${movieId} (2000)`, [], count]),
      16,
    );
    const modelId = `held-out-${Date.now().toString(36)}`;
    const s3 = new S3Store(s3ConfigFromEnv());
    try {
      await publishBundle(
        { db, s3 },
        {
          modelId,
          dataset: source,
          bundle: {
            ranking: fitted.ranking,
            neighbours: fitted.neighbours,
            rating,
            blend: fitted.recommender.blend,
            policy: DEFAULT_RECOMMENDER_OPTIONS.policy,
          },
          recommender: fitted.recommender,
          train: split.train,
          params: { protocol: 'users' },
          metrics: { history: ratingHistory(rating) },
          storedLists: false,
        },
      );
    } finally {
      s3.destroy();
    }
    server = await startRecsysServe({ keyspace: db.keyspace, apiKey: KEY });
  });
  afterAll(async () => {
    await server?.stop();
    await dropQuietly(db);
  });

  it('same lists, same order, same metrics; stars from the rating model folded in', async () => {
    const users = sampleUsers(split.users);
    expect(users.length).toBe(SAMPLE);
    const expected = recommenderLists(fitted.recommender, users);
    const served: number[][] = [];
    for (const [k, user] of users.entries()) {
      const response = await fetch(`${server.url}/recommendations`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: requestBody(user),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        strategy: string;
        items: { movieId: number; predictedRating: number | null }[];
      };
      expect(body.strategy, `user ${user.userId}`).toBe('fold-in');
      const ids = body.items.map((m) => m.movieId);
      expect(ids, `user ${user.userId} (${source})`).toEqual(expected[k]);
      served.push(ids);
      const stars = predictedStars(rating, ratingUser(rating, null, user.given)!, ids);
      expect(body.items.map((m) => m.predictedRating)).toEqual(
        stars.map((s) => Math.round(s * 100) / 100),
      );
    }
    const catalogue = catalogueSize(table);
    const api = heldOutMetrics(served, users, catalogue);
    const inProcess = heldOutMetrics(expected, users, catalogue);
    expect(api).toEqual(inProcess);
    expect(api['ndcg@100']).toBeGreaterThan(0);
    console.log(`[api-held-out] ${source}, ${users.length} users: ${JSON.stringify(api)}`);
  });
});
