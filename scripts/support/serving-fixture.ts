import { createReadStream } from 'node:fs';
import { CassandraStore, cassandraConfigFromEnv } from '../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import {
  denseItemIndices,
  itemNorms,
  trainAls,
  userVector,
  type AlsModel,
} from '../../lambdas/core/als/index.ts';
import { readRatingsTable } from '../../lambdas/core/formats/ratings-reader.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { BUNDLE_FILES, type ModelBundle } from '../../lambdas/core/recommender/bundle.ts';
import { fitRecommender } from '../../lambdas/core/recommender/fit.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import { similarWithSupport } from '../../lambdas/core/serving/neighbours.ts';
import { recommendForVector, type Recommender } from '../../lambdas/core/serving/recommender.ts';
import { SIMILAR_MIN_RATINGS } from '../../lambdas/core/serving/serving-bundle.ts';
import { readDatasetStatus } from '../../lambdas/services/datasets/registry.ts';
import {
  activateModel,
  activeModelId,
  getModelRecord,
  modelPrefix,
  readRankedList,
  saveModelBundle,
  saveModelRecord,
  writeRankedLists,
} from '../../lambdas/services/models/registry.ts';
import { ratersPartsFromRatings } from '../../lambdas/core/train/raters-index.ts';
import { saveRatersIndex } from '../../lambdas/services/models/raters-index.ts';
import type { Stores } from '../../lambdas/services/runtime.ts';
import { fitRunContentModel } from '../../lambdas/services/train/content.ts';
import { runLocalIngest } from '../runtime/ingest/run-local-ingest.ts';
import { mlSmall, ML_SMALL_DIR } from './movielens-small.ts';

/** Lengths of the stored lists, as training writes them (its `topN` and `similarN` defaults). */
export const STORED_TOP_N = 50;
export const STORED_SIMILAR_N = 20;

/**
 * Publishes a model version the way the train state machine's last steps do: the bundle's files
 * and the raters index under `models/<id>/`, every trained user's stored top-N and every well-supported movie's stored
 * neighbours, the `models` row, then the active-model pointer. The stored lists are ranked by the
 * code the API's on-line path runs (`recommendForVector` with the user's own ratings excluded,
 * `similarWithSupport`), so the fast path and the live path agree.
 */
export async function publishBundle(
  stores: Stores,
  options: {
    modelId: string;
    dataset: string;
    bundle: ModelBundle;
    /** The bundle's ranking side as serving prepares it (support = the catalogue's counts). */
    recommender: Recommender;
    /** The ratings the bundle was fitted on: who rated what, for the stored lists. */
    train: RatingsTable;
    params: Record<string, unknown>;
    metrics: Record<string, unknown>;
    storedLists?: boolean;
  },
): Promise<void> {
  const { db, s3 } = stores;
  const { modelId, bundle, recommender, train } = options;
  // A restarted LocalStack (or a wiped .local/s3/data) has lost the bucket too.
  await s3.ensureBucket();
  await saveModelBundle(s3, modelId, bundle);
  // Who rated each movie (the audience route): every rating the bundle was fitted on, one part.
  await saveRatersIndex(
    s3,
    modelPrefix(modelId),
    ratersPartsFromRatings(train.userIds, train.movieIds, 1),
  );
  if (options.storedLists !== false) {
    const { ranking } = bundle;
    const byUser = new Map<number, { movieId: number; rating: number }[]>();
    for (let k = 0; k < train.length; k++) {
      const userId = train.userIds[k]!;
      let rated = byUser.get(userId);
      if (!rated) byUser.set(userId, (rated = []));
      rated.push({ movieId: train.movieIds[k]!, rating: train.ratings[k]! });
    }
    const recommendations = [...byUser].flatMap(([userId, rated]) => {
      const user = userVector(ranking, userId);
      if (!user) return [];
      const exclude = new Set(
        denseItemIndices(
          ranking,
          rated.map((r) => r.movieId),
        ),
      );
      const list = recommendForVector(recommender, user, rated, { n: STORED_TOP_N, exclude });
      return [{ id: userId, list }];
    });
    await writeRankedLists(db, 'recommendations', modelId, recommendations);
    const norms = itemNorms(ranking);
    const similar = Array.from(ranking.itemIds.ids)
      .filter((_, i) => (recommender.support[i] ?? 0) >= SIMILAR_MIN_RATINGS)
      .map((movieId) => ({
        id: movieId,
        list: similarWithSupport(ranking, movieId, {
          n: STORED_SIMILAR_N,
          norms,
          support: recommender.support,
          minRatings: SIMILAR_MIN_RATINGS,
        }),
      }));
    await writeRankedLists(db, 'similar_movies', modelId, similar);
  }
  await saveModelRecord(db, {
    modelId,
    dataset: options.dataset,
    status: 'ready',
    createdAt: new Date(),
    params: options.params,
    metrics: options.metrics,
    artifactsPrefix: modelPrefix(modelId),
  });
  await activateModel(db, modelId);
}

/** The explicit model's per-iteration training curve, as the `models` row shows it. */
export function ratingHistory(rating: AlsModel): Record<string, number>[] {
  return rating.history.map((record) => ({
    iteration: record.iteration,
    seconds: record.seconds,
    ...(record.trainRmse === undefined ? {} : { trainRmse: record.trainRmse }),
  }));
}

/**
 * One keyspace with ml-latest-small ingested and a model bundle published, shared by the serving
 * tests (API, browser, benchmark) and kept between runs: ingesting takes ~90 s on two cores, and
 * the serving tests only read. A run that finds it complete reuses it.
 *
 * The bundle is fitted here, in process, on every rating of the file (as the product publishes
 * it): the ranking model and neighbour model by `fitRecommender` with the product's defaults, the
 * rating model by `trainAls` with the explicit defaults, the content model as Publish fits it
 * (from the ingested movies table). ~15 s. `FIXTURE_VERSION` names what it publishes; change it to
 * make every kept keyspace republish.
 */
export const SERVING_KEYSPACE = 'it_serving_ml_small';
const DATASET = 'ml-latest-small';
const ML_SMALL_RATINGS = 100_836;
const FIXTURE_VERSION = 'bundle-4'; // bundle-4: the default blend w 0.4 (2026-12-08; was 0.5)

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
  const manifest = record
    ? await s3.head(`${record.artifactsPrefix}${BUNDLE_FILES.manifest}`)
    : undefined;
  // A model published before a schema change may lack its stored lists: republish then too.
  const hasLists =
    modelId !== undefined &&
    (await readRankedList(db, 'recommendations', modelId, 1, 1)).length > 0;
  if (!modelId || !manifest || !hasLists || record?.params.fixture !== FIXTURE_VERSION) {
    log('fitting and publishing a model bundle (~15 s)');
    modelId = `serving-fixture-${Date.now().toString(36)}`;
    const table = await readRatingsTable(createReadStream(mlSmall('ratings.csv')));
    const options = DEFAULT_RECOMMENDER_OPTIONS;
    const fitted = fitRecommender(table, options);
    const rating = trainAls(table, {});
    const content = await fitRunContentModel(db, fitted.ranking, fitted.recommender.support);
    await publishBundle(stores, {
      modelId,
      dataset: DATASET,
      bundle: {
        ranking: fitted.ranking,
        neighbours: fitted.neighbours,
        rating,
        blend: fitted.recommender.blend,
        policy: options.policy,
        content,
      },
      // Ingestion's counts over the same file: the support the API derives from the catalogue.
      recommender: fitted.recommender,
      train: table,
      params: {
        fixture: FIXTURE_VERSION,
        implicit: true,
        ...options.als,
        neighbours: options.neighbours,
        blend: fitted.recommender.blend,
        policy: options.policy,
        rating: { rank: rating.rank, reg: rating.options.reg, biases: rating.options.biases },
        topN: STORED_TOP_N,
        similarN: STORED_SIMILAR_N,
        content: content ? { ...content.settings, fittedOn: content.fittedOn } : null,
      },
      metrics: { history: ratingHistory(rating), trainRatings: table.length },
    });
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
