/**
 * `npm run bench -- --only scale`: a 25,000,000-rating data set of ml-25m's shape (`recsys generate
 * --ratings 25000000`: ~162k users, ~62k movies; cached under .local/bench/) through the whole local
 * pipeline with the product defaults: ingest (runLocalIngest) → train (runLocalTrain: the default
 * model, the block count Plan picks from the data's size) → serve (`recsys serve`, then the API's
 * latency on the resulting model). Writes bench/results/scale.json.
 *
 *   tsx scripts/bench/scale.ts [--quick] [--ratings N] [--seed S] [--keyspace K] [--bucket B] [--keep]
 *     [--movies M --users U] [--out bench/results/scale.json]
 *
 * Recorded: wall time and ratings/s of every stage and the train state machine's seconds per state;
 * peak RSS per stage of this process (handler workers included), the Cassandra JVM, the S3 server
 * and `recsys serve` (process-memory.ts); each Task's memory in its handler worker as a Lambda would
 * hold it (scripts/runtime/local-sfn/task-memory.ts) against the memory the stack gives its function (the
 * synthesized stack, `maxMemoryMb` cap included); the goals (pipeline ≤ 25 min, issue 22; no Task over its
 * Lambda's memory). --quick: 200,000 ratings, a few minutes. Environment: BENCH_API_SECONDS (8),
 * BENCH_API_CONNECTIONS (10); RECSYS_CASSANDRA_STATE_DIR / CASSANDRA_PORT pick another Cassandra.
 * --movies / --users: the generator's catalogue and user counts instead of its defaults for
 * --ratings: ml-25m's 62,423 movies with a tenth of its ratings is a model the size of ml-25m's
 * to serve (a fold-in's cost is the catalogue's, not the ratings') that trains in minutes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CassandraStore, cassandraConfigFromEnv } from '../../lambdas/adapters/cassandra.ts';
import type { GeneratorMetadata } from '../../lambdas/core/generator/dataset.ts';
import { runLocalIngest } from '../runtime/ingest/run-local-ingest.ts';
import { synthRecsys } from '../tools/infra/synth.ts';
import { ensureLocalServices } from '../runtime/local-pipeline.ts';
import { writeDataset } from '../runtime/datasets/write-dataset.ts';
import { observeTaskMemory } from '../runtime/local-sfn/index.ts';
import { s3Status } from '../runtime/s3/local-s3.ts';
import { runLocalTrain } from '../runtime/train/run-local-train.ts';
import { startRecsysServe } from '../support/recsys-serve.ts';
import {
  foldInScenario,
  measureScenarios,
  thirtyRatingsBody,
  type LoadScenario,
} from './api-load.ts';
import { loadAverage, machine, resultsDir } from './machine.ts';
import { PeakRssMonitor } from './process-memory.ts';
import {
  containerBaselineBytes,
  functionMemoryRows,
  scaleGoals,
  type ScaleStage,
  type StackMemory,
  type StagedTaskMemory,
} from './scale-report.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FULL_RATINGS = 25_000_000;
const QUICK_RATINGS = 200_000;
const API_KEY = 'bench-scale-key';
const SAMPLE_MS = 100;

interface Options {
  quick: boolean;
  ratings?: number;
  movies?: number;
  users?: number;
  out?: string;
  seed: number;
  keyspace: string;
  bucket: string;
  keep: boolean;
}

const program = new Command('scale')
  .description('ml-25m-sized data through ingest → train → serve; writes scale.json')
  .option('--quick', `${QUICK_RATINGS.toLocaleString('en-US')} ratings (a smoke test)`, false)
  .option('--ratings <n>', `ratings to generate (default ${FULL_RATINGS})`, (v) => Number(v))
  .option('--movies <n>', "movies to generate (default: the generator's for --ratings)", Number)
  .option('--users <n>', "users to generate (default: the generator's for --ratings)", Number)
  .option('--out <file>', 'results file (default bench/results/scale.json)')
  .option('--seed <n>', 'generator seed', (v) => Number(v), 42)
  .option('--keyspace <name>', 'keyspace, dropped before the run', 'bench_scale')
  .option('--bucket <name>', 'bucket of the local S3 endpoint', 'recsys-bench-scale')
  .option('--keep', 'keep the keyspace afterwards (it is dropped by default)', false);
program.parse();
const options = program.opts<Options>();
const ratings = options.ratings ?? (options.quick ? QUICK_RATINGS : FULL_RATINGS);
if (!Number.isInteger(ratings) || ratings < 1000) program.error('--ratings must be ≥ 1000');
for (const [flag, value] of Object.entries({ movies: options.movies, users: options.users })) {
  if (value !== undefined && !(Number.isInteger(value) && value >= 10)) {
    program.error(`--${flag} must be a whole number ≥ 10`);
  }
}
/** The generator's shape: counts left out take its defaults for the ratings. */
const shape = {
  ratings,
  seed: options.seed,
  ...(options.movies ? { movies: options.movies } : {}),
  ...(options.users ? { users: options.users } : {}),
};

const log = (line: string) => void process.stderr.write(`bench:scale ${line}\n`);
const seconds = (since: number) => Math.round((performance.now() - since) / 10) / 100;
const MiB = 2 ** 20;

/** Memory a Node process holds outside its V8 heap and external memory: the runtime itself. */
function runtimeOverheadBytes(): number {
  const child = spawnSync(process.execPath, [
    '-e',
    'const m = process.memoryUsage(); console.log(JSON.stringify(m))',
  ]);
  const m = JSON.parse(child.stdout.toString()) as NodeJS.MemoryUsage;
  return Math.max(0, m.rss - m.heapTotal - m.external);
}

/** Each function's memory as the stack deploys it (`maxMemoryMb` cap applied), by state machine. */
function stackMemory(): { memory: StackMemory; maxMemoryMb: number } {
  const { stack, config } = synthRecsys({ nag: false });
  const of = (functions: Record<string, { node: { defaultChild?: unknown } }>) =>
    Object.fromEntries(
      Object.entries(functions).map(([name, fn]) => [
        name,
        Number((fn.node.defaultChild as CfnFunction).memorySize),
      ]),
    );
  return {
    memory: { ingest: of(stack.ingestion.functions), train: of(stack.training.functions) },
    maxMemoryMb: config.maxMemoryMb,
  };
}

async function dropKeyspace(keyspace: string, env: Record<string, string>): Promise<void> {
  const db = new CassandraStore(
    cassandraConfigFromEnv({ ...process.env, ...env, RECSYS_KEYSPACE: keyspace }),
  );
  try {
    await db.dropKeyspace();
  } finally {
    await db.shutdown();
  }
}

/** The cached data set, generated (streamed to disk) when missing. */
async function dataset(): Promise<{
  dir: string;
  name: string;
  metadata: GeneratorMetadata;
  generate: { cached: boolean; seconds?: number; ratingsPerSecond?: number };
}> {
  const counts = [options.movies && `m${options.movies}`, options.users && `u${options.users}`];
  const name = [`scale-${ratings}`, ...counts.filter(Boolean), `seed${options.seed}`].join('-');
  const dir = join(ROOT, '.local', 'bench', name);
  const metaFile = join(dir, 'generator.json');
  if (existsSync(metaFile)) {
    log(`data set: ${dir} (cached)`);
    const metadata = JSON.parse(readFileSync(metaFile, 'utf8')) as GeneratorMetadata;
    return { dir, name, metadata, generate: { cached: true } };
  }
  log(`generating ${ratings} ratings into ${dir}`);
  let reported = 0;
  const result = await writeDataset(dir, shape, (rows) => {
    if (rows - reported >= ratings / 10) {
      reported = rows;
      log(`  ${Math.round((100 * rows) / ratings)} %`);
    }
  });
  return {
    dir,
    name,
    metadata: result.metadata,
    generate: {
      cached: false,
      seconds: Math.round(result.seconds * 100) / 100,
      ratingsPerSecond: Math.round(ratings / result.seconds),
    },
  };
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  log(`${ratings} ratings; 1-min load ${loadBefore[0]} on ${machine().cores} cores`);
  const data = await dataset();
  const services = await ensureLocalServices(log);
  const serviceEnv = {
    S3_ENDPOINT: services.s3.endpoint,
    CASSANDRA_CONTACT_POINTS: services.cassandra.contactPoint,
    RECSYS_DB: 'local',
  };
  const overhead = runtimeOverheadBytes();
  const stack = stackMemory();
  log(
    `stack: maxMemoryMb ${stack.maxMemoryMb}; Node runtime overhead ${Math.round(overhead / MiB)} MB`,
  );

  const monitor = new PeakRssMonitor();
  monitor.watch('main', process.pid);
  monitor.watch('cassandra', services.cassandra.pid);
  monitor.watch('s3', (await s3Status()).pid);

  const tasks: StagedTaskMemory[] = [];
  let stage: ScaleStage = 'ingest';
  observeTaskMemory({ onTask: (r) => tasks.push({ ...r, stage }), sampleMs: SAMPLE_MS });
  const progress = Boolean(process.stderr.isTTY);
  const target = { keyspace: options.keyspace, bucket: options.bucket, services, log, progress };
  const onHandlerLog = (line: string) => {
    if (/"level":"(ERROR|WARN)"/.test(line)) log(line);
  };

  await dropKeyspace(options.keyspace, serviceEnv);
  monitor.beginStage('ingest');
  const ingestStarted = performance.now();
  const ingest = await runLocalIngest({
    ...target,
    dir: data.dir,
    dataset: data.name,
    onHandlerLog,
  });
  const ingestSeconds = seconds(ingestStarted);
  monitor.endStage();
  if (ingest.status !== 'ready') throw new Error(`ingest ended ${ingest.status}: ${ingest.error}`);
  const accepted = ingest.counts.rowsAccepted ?? 0;
  log(`ingest: ${accepted} ratings in ${ingestSeconds} s`);

  stage = 'train';
  monitor.beginStage('train');
  const concurrency = availableParallelism(); // `recsys train`'s default: one per core
  const train = await runLocalTrain({
    ...target,
    request: { dataset: data.name, concurrency },
    // What Plan sees on AWS: the account's memory quota caps the block choice.
    handlerEnv: { RECSYS_MAX_MEMORY_MB: String(stack.maxMemoryMb) },
    onHandlerLog,
  });
  monitor.endStage();
  observeTaskMemory(undefined);
  log(`train: model ${train.modelId} in ${train.wallSeconds.toFixed(1)} s, RMSE ${train.rmse}`);

  monitor.beginStage('serve');
  const serveStarted = performance.now();
  const server = await startRecsysServe({
    keyspace: options.keyspace,
    apiKey: API_KEY,
    env: { ...serviceEnv, RECSYS_BUCKET: options.bucket },
  });
  monitor.watch('serve', server.process.pid);
  let api;
  let readySeconds: number;
  let firstRequestMs: number;
  try {
    const headers = { 'x-api-key': API_KEY };
    const first = performance.now();
    const answer = await fetch(`${server.url}/users/1/recommendations`, { headers });
    if (!answer.ok) throw new Error(`first request answered ${answer.status}`);
    await answer.arrayBuffer();
    firstRequestMs = Math.round(performance.now() - first);
    readySeconds = seconds(serveStarted);
    const popular = (await (
      await fetch(`${server.url}/movies/popular?limit=100`, { headers })
    ).json()) as { items: { movieId: number }[] };
    api = await measureScenarios(
      server.url,
      API_KEY,
      scenarios(
        train.users,
        popular.items.map((m) => m.movieId),
      ),
      {
        seconds: Number(process.env.BENCH_API_SECONDS ?? 8),
        connections: Number(process.env.BENCH_API_CONNECTIONS ?? 10),
        log,
      },
    );
  } finally {
    monitor.finish('serve');
    await server.stop();
  }
  monitor.endStage();
  monitor.stop();
  if (!options.keep) await dropKeyspace(options.keyspace, serviceEnv);

  const rows = functionMemoryRows(tasks, stack.memory, overhead);
  const pipelineSeconds = ingestSeconds + train.wallSeconds + readySeconds;
  const goals = scaleGoals(pipelineSeconds, rows);
  const trainRatings = train.trainRatings + train.validationRatings;
  const report = {
    quick: options.quick,
    note:
      'Local run on this machine: every stage shares its cores with Cassandra, the S3 server and ' +
      'anything else running (see run.loadAverage). Task memory: scripts/runtime/local-sfn/task-memory.ts; ' +
      'peak RSS: scripts/bench/process-memory.ts.',
    dataset: {
      name: data.name,
      dir: data.dir,
      ratings: data.metadata.ratings,
      users: data.metadata.users,
      movies: data.metadata.movies,
      seed: data.metadata.seed,
    },
    services: {
      cassandra: { mode: services.cassandra.mode, contactPoint: services.cassandra.contactPoint },
      s3: { server: services.s3.server, endpoint: services.s3.endpoint },
      keyspace: options.keyspace,
      bucket: options.bucket,
    },
    stages: {
      generate: data.generate,
      ingest: {
        seconds: ingestSeconds,
        ratings: accepted,
        ratingsPerSecond: Math.round(accepted / ingestSeconds),
        chunkSeconds: ingest.seconds.chunks,
        chunkRatingsPerSecond: ingest.ratingsPerSecond,
        chunks: ingest.counts.chunks,
        stageSeconds: ingest.seconds,
        counts: ingest.counts,
      },
      train: {
        seconds: Math.round(train.wallSeconds * 100) / 100,
        ratings: trainRatings,
        ratingsPerSecond: Math.round(trainRatings / train.wallSeconds),
        modelId: train.modelId,
        rmse: train.rmse === null ? null : Math.round(train.rmse * 10000) / 10000,
        iterations: train.iterations,
        refitIterations: train.refitIterations,
        blocks: train.params.blocks,
        concurrency: train.params.concurrency ?? concurrency,
        users: train.users,
        items: train.items,
        recommendationsWritten: train.recommendationsWritten,
        similarMoviesWritten: train.similarMoviesWritten,
        stateSeconds: train.stageSeconds,
        params: train.params,
      },
      serve: { readySeconds: readySeconds },
    },
    peakRssMiB: monitor.stages,
    taskMemory: {
      sampleMs: SAMPLE_MS,
      runtimeOverheadMb: Math.round(overhead / MiB),
      containerBaselineMb: Math.round(containerBaselineBytes(tasks) / MiB),
      maxMemoryMb: stack.maxMemoryMb,
      tasks: tasks.length,
      gcSeconds: Math.round(tasks.reduce((s, t) => s + t.gcMs, 0) / 10) / 100,
      functions: rows,
      stackMemoryMb: stack.memory,
    },
    api: {
      connections: Number(process.env.BENCH_API_CONNECTIONS ?? 10),
      secondsPerScenario: Number(process.env.BENCH_API_SECONDS ?? 8),
      firstRequestMs,
      scenarios: api,
    },
    goals,
  };
  mkdirSync(resultsDir(), { recursive: true });
  const file = options.out ?? join(resultsDir(), 'scale.json');
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  log(
    `pipeline ${(pipelineSeconds / 60).toFixed(1)} min (goal ${goals.pipelineWithinGoal ? 'met' : 'missed'}); ` +
      `Tasks over memory: ${goals.tasksOverMemory.length ? goals.tasksOverMemory.join('; ') : 'none'}; wrote ${file}`,
  );
}

/**
 * Stored top-N over every user, fold-in from 5 popular favourites and from 30 ratings, similar
 * movies of popular ones.
 */
function scenarios(users: number, movieIds: readonly number[]): LoadScenario[] {
  let counter = 0;
  const nextUser = () => (counter++ % Math.max(1, users)) + 1;
  const nextMovie = () => movieIds[counter++ % movieIds.length];
  const nextProfile = () => {
    const k = counter++;
    return JSON.stringify({
      favorites: [0, 1, 2, 3, 4].map((j) => movieIds[(k * 7 + j * 13) % movieIds.length]),
    });
  };
  // Issue 22's fold-in goal: 30 given ratings, a different person each request.
  const nextRatings = () => thirtyRatingsBody(counter++, movieIds);
  return [
    {
      name: 'GET /users/{id}/recommendations (stored top-N)',
      request: {
        method: 'GET',
        setupRequest: (r) => ({ ...r, path: `/users/${nextUser()}/recommendations` }),
      },
    },
    foldInScenario('POST /recommendations (fold-in, 5 favourites)', API_KEY, nextProfile),
    foldInScenario('POST /recommendations (fold-in, 30 ratings)', API_KEY, nextRatings),
    {
      name: 'GET /movies/{id}/similar (similar movies)',
      request: {
        method: 'GET',
        setupRequest: (r) => ({ ...r, path: `/movies/${nextMovie()}/similar` }),
      },
    },
  ];
}

await main();
// Handler workers, driver sockets and the S3 client may keep the event loop alive.
process.exit(0);
