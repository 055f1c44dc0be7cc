import type { CassandraStore } from '../../adapters/cassandra.ts';
import { S3ObjectNotFoundError, type S3Store } from '../../adapters/s3.ts';
import type { ScoredMovie } from '../../core/als/index.ts';
import type { WritePace } from '../../core/ingest/pacer.ts';
import {
  BUNDLE_FILES,
  decodeBundle,
  encodeBundle,
  type ModelBundle,
} from '../../core/recommender/bundle.ts';
import { modelParamsOf } from '../../core/train/heads.ts';

/**
 * Model versions: the contract between training (writes) and serving (reads). A model is a row in
 * `models`, its binary factors in S3 under `models/<id>/`, its top-N lists in `recommendations` and
 * `similar_movies`; `active_model` points at the one that serves, and switching it is one write.
 */
export type ModelStatus = 'training' | 'ready' | 'failed';

export interface ModelRecord {
  modelId: string;
  dataset: string;
  status: ModelStatus;
  createdAt: Date;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  artifactsPrefix: string;
}

const ACTIVE_SLOT = 'active';

export function modelPrefix(modelId: string): string {
  return `models/${modelId}/`;
}

function toRecord(row: { get(name: string): unknown }): ModelRecord {
  const json = (name: string) =>
    JSON.parse(String(row.get(name) ?? '{}')) as Record<string, unknown>;
  return {
    modelId: String(row.get('model_id')),
    dataset: String(row.get('dataset') ?? ''),
    status: String(row.get('status')) as ModelStatus,
    createdAt: row.get('created_at') as Date,
    // Rows written before the two models were named keep the rating model's settings on top.
    params: modelParamsOf(json('params')),
    metrics: json('metrics'),
    artifactsPrefix: String(row.get('artifacts_prefix') ?? ''),
  };
}

export async function saveModelRecord(db: CassandraStore, record: ModelRecord): Promise<void> {
  await db.execute(
    `INSERT INTO ${db.table('models')} (model_id, dataset, status, created_at, params, metrics, artifacts_prefix) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      record.modelId,
      record.dataset,
      record.status,
      record.createdAt,
      JSON.stringify(record.params),
      JSON.stringify(record.metrics),
      record.artifactsPrefix,
    ],
    { idempotent: true },
  );
}

export async function getModelRecord(
  db: CassandraStore,
  modelId: string,
): Promise<ModelRecord | undefined> {
  const result = await db.execute(`SELECT * FROM ${db.table('models')} WHERE model_id = ?`, [
    modelId,
  ]);
  const row = result.first();
  return row ? toRecord(row) : undefined;
}

/** Every model version, newest first (the table holds one row per training run: small). */
export async function listModels(db: CassandraStore): Promise<ModelRecord[]> {
  const models: ModelRecord[] = [];
  for await (const row of db.rows(`SELECT * FROM ${db.table('models')}`))
    models.push(toRecord(row));
  return models.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/** Points serving at a model; refuses anything that did not finish training. */
export async function activateModel(db: CassandraStore, modelId: string): Promise<void> {
  const record = await getModelRecord(db, modelId);
  if (!record) throw new Error(`unknown model ${modelId}`);
  if (record.status !== 'ready') throw new Error(`model ${modelId} is ${record.status}, not ready`);
  await db.execute(
    `INSERT INTO ${db.table('active_model')} (slot, model_id, activated_at) VALUES (?, ?, ?)`,
    [ACTIVE_SLOT, modelId, new Date()],
    { idempotent: true },
  );
}

export async function activeModelId(db: CassandraStore): Promise<string | undefined> {
  const result = await db.execute(
    `SELECT model_id FROM ${db.table('active_model')} WHERE slot = ?`,
    [ACTIVE_SLOT],
  );
  const id = result.first()?.get('model_id');
  return id ? String(id) : undefined;
}

/** Writes every file of a model version under `models/<id>/`, the manifest last. */
export async function saveModelBundle(
  s3: S3Store,
  modelId: string,
  bundle: ModelBundle,
): Promise<void> {
  const files = encodeBundle(bundle);
  const prefix = modelPrefix(modelId);
  await Promise.all(
    [...files]
      .filter(([name]) => name !== BUNDLE_FILES.manifest)
      .map(([name, bytes]) => s3.putObject(prefix + name, bytes, 'application/octet-stream')),
  );
  await s3.putObject(
    prefix + BUNDLE_FILES.manifest,
    files.get(BUNDLE_FILES.manifest)!,
    'application/json',
  );
}

/** A model version's bundle (a version-1 model, only `model.bin`, loads as a bundle of one). */
export async function loadModelBundle(s3: S3Store, artifactsPrefix: string): Promise<ModelBundle> {
  return decodeBundle(async (name) => {
    try {
      return new Uint8Array(await s3.getBuffer(artifactsPrefix + name));
    } catch (error) {
      if (error instanceof S3ObjectNotFoundError) return undefined;
      throw error;
    }
  });
}

export type RankedTable = 'recommendations' | 'similar_movies';

/** Where each kind of list lives: one row per list (see the schema for why). */
const RANKED_TABLES: Record<RankedTable, { table: string; key: string }> = {
  recommendations: { table: 'recommendation_lists', key: 'user_id' },
  similar_movies: { table: 'similar_movie_lists', key: 'movie_id' },
};

export interface RankedList {
  /** The user id (recommendations) or movie id (similar movies) the list belongs to. */
  readonly id: number;
  readonly list: readonly ScoredMovie[];
}

/**
 * Writes ranked lists (users' top-N or movies' neighbours), one row each; rewriting one is
 * idempotent. `pace`, if given, is awaited before each row (training's output writers, on
 * Keyspaces: train/output-lists.ts).
 */
export async function writeRankedLists(
  db: CassandraStore,
  kind: RankedTable,
  modelId: string,
  lists: readonly RankedList[],
  concurrency = 16,
  pace?: WritePace,
): Promise<void> {
  const { table, key } = RANKED_TABLES[kind];
  await db.executeMany(
    `INSERT INTO ${db.table(table)} (model_id, ${key}, movie_ids, scores) VALUES (?, ?, ?, ?)`,
    lists.map(({ id, list }) => [
      modelId,
      id,
      list.map((m) => m.movieId),
      list.map((m) => m.score),
    ]),
    concurrency,
    pace,
  );
}

/** The first `limit` entries of one stored list, best first; [] when there is none. */
export async function readRankedList(
  db: CassandraStore,
  kind: RankedTable,
  modelId: string,
  id: number,
  limit: number,
): Promise<ScoredMovie[]> {
  const { table, key } = RANKED_TABLES[kind];
  const result = await db.execute(
    `SELECT movie_ids, scores FROM ${db.table(table)} WHERE model_id = ? AND ${key} = ?`,
    [modelId, id],
  );
  const row = result.rows[0];
  if (!row) return [];
  const ids = (row.get('movie_ids') as number[] | null) ?? [];
  const scores = (row.get('scores') as number[] | null) ?? [];
  return ids.slice(0, limit).map((movieId, k) => ({ movieId, score: scores[k]! }));
}
