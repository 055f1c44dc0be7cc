/**
 * What the load tests (`npm run test:load`, `npm run test:load:feedback`) share: the local
 * Cassandra and S3, a keyspace of their own holding a generated MovieLens-shaped data set and the
 * models they need (built on the first run, about a minute, reused after), the machine's load,
 * and the result file. Each test owns its keyspace, so what it writes or activates never disturbs
 * another test's.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { CassandraStore, cassandraConfigFromEnv } from '../../lambdas/adapters/cassandra.ts';
import { readDatasetStatus } from '../../lambdas/services/datasets/registry.ts';
import { getModelRecord } from '../../lambdas/services/models/registry.ts';
import { ensureCassandra } from '../runtime/cassandra/local-cassandra.ts';
import { ensureS3 } from '../runtime/s3/local-s3.ts';
import { REPO_ROOT } from '../../web/build/build-web.ts';

/** The data set every load keyspace ingests: one generated file, shared between keyspaces. */
const DATASET = 'load-gen';
const BIN = join(REPO_ROOT, 'bin', 'recsys.mjs');

export const log = (line: string) => void process.stderr.write(`[load] ${line}\n`);

export interface LoadModel {
  readonly modelId: string;
  readonly seed: number;
}

function recsys(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`recsys ${args[0]} exited ${code}: ${stderr.slice(-1500)}`)),
    );
  });
}

async function prepare(db: CassandraStore, models: readonly LoadModel[]): Promise<void> {
  await db.migrate();
  const status = await readDatasetStatus(db, DATASET);
  if (status?.status !== 'ready') {
    const dir = join(REPO_ROOT, '.local', 'load-data', DATASET);
    if (!existsSync(join(dir, 'ratings.csv'))) {
      log('generating 40,000 MovieLens-shaped ratings');
      await recsys(['generate', '--out', dir, '--ratings', '40000', '--seed', '7', '--force']);
    }
    log(`ingesting into ${db.keyspace}`);
    await recsys(['ingest', '--dir', dir, '--name', DATASET, '--keyspace', db.keyspace]);
  }
  for (const { modelId, seed } of models) {
    const record = await getModelRecord(db, modelId);
    if (record?.status === 'ready') continue;
    log(`training ${modelId} (seed ${seed})`);
    await recsys([
      'train',
      '--keyspace',
      db.keyspace,
      '--model-id',
      modelId,
      '--seed',
      String(seed),
      '--iterations',
      '5',
      '--min-ratings',
      '5',
      '--no-activate',
    ]);
  }
}

/**
 * Starts (or reuses) the local Cassandra and S3, points this process and the servers it starts
 * at them, and returns a store on `keyspace` with the data set ingested and `models` trained
 * (none activated: each test activates what it needs).
 */
export async function openLoadKeyspace(
  keyspace: string,
  models: readonly LoadModel[],
): Promise<CassandraStore> {
  const [cassandra, s3] = await Promise.all([ensureCassandra({ log }), ensureS3({ log })]);
  process.env.CASSANDRA_CONTACT_POINTS = cassandra.contactPoint;
  process.env.S3_ENDPOINT = s3.endpoint;
  const db = new CassandraStore(
    cassandraConfigFromEnv({ ...process.env, RECSYS_KEYSPACE: keyspace }),
  );
  await prepare(db, models);
  return db;
}

/** The 1-minute load average, to two decimals: client, server and Cassandra share the cores. */
export function loadAverage(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

export function machine(loadAverageAtStart: number) {
  return { cpus: cpus().length, loadAverageAtStart, loadAverageAtEnd: loadAverage() };
}

/** Writes bench/results/<name>.json and prints the summary as one line on stdout. */
export function writeLoadResult(name: string, summary: object): void {
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(summary, null, 2) + '\n');
  console.log(JSON.stringify(summary));
}
