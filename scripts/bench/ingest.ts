/**
 * Ingestion benchmark: ratings per second into the local Cassandra through the real ingest state
 * machine (`recsys ingest`: chunk Lambdas in worker threads, into ratings_by_user), for
 * ml-latest-small and a generated data set, and the same rows through `cqlsh COPY FROM` (cqlsh
 * from PyPI, installed into .local/venv; `npm run bench -- --peers` passes the pinned one from
 * .local/venv-peers in $RECSYS_CQLSH) for comparison. Writes bench/results/ingest.json.
 *
 *   npm run bench:ingest -- [--ratings 5000000] [--sets small,generated] [--skip-cqlsh] [--no-warmup]
 *
 * The results file is keyed by data set: a run replaces the entries of the sets it measured and
 * keeps the others (the 5M run takes tens of minutes on 2 cores).
 *
 * cqlsh COPY loads one table per command from a file whose columns match it: the ratings file
 * for ratings_by_user, the one table ingestion writes (core/ingest/write-budget.ts,
 * RATINGS_TABLES). Both sides write the same row per rating into empty keyspaces, back to back on
 * the same server: ours, then COPY, per data set, after one untimed warm-up ingest
 * (--no-warmup skips it) so that neither loader pays for the server's JIT alone. Cassandra and the
 * loaders share this machine's cores, so rates are per machine, not per core; each loader's load
 * average and CPU seconds (its own process and children, and the Cassandra JVM's when the launcher
 * runs it) are recorded beside its rate.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { LocalSfnEvent } from '../runtime/local-sfn/index.ts';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CassandraStore,
  LOCAL_SUPERUSER,
  cassandraConfigFromEnv,
} from '../../lambdas/adapters/cassandra.ts';
import { RATINGS_TABLES } from '../../lambdas/core/ingest/write-budget.ts';
import { cassandraStatus, ensureCassandra } from '../runtime/cassandra/local-cassandra.ts';
import { runLocalIngest } from '../runtime/ingest/run-local-ingest.ts';
import { writeDataset } from '../runtime/datasets/write-dataset.ts';
import { ensureS3 } from '../runtime/s3/local-s3.ts';
import { ensureMotoVenv, venvPython } from '../runtime/s3/moto-venv.ts';
import { s3Paths } from '../runtime/s3/settings.ts';
import { arg } from './args.ts';
import { processCpuSeconds, resultsDir } from './machine.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';
import { runTool } from './peers/tool.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ML_SMALL = dirname(ML_LATEST_SMALL_RATINGS);
const WORK = join(ROOT, '.local', 'bench-ingest');
const CQLSH_VERSION = '6.2.2';

/** CPU seconds a loader used while it loaded: its own (and its children's), and Cassandra's. */
interface CpuSeconds {
  loader: number;
  /** The Cassandra JVM's, when the launcher runs it (no figure for Docker or someone else's). */
  cassandra?: number;
  /** Both, per rating: what one rating cost the machine. */
  microsecondsPerRating?: number;
}

interface CqlshMeasurement {
  byUserSeconds: number;
  ratingsPerSecond: number;
  rowsWrittenPerSecond: number;
  /** 1-minute load average before and after the COPY command. */
  loadAverage?: readonly [number, number];
  cpuSeconds?: CpuSeconds;
}

interface Measurement {
  dataset: string;
  /** The tables both loaders wrote, one row per rating each (ingestion's RATINGS_TABLES). */
  tables: readonly string[];
  ratings: number;
  chunks: number;
  /** Wall seconds of the Map over chunks (reading, validating, writing). */
  chunkStageSeconds: number;
  /** Wall seconds of the whole `recsys ingest`, upload, catalogue and aggregate included. */
  totalSeconds: number;
  ratingsPerSecond: number;
  rowsWrittenPerSecond: number;
  /** Wall seconds per stage of `recsys ingest`. */
  stageSeconds: Readonly<Record<string, number>>;
  /** 1-minute load average before and after: other processes on the machine skew the rates. */
  loadAverage: readonly [number, number];
  /** When this row was measured: a run keeps the rows of sets it did not measure. */
  measuredAt?: string;
  /** CPU seconds during the chunk Map (this process's threads, the handler workers included). */
  cpuSeconds?: CpuSeconds;
  cqlsh?: CqlshMeasurement;
  /** ratingsPerSecond over cqlsh's, measured back to back on the same server. */
  vsCqlsh?: number;
}

/** The launcher's Cassandra JVM, whose CPU time can be read; undefined for Docker or another's. */
async function cassandraPid(): Promise<number | undefined> {
  return (await cassandraStatus()).pid;
}

function cpuFigures(loader: number, cassandra: number | undefined, ratings: number): CpuSeconds {
  return {
    loader: round(loader),
    ...(cassandra === undefined
      ? {}
      : {
          cassandra: round(cassandra),
          microsecondsPerRating: Math.round(((loader + cassandra) / ratings) * 1e6),
        }),
  };
}

const log = (line: string) => void process.stderr.write(`bench:ingest ${line}\n`);

async function dropKeyspace(keyspace: string): Promise<void> {
  const db = new CassandraStore(
    cassandraConfigFromEnv({ ...process.env, RECSYS_KEYSPACE: keyspace }),
  );
  try {
    await db.dropKeyspace();
  } finally {
    await db.shutdown();
  }
}

async function measureOurs(
  dataset: string,
  dir: string,
  keyspace: string,
  serverPid: number | undefined,
): Promise<Measurement> {
  await dropKeyspace(keyspace);
  const loadBefore = os.loadavg()[0]!;
  log(`recsys ingest ${dir} → keyspace ${keyspace}`);
  // CPU over the chunk Map only, as its wall time: this process (the handler workers are threads of
  // it) and the Cassandra JVM.
  let atStart: { self: NodeJS.CpuUsage; server: number | undefined } | undefined;
  let chunkCpu: { loader: number; server: number | undefined } | undefined;
  const onEvent = (event: LocalSfnEvent) => {
    if (event.stateName !== 'IngestChunks' || event.index !== undefined) return;
    const server = serverPid === undefined ? undefined : processCpuSeconds(serverPid);
    if (event.type === 'StateEntered') atStart = { self: process.cpuUsage(), server };
    if (event.type === 'StateExited' && atStart) {
      const used = process.cpuUsage(atStart.self);
      chunkCpu = {
        loader: (used.user + used.system) / 1e6,
        server:
          server === undefined || atStart.server === undefined
            ? undefined
            : server - atStart.server,
      };
    }
  };
  const result = await runLocalIngest({ dir, dataset, keyspace, log, progress: false, onEvent });
  await dropKeyspace(keyspace);
  const ratings = result.counts.rowsAccepted ?? 0;
  const chunkStageSeconds = result.seconds.chunks ?? result.seconds.total!;
  return {
    dataset,
    tables: RATINGS_TABLES,
    ratings,
    chunks: result.counts.chunks ?? 0,
    chunkStageSeconds,
    totalSeconds: result.seconds.total!,
    ratingsPerSecond: Math.round(ratings / chunkStageSeconds),
    rowsWrittenPerSecond: Math.round((RATINGS_TABLES.length * ratings) / chunkStageSeconds),
    stageSeconds: result.seconds,
    loadAverage: [round(loadBefore), round(os.loadavg()[0]!)],
    measuredAt: new Date().toISOString(),
    ...(chunkCpu ? { cpuSeconds: cpuFigures(chunkCpu.loader, chunkCpu.server, ratings) } : {}),
  };
}

async function ensureCqlsh(): Promise<string> {
  // `npm run bench -- --peers` brings its own pinned cqlsh (scripts/bench/peers/requirements.txt).
  if (process.env.RECSYS_CQLSH) return process.env.RECSYS_CQLSH;
  const paths = s3Paths();
  await ensureMotoVenv(paths, process.env.PYTHON ?? 'python3', log);
  const cqlsh = join(paths.venvDir, 'bin', 'cqlsh');
  if (!existsSync(cqlsh)) {
    log(`installing cqlsh ${CQLSH_VERSION} into ${paths.venvDir}`);
    await runTool(
      'pip install cqlsh',
      venvPython(paths.venvDir),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `cqlsh==${CQLSH_VERSION}`],
      { timeoutMs: 10 * 60_000 },
    );
  }
  return cqlsh;
}

async function cqlshCopy(cqlsh: string, contact: string, statement: string): Promise<number> {
  const [host, port] = contact.split(':');
  const started = performance.now();
  // The local server enforces logins: COPY runs as its superuser, as our bulk load does.
  const login = ['-u', LOCAL_SUPERUSER.username, '-p', LOCAL_SUPERUSER.password];
  const args = [host!, port ?? '9042', ...login, '--request-timeout=120', '-e', statement];
  await runTool('cqlsh', cqlsh, args, {
    timeoutMs: 60 * 60_000,
    ok: (result) => /rows imported/.test(result.stdout),
    hint: process.env.RECSYS_CQLSH
      ? 'RECSYS_CQLSH names it; `npm run bench -- --peers` installs it into .local/venv-peers'
      : undefined,
  });
  return (performance.now() - started) / 1000;
}

async function measureCqlsh(
  cqlsh: string,
  contact: string,
  ratingsPath: string,
  ratings: number,
  serverPid: number | undefined,
): Promise<CqlshMeasurement> {
  const keyspace = 'bench_ingest_cqlsh';
  await dropKeyspace(keyspace);
  const db = new CassandraStore(
    cassandraConfigFromEnv({ ...process.env, RECSYS_KEYSPACE: keyspace }),
  );
  try {
    await db.migrate();
  } finally {
    await db.shutdown();
  }
  const loadBefore = os.loadavg()[0]!;
  // cqlsh and the worker processes it starts are reaped children: their CPU lands in ours.
  const childrenBefore = processCpuSeconds('self', true);
  const serverBefore = serverPid === undefined ? undefined : processCpuSeconds(serverPid);
  log(`cqlsh COPY ${ratingsPath} → ${keyspace}.ratings_by_user`);
  // The same tables as ours: COPY below loads ratings_by_user, so a second ratings table in
  // RATINGS_TABLES would need its own COPY here before the two rates compare.
  if (RATINGS_TABLES.join() !== 'ratings_by_user') {
    throw new Error(
      `cqlsh COPY loads ratings_by_user only; ingestion writes ${RATINGS_TABLES.join(', ')}`,
    );
  }
  const byUserSeconds = await cqlshCopy(
    cqlsh,
    contact,
    `COPY ${keyspace}.ratings_by_user (user_id, movie_id, rating, rated_at) FROM '${ratingsPath}' WITH HEADER = true`,
  );
  const loadAfter = os.loadavg()[0]!;
  const childrenAfter = processCpuSeconds('self', true);
  const serverAfter = serverPid === undefined ? undefined : processCpuSeconds(serverPid);
  await dropKeyspace(keyspace);
  return {
    byUserSeconds: round(byUserSeconds),
    ratingsPerSecond: Math.round(ratings / byUserSeconds),
    rowsWrittenPerSecond: Math.round((RATINGS_TABLES.length * ratings) / byUserSeconds),
    loadAverage: [round(loadBefore), round(loadAfter)],
    ...(childrenBefore === undefined || childrenAfter === undefined
      ? {}
      : {
          cpuSeconds: cpuFigures(
            childrenAfter - childrenBefore,
            serverBefore === undefined || serverAfter === undefined
              ? undefined
              : serverAfter - serverBefore,
            ratings,
          ),
        }),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const generatedRatings = Number(arg('ratings') ?? 5_000_000);
  const skipCqlsh = process.argv.includes('--skip-cqlsh');
  const wanted = new Set((arg('sets') ?? 'small,generated').split(','));
  if (wanted.has('small') && !existsSync(join(ML_SMALL, 'ratings.csv'))) {
    // Measuring nothing and writing an empty results file would look like success.
    throw new Error(
      `ml-latest-small not found at ${ML_SMALL}; set RECSYS_ML_SMALL_DIR to its folder`,
    );
  }
  mkdirSync(WORK, { recursive: true });
  const [, cassandra] = await Promise.all([ensureS3({ log }), ensureCassandra({ log })]);
  const cqlsh = skipCqlsh ? undefined : await ensureCqlsh();

  const generatedDir = join(WORK, `generated-${generatedRatings}`);
  if (wanted.has('generated') && !existsSync(join(generatedDir, 'generator.json'))) {
    log(`generating ${generatedRatings} ratings into ${generatedDir}`);
    await writeDataset(generatedDir, { ratings: generatedRatings });
  }
  const sets = [
    ...(wanted.has('small') ? [{ name: 'ml-latest-small', dir: ML_SMALL }] : []),
    ...(wanted.has('generated')
      ? [{ name: `generated-${generatedRatings}`, dir: generatedDir }]
      : []),
  ];
  const serverPid = await cassandraPid();
  if (!process.argv.includes('--no-warmup') && existsSync(join(ML_SMALL, 'ratings.csv'))) {
    // A fresh server compiles its write path (jvm.ts, jitArguments) during its first bulk load;
    // whichever loader came first would pay for it alone.
    log('warm-up: one untimed ingest of ml-latest-small');
    await measureOurs('ml-latest-small', ML_SMALL, 'bench_ingest_warmup', undefined);
  }
  const results: Measurement[] = [];
  for (const set of sets) {
    const ours = await measureOurs(set.name, set.dir, `bench_ingest_${results.length}`, serverPid);
    if (cqlsh) {
      ours.cqlsh = await measureCqlsh(
        cqlsh,
        cassandra.contactPoint,
        join(set.dir, 'ratings.csv'),
        ours.ratings,
        serverPid,
      );
      ours.vsCqlsh = round(ours.ratingsPerSecond / ours.cqlsh.ratingsPerSecond);
    }
    results.push(ours);
    const vs = ours.cqlsh
      ? `; cqlsh COPY ${ours.cqlsh.ratingsPerSecond} ratings/s (${ours.cqlsh.rowsWrittenPerSecond} rows/s, ` +
        `load ${ours.cqlsh.loadAverage?.join(' → ')}): ${ours.vsCqlsh}×`
      : '';
    console.log(
      `${set.name}: ${ours.ratings} ratings, ${ours.ratingsPerSecond} ratings/s ` +
        `(${ours.rowsWrittenPerSecond} rows/s, ${ours.chunks} chunks, ${ours.totalSeconds} s in all, ` +
        `load ${ours.loadAverage.join(' → ')})${vs}`,
    );
    // Written after each data set, so a long run that is stopped keeps what it measured.
    writeReport(results);
  }
  log(`wrote ${join(resultsDir(), 'ingest.json')}`);
}

function writeReport(measured: readonly Measurement[]): void {
  const path = join(resultsDir(), 'ingest.json');
  const earlier: Measurement[] = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as { results: Measurement[] }).results
    : [];
  const results = [
    ...earlier.filter((old) => !measured.some((now) => now.dataset === old.dataset)),
    ...measured,
  ].sort((a, b) => a.ratings - b.ratings);
  const report = {
    generatedAt: new Date().toISOString(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    node: process.version,
    note:
      'ratingsPerSecond: ratings / wall seconds of the chunk Map (every table of `tables` written). ' +
      'cqlsh: COPY FROM into the same tables, one command each, default options, right after ' +
      'ours on the same server; vsCqlsh = ours / cqlsh ratings per second. cpuSeconds: CPU used ' +
      "while loading, the loader's (this process or cqlsh and its children) and Cassandra's. " +
      'Cassandra, the loaders and anything else running share the cores: see loadAverage.',
    results,
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
}

await main();
