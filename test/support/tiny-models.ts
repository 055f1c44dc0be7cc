import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import type { CassandraStore } from '../../lambdas/adapters/cassandra.ts';
import { RatingsTableBuilder } from '../../lambdas/core/ratings.ts';
import { fitRecommender } from '../../lambdas/core/recommender/fit.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import {
  activateModel,
  modelPrefix,
  saveModelBundle,
  saveModelRecord,
} from '../../lambdas/services/models/registry.ts';

/** Movies of the tiny catalogue: 1–15 one taste group, 16–30 the other. */
export const TINY_MOVIES = 30;

/**
 * A catalogue of 30 movies and ready models fitted on two taste groups of 60 users (each model its
 * rank and λ), published as training publishes them (bundle in S3, a ready row); the first one
 * becomes the active model. Seconds, where the ml-latest-small fixture takes minutes.
 */
export async function publishTinyModels(
  db: CassandraStore,
  models: readonly { modelId: string; rank: number; reg: number }[],
): Promise<void> {
  for (let movieId = 1; movieId <= TINY_MOVIES; movieId++) {
    await db.execute(
      `INSERT INTO ${db.table('movies')} (movie_id, title, genres, rating_count) VALUES (?, ?, ?, ?)`,
      [movieId, `Movie ${movieId} (2000)`, ['Drama'], 30],
    );
  }
  const table = new RatingsTableBuilder();
  for (let u = 1; u <= 60; u++) {
    const first = u <= 30 ? 1 : 16;
    for (let m = first; m < first + 15; m++) if ((u * 7 + m) % 4 !== 0) table.push(u, m, 5);
    table.push(u, u <= 30 ? 16 + (u % 15) : 1 + (u % 15), 3);
  }
  const ratings = table.finish();
  const s3 = new S3Store(s3ConfigFromEnv());
  try {
    await s3.ensureBucket();
    for (const { modelId, rank, reg } of models) {
      const options = {
        ...DEFAULT_RECOMMENDER_OPTIONS,
        als: { ...DEFAULT_RECOMMENDER_OPTIONS.als, rank, reg, iterations: 4 },
      };
      const fitted = fitRecommender(ratings, options);
      await saveModelBundle(s3, modelId, {
        ranking: fitted.ranking,
        neighbours: fitted.neighbours,
        rating: null,
        blend: fitted.recommender.blend,
        policy: { ...options.policy, minRatings: 0 },
      });
      await saveModelRecord(db, {
        modelId,
        dataset: 'tiny',
        status: 'ready',
        createdAt: new Date(),
        params: { rank, reg },
        metrics: {},
        artifactsPrefix: modelPrefix(modelId),
      });
    }
  } finally {
    s3.destroy();
  }
  await activateModel(db, models[0]!.modelId);
}
