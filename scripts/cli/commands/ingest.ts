import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CassandraStore, cassandraConfigFromEnv } from '../../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../../lambdas/adapters/s3.ts';
import { assertDatasetName } from '../../../lambdas/core/ingest/workflow-types.ts';
import { countStoredRows, readDatasetStatus } from '../../../lambdas/services/datasets/registry.ts';
import {
  fetchMovieLens,
  MOVIELENS_ARCHIVES,
  OfflineError,
  type MovieLensName,
} from '../../runtime/datasets/fetch-movielens.ts';
import { runLocalIngest } from '../../runtime/ingest/run-local-ingest.ts';
import { uploadDataset } from '../../runtime/ingest/upload-dataset.ts';
import { action, intOption, UserError } from '../lib/cli-support.ts';

const DATA_DIR = fileURLToPath(new URL('../../../data/', import.meta.url));

function datasetName(name: string | undefined, dir: string): string {
  const chosen = name ?? basename(resolve(dir));
  try {
    return assertDatasetName(chosen);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

function bytesBar(label: string): SingleBar {
  return new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% | {value}/{total} bytes | {eta_formatted} left`,
  });
}

export function registerIngestCommands(program: Command): void {
  program
    .command('upload')
    .description('upload a MovieLens folder to s3://BUCKET/datasets/NAME/, manifest last')
    .requiredOption(
      '--dir <dir>',
      'MovieLens folder (ratings.csv, movies.csv, tags.csv, links.csv)',
    )
    .option('--name <name>', 'data set name (default: the folder name)')
    .option('--bucket <bucket>', 'bucket (default: $RECSYS_BUCKET or recsys-local)')
    .option('--endpoint <url>', 'S3 endpoint (default: $S3_ENDPOINT; unset means AWS)')
    .action(
      action(async (opts: { dir: string; name?: string; bucket?: string; endpoint?: string }) => {
        const env = {
          ...process.env,
          ...(opts.bucket ? { RECSYS_BUCKET: opts.bucket } : {}),
          ...(opts.endpoint ? { S3_ENDPOINT: opts.endpoint } : {}),
        };
        const s3 = new S3Store(s3ConfigFromEnv(env));
        const bar = bytesBar('upload');
        let started = false;
        try {
          const result = await uploadDataset({
            dir: opts.dir,
            dataset: datasetName(opts.name, opts.dir),
            s3,
            onProgress: (sent, total) => {
              if (!started) bar.start(total, 0);
              started = true;
              bar.update(sent);
            },
          });
          bar.stop();
          console.log(
            JSON.stringify({
              bucket: s3.bucket,
              manifest: result.manifestKey,
              files: result.manifest.files.length,
              bytes: result.bytes,
              seconds: Number(result.seconds.toFixed(2)),
            }),
          );
        } finally {
          bar.stop();
          s3.destroy();
        }
      }),
    );

  program
    .command('fetch')
    .description(`download a MovieLens release from GroupLens into data/ (checksum verified)`)
    .argument('<name>', Object.keys(MOVIELENS_ARCHIVES).join('|'))
    .option('--timeout <seconds>', 'give up on GroupLens after this long', intOption(1, 3600), 20)
    .action(
      action(async (name: string, opts: { timeout: number }) => {
        if (!(name in MOVIELENS_ARCHIVES)) {
          throw new UserError(
            `unknown data set "${name}": use ${Object.keys(MOVIELENS_ARCHIVES).join(', ')}`,
          );
        }
        const bar = bytesBar('fetch');
        let started = false;
        try {
          const result = await fetchMovieLens({
            name: name as MovieLensName,
            dataDir: DATA_DIR,
            timeoutSeconds: opts.timeout,
            onProgress: (received, total) => {
              if (!started) bar.start(total ?? 0, 0);
              started = true;
              bar.update(received);
            },
          });
          bar.stop();
          if (!result.verified) console.error(`warning: GroupLens publishes no md5 for ${name}`);
          console.log(JSON.stringify(result));
        } catch (error) {
          throw error instanceof OfflineError ? new UserError(error.message) : error;
        } finally {
          bar.stop();
        }
      }),
    );

  program
    .command('ingest')
    .description('run the ingest state machine locally (local S3 + Cassandra, started if needed)')
    .requiredOption('--dir <dir>', 'MovieLens folder')
    .option('--name <name>', 'data set name (default: the folder name)')
    .option('--keyspace <name>', 'keyspace (default: $RECSYS_KEYSPACE or recsys)')
    .option(
      '--chunk-bytes <n>',
      'bytes of ratings per chunk Lambda (default: ~8 chunks)',
      intOption(65_536),
    )
    .option(
      '--min-ratings <n>',
      'training filter: ratings a movie needs (recorded, nothing deleted)',
      intOption(0),
    )
    .option('--workers <n>', 'handler worker threads (default: one per core)', intOption(1, 64))
    .action(
      action(
        async (opts: {
          dir: string;
          name?: string;
          keyspace?: string;
          chunkBytes?: number;
          minRatings?: number;
          workers?: number;
        }) => {
          const result = await runLocalIngest({
            dir: opts.dir,
            dataset: datasetName(opts.name, opts.dir),
            ...(opts.keyspace ? { keyspace: opts.keyspace } : {}),
            ...(opts.chunkBytes ? { chunkBytes: opts.chunkBytes } : {}),
            ...(opts.minRatings !== undefined ? { minRatingsPerMovie: opts.minRatings } : {}),
            ...(opts.workers ? { workers: opts.workers } : {}),
            progress: true,
            onHandlerLog: (line) => {
              if (/"level":"(ERROR|WARN)"/.test(line)) process.stderr.write(line + '\n');
            },
          });
          console.log(JSON.stringify(result));
        },
      ),
    );

  program
    .command('stats')
    .description('counts of the ingested data set (ratings, movies, users, tags) from Cassandra')
    .option('--json', 'print one JSON object')
    .option('--name <name>', 'data set (default: the latest ready one)')
    .option('--keyspace <name>', 'keyspace (default: $RECSYS_KEYSPACE or recsys)')
    .option('--scan', 'count by reading every stored row instead of the recorded counts')
    .action(
      action(async (opts: { json?: boolean; name?: string; keyspace?: string; scan?: boolean }) => {
        const env = opts.keyspace
          ? { ...process.env, RECSYS_KEYSPACE: opts.keyspace }
          : process.env;
        const db = new CassandraStore(cassandraConfigFromEnv(env));
        try {
          const status = await readDatasetStatus(db, opts.name).catch((error: Error) => {
            throw new UserError(`cannot read keyspace ${db.keyspace}: ${error.message}`);
          });
          if (!status && !opts.scan) {
            throw new UserError(
              opts.name
                ? `no data set "${opts.name}" in keyspace ${db.keyspace}`
                : `no ingested data set in keyspace ${db.keyspace}; run recsys ingest first`,
            );
          }
          const counts = opts.scan ? await countStoredRows(db) : status!.counts;
          const report = {
            dataset: status?.dataset ?? null,
            status: status?.status ?? null,
            ratings: counts.ratings ?? 0,
            movies: counts.movies ?? 0,
            users: counts.users ?? 0,
            tags: counts.tags ?? 0,
            counts: status?.counts ?? {},
            rejected: status?.rejected ?? {},
            timings: status?.timings ?? {},
            minRatingsPerMovie: status?.minRatingsPerMovie ?? null,
            updatedAt: status?.updatedAt ?? null,
            source: opts.scan ? 'scan' : 'datasets',
          };
          if (opts.json) {
            console.log(JSON.stringify(report));
          } else {
            console.log(
              `${report.dataset ?? '(keyspace ' + db.keyspace + ')'}: ${report.ratings} ratings, ` +
                `${report.movies} movies, ${report.users} users, ${report.tags} tags` +
                (report.status ? ` (${report.status})` : ''),
            );
          }
        } finally {
          await db.shutdown();
        }
      }),
    );
}
