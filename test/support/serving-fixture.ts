import { CassandraStore, cassandraConfigFromEnv } from '../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import { readDatasetStatus } from '../../lambdas/services/ingest/dataset-status.ts';
import {
  activeModelId,
  getModelRecord,
  readRankedList,
} from '../../lambdas/services/models/registry.ts';
import type { Stores } from '../../lambdas/services/runtime.ts';
import { runLocalIngest } from '../../scripts/ingest/run-local-ingest.ts';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ML_SMALL_DIR } from '../unit/support/movielens-small.ts';

const BIN = fileURLToPath(new URL('../../bin/recsys.mjs', import.meta.url));

/**
 * Runs the real `recsys train` (the train state machine, locally) and returns the model id from
 * its last stdout line. Implicit ALS: it ranks best on ml-latest-small (docs/serving.md).
 */
async function recsysTrain(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'train', ...args], {
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`recsys train exited with ${code}: ${stderr.slice(-2000)}`);
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return (JSON.parse(last) as { modelId: string }).modelId;
}

/**
 * One keyspace with ml-latest-small ingested and a model trained by `recsys train`, shared by the serving tests
 * (API, browser, benchmark) and kept between runs: ingesting takes ~90 s on two cores, and the
 * serving tests only read. A run that finds it complete reuses it.
 */
export const SERVING_KEYSPACE = 'it_serving_ml_small';
const DATASET = 'ml-latest-small';
const ML_SMALL_RATINGS = 100_836;

export interface ServingData {
  readonly keyspace: string;
  readonly modelId: string;
  readonly stores: Stores;
  close(): Promise<void>;
}

export async function ensureServingData(
  log: (line: string) => void = () => undefined,
): Promise<ServingData> {
  const env = { ...process.env, RECSYS_KEYSPACE: SERVING_KEYSPACE };
  const db = new CassandraStore(cassandraConfigFromEnv(env));
  const s3 = new S3Store(s3ConfigFromEnv(env));
  const stores = { db, s3 };
  await db.migrate();
  const status = await readDatasetStatus(db, DATASET);
  if (status?.status !== 'ready' || status.counts.ratings !== ML_SMALL_RATINGS) {
    log(`ingesting ${DATASET} into ${SERVING_KEYSPACE} (~90 s)`);
    await runLocalIngest({ dir: ML_SMALL_DIR, dataset: DATASET, keyspace: SERVING_KEYSPACE, log });
  }
  let modelId = await activeModelId(db);
  const record = modelId ? await getModelRecord(db, modelId) : undefined;
  const artifact = record ? await s3.head(`${record.artifactsPrefix}model.bin`) : undefined;
  // A model trained before a schema change may lack its stored lists: retrain then too.
  const hasLists =
    modelId !== undefined &&
    (await readRankedList(db, 'recommendations', modelId, 1, 1)).length > 0;
  if (
    !modelId ||
    !artifact ||
    !hasLists ||
    record?.params.implicit !== true ||
    !record.metrics.history
  ) {
    log('training with recsys train --implicit (~15 s)');
    modelId = await recsysTrain(['--implicit', '--keyspace', SERVING_KEYSPACE]);
  }
  return {
    keyspace: SERVING_KEYSPACE,
    modelId,
    stores,
    async close() {
      await db.shutdown();
      s3.destroy();
    },
  };
}
