import type { CassandraStore } from '../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import type { ModelBundle } from '../../lambdas/core/recommender/bundle.ts';
import type { FittedRecommender } from '../../lambdas/core/recommender/fit.ts';
import type { RankingPolicy } from '../../lambdas/core/serving/ranking.ts';
import {
  activateModel,
  modelPrefix,
  saveModelBundle,
  saveModelRecord,
} from '../../lambdas/services/models/registry.ts';

/** A fitted ranking model as a bundle without a rating model, every movie listable (minRatings 0). */
export function rankingOnlyBundle(fitted: FittedRecommender, policy: RankingPolicy): ModelBundle {
  return {
    ranking: fitted.ranking,
    neighbours: fitted.neighbours,
    rating: null,
    blend: fitted.recommender.blend,
    policy: { ...policy, minRatings: 0 },
  };
}

/** Records a model whose files are in S3 already as ready (data set `tiny`). */
export async function recordReadyModel(
  db: CassandraStore,
  modelId: string,
  params: Record<string, unknown> = {},
): Promise<void> {
  await saveModelRecord(db, {
    modelId,
    dataset: 'tiny',
    status: 'ready',
    createdAt: new Date(),
    params,
    metrics: {},
    artifactsPrefix: modelPrefix(modelId),
  });
}

/** Records a model whose files are in S3 already as ready and activates it. */
export async function activateReadyModel(db: CassandraStore, modelId: string): Promise<void> {
  await recordReadyModel(db, modelId);
  await activateModel(db, modelId);
}

/** Saves the bundle's files to S3 (creating the bucket if a restarted endpoint lost it). */
export async function saveBundleFiles(modelId: string, bundle: ModelBundle): Promise<void> {
  const s3 = new S3Store(s3ConfigFromEnv());
  try {
    await s3.ensureBucket();
    await saveModelBundle(s3, modelId, bundle);
  } finally {
    s3.destroy();
  }
}

/** Saves the bundle's files to S3, then records and activates it as {@link activateReadyModel}. */
export async function publishBundle(
  db: CassandraStore,
  modelId: string,
  bundle: ModelBundle,
): Promise<void> {
  await saveBundleFiles(modelId, bundle);
  await activateReadyModel(db, modelId);
}
