/**
 * Peers on the same data in the same run: our ALS, Spark MLlib ALS (local[cores]) and Surprise SVD
 * all read one exported 80/20 hash split of ml-latest-small, with the same rank, λ, iterations and
 * seed. RMSE is over the test rows whose user and movie are both in the training set (Spark's
 * coldStartStrategy "drop" would drop the others anyway; here all three score the same rows).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainAls } from '../../../lambdas/core/als/train.ts';
import { predictMany } from '../../../lambdas/core/als/model.ts';
import { hashSplit } from '../../../lambdas/core/eval/split.ts';
import { rmse } from '../../../lambdas/core/eval/metrics.ts';
import { readRatingsFile } from '../../../lambdas/adapters/local-files.ts';
import { selectRows, type RatingsTable } from '../../../lambdas/core/ratings.ts';
import { ML_LATEST_SMALL_RATINGS } from '../movielens-fixtures.ts';
import { runTool } from './tool.ts';
import { ensurePeersVenv, peersPython } from './venv.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WORK = join(ROOT, '.local', 'bench-peers');
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export interface PeerSettings {
  rank: number;
  reg: number;
  iterations: number;
  seed: number;
  testFraction: number;
  splitSeed: number;
}

export const DEFAULT_PEER_SETTINGS: PeerSettings = {
  rank: 20,
  reg: 0.15,
  iterations: 15,
  seed: 42,
  testFraction: 0.2,
  splitSeed: 0,
};

function writeCsv(path: string, table: RatingsTable): void {
  const lines = ['userId,movieId,rating,timestamp'];
  for (let i = 0; i < table.length; i++) {
    lines.push(
      `${table.userIds[i]},${table.movieIds[i]},${table.ratings[i]},${Math.round(table.timestamps[i]!)}`,
    );
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/** Test rows whose user and movie both occur in train: every system can score exactly these. */
function warmRows(train: RatingsTable, test: RatingsTable): RatingsTable {
  const users = new Set(train.userIds);
  const movies = new Set(train.movieIds);
  const rows: number[] = [];
  for (let i = 0; i < test.length; i++) {
    if (users.has(test.userIds[i]!) && movies.has(test.movieIds[i]!)) rows.push(i);
  }
  return selectRows(test, Int32Array.from(rows));
}

function ours(train: RatingsTable, test: RatingsTable, s: PeerSettings, biases: boolean) {
  const started = performance.now();
  const model = trainAls(train, {
    rank: s.rank,
    reg: s.reg,
    iterations: s.iterations,
    seed: s.seed,
    biases,
    trackTrainRmse: false,
  });
  const fitSeconds = (performance.now() - started) / 1000;
  const predicted = predictMany(model, test.userIds, test.movieIds);
  return {
    config: biases ? 'defaults (biases)' : 'no biases (Spark’s model)',
    params: { rank: s.rank, reg: s.reg, iterations: s.iterations, seed: s.seed, biases },
    fitSeconds: round(fitSeconds),
    rmse: round(rmse(predicted, test.ratings), 4),
  };
}

async function python(script: string, args: (string | number)[]): Promise<unknown> {
  const result = await runTool(script, peersPython(), [here(script), ...args.map(String)], {
    timeoutMs: 30 * 60_000,
    ok: (r) => (r.stdout.trim().split('\n').pop() ?? '').startsWith('{'),
  });
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as unknown;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function runPeers(
  log: (line: string) => void,
  settings: PeerSettings = DEFAULT_PEER_SETTINGS,
) {
  await ensurePeersVenv(log);
  mkdirSync(WORK, { recursive: true });
  const table = await readRatingsFile(ML_LATEST_SMALL_RATINGS);
  const split = hashSplit(table, { test: settings.testFraction, seed: settings.splitSeed });
  const test = warmRows(split.train, split.test);
  const trainPath = join(WORK, 'train.csv');
  const testPath = join(WORK, 'test.csv');
  writeCsv(trainPath, split.train);
  writeCsv(testPath, test);
  log(
    `split: ${split.train.length} train, ${test.length} test (of ${split.test.length}; warm rows)`,
  );
  const s = settings;
  const cores = availableParallelism();
  log('ours: trainAls');
  const oursRuns = [ours(split.train, test, s, true), ours(split.train, test, s, false)];
  // Both peers take the split and the matched settings, in this order; Spark then its core count.
  const matched = [trainPath, testPath, s.rank, s.reg, s.iterations, s.seed];
  log(`spark: ALS local[${cores}]`);
  const spark = await python('spark_als.py', [...matched, cores]);
  log('surprise: SVD');
  const surprise = await python('surprise_svd.py', matched);
  return {
    dataset: 'ml-latest-small',
    split: {
      method: `hashSplit(test ${s.testFraction}, seed ${s.splitSeed}); test = rows whose user and movie are in train`,
      train: split.train.length,
      test: test.length,
      coldTestRowsLeftOut: split.test.length - test.length,
      files: [relative(ROOT, trainPath), relative(ROOT, testPath)],
    },
    settings: s,
    ours: { engine: 'trainAls (lambdas/core/als), one thread', runs: oursRuns },
    spark,
    surprise,
    notes: [
      'Spark MLlib ALS has no bias terms: compare it with our "no biases" row for the same model, and with our defaults for what each system gives out of the box.',
      'Spark fitSeconds excludes JVM/SparkSession start-up (startupSeconds) and counts the factor RDDs so lazy work is included.',
      'Surprise SVD is SGD, not ALS: "matched" uses n_factors = rank, reg_all = λ (the same per-rating penalty as weighted-λ ALS), n_epochs = iterations; "defaults" is SVD() as shipped.',
      'All times are single-machine wall seconds on the cores listed in machine; Spark uses every core, ours and Surprise one.',
    ],
  };
}
