import type { CassandraStore } from '../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import type { ModelBundle } from '../../lambdas/core/recommender/bundle.ts';
import {
  activateModel,
  modelPrefix,
  saveModelBundle,
  saveModelRecord,
} from '../../lambdas/services/models/registry.ts';

/** Records a model whose files are in S3 already as ready (data set `tiny`) and activates it. */
export async function activateReadyModel(db: CassandraStore, modelId: string): Promise<void> {
  await saveModelRecord(db, {
    modelId,
    dataset: 'tiny',
    status: 'ready',
    createdAt: new Date(),
    params: {},
    metrics: {},
    artifactsPrefix: modelPrefix(modelId),
  });
  await activateModel(db, modelId);
}

/** Saves the bundle's files to S3, then records and activates it as {@link activateReadyModel}. */
export async function publishBundle(
  db: CassandraStore,
  modelId: string,
  bundle: ModelBundle,
): Promise<void> {
  const s3 = new S3Store(s3ConfigFromEnv());
  try {
    await s3.ensureBucket();
    await saveModelBundle(s3, modelId, bundle);
  } finally {
    s3.destroy();
  }
  await activateReadyModel(db, modelId);
}
