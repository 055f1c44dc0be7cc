/**
 * Distributed-training benchmark, the old project's "Spark time vs cluster nodes" chart done with
 * the real train state machine: wall time per ALS iteration against Map concurrency 1..N (N = the
 * cores: handler worker threads stand in for Lambdas) and against the block count. Every figure
 * carries the machine it was measured on (cores, CPU model, load), so the same command on a
 * 16-core machine adds comparable rows.
 *
 *   npm run bench:train -- [--datasets small,1m] [--iterations 5] [--rank 20]
 *                          [--max-concurrency N] [--blocks-list 1,2,4,8,16] [--max-load L]
 *                          [--repeats R]
 *                          [--out bench/results/train.json] [--svg bench/results/train-scaling.svg]
 *   datasets: small (ml-latest-small, when present) and/or a synthetic size such as 250k or 1m.
 * Results go to one session per machine (cores + CPU model) in the JSON file: a run replaces this
 * machine's session and keeps the others, and the chart draws them all.
 * Per-iteration figures (mean, median, min) leave out the first iteration (JIT warm-up, cold
 * caches); the chart plots the median, the least disturbed by other work on a shared machine.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { CassandraStore, cassandraConfigFromEnv } from '../../lambdas/adapters/cassandra.ts';
import { S3Store, s3ConfigFromEnv } from '../../lambdas/adapters/s3.ts';
import { trainAls } from '../../lambdas/core/als/index.ts';
import { hashSplit } from '../../lambdas/core/eval/split.ts';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { ensureCassandra } from '../cli/cassandra/local-cassandra.ts';
import { ensureS3 } from '../cli/s3/local-s3.ts';
import { insertRatings } from '../cli/train/insert-ratings.ts';
import { runLocalTrain } from '../cli/train/run-local-train.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';
import { lineChartSvg, type ChartSeries } from './chart.ts';
import { resultsDir } from './machine.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';

interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

interface RunRecord {
  dataset: string;
  /** Round of the sweep (--repeats). */
  repeat?: number;
  sweep: 'concurrency' | 'blocks';
  blocks: number;
  concurrency: number;
  iterations: number;
  rank: number;
  secondsPerIteration: number[];
  /** CPU seconds of this process per iteration: every handler worker thread, not Cassandra or S3. */
  cpuSecondsPerIteration: number[];
  /** Mean of the iterations after the first. */
  meanSecondsPerIteration: number;
  /** Median of the iterations after the first: what the chart plots (robust to a busy moment). */
  medianSecondsPerIteration: number;
  minSecondsPerIteration: number;
  prepareSeconds: number;
  outputsSeconds: number;
  wallSeconds: number;
  rmse: number | null;
  /** 1-minute load average before and after the run: other work on the machine skews times. */
  loadBefore: number;
  loadAfter: number;
  cores: number;
  cpuModel: string;
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let k = 0; k < argv.length; k += 2) {
    const arg = argv[k]!;
    const value = argv[k + 1];
    if (!arg.startsWith('--') || value === undefined) throw new Error(`bad argument "${arg}"`);
    out[arg.slice(2)] = value;
  }
  return out;
}

const machine: Machine = {
  cores: os.availableParallelism(),
  cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
};

let maxLoad: number | undefined;
const BENCH_BUCKET = 'recsys-bench';

function load(): number {
  return Math.round(os.loadavg()[0]! * 100) / 100;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

async function loadDataset(name: string): Promise<RatingsTable | undefined> {
  if (name === 'small') {
    if (existsSync(ML_LATEST_SMALL_RATINGS)) return readRatingsFile(ML_LATEST_SMALL_RATINGS);
    console.error(`skipping ml-latest-small: ${ML_LATEST_SMALL_RATINGS} is missing`);
    return undefined;
  }
  const match = /^(\d+(?:\.\d+)?)([km])$/i.exec(name);
  if (!match) throw new Error(`bad data set "${name}" (small, 250k, 1m …)`);
  const scale = match[2]!.toLowerCase() === 'k' ? 1e3 : 1e6;
  return generateRatingsTable({ ratings: Math.round(Number(match[1]) * scale), seed: 1 }).table;
}

/** A keyspace per data set, filled once and kept: later bench runs reuse it. */
async function ensureBenchKeyspace(name: string, table: RatingsTable): Promise<string> {
  // _g: generated by lambdas/core/generator (older keyspaces hold the retired bench generator's rows).
  const keyspace = `bench_train_${name.replace(/\W/g, '_')}${name === 'small' ? '' : '_g'}`;
  const db = new CassandraStore(
    cassandraConfigFromEnv({ ...process.env, RECSYS_KEYSPACE: keyspace }),
  );
  try {
    await db.migrate();
    const marker = await db.execute(`SELECT counts FROM ${db.table('datasets')} WHERE name = ?`, [
      keyspace,
    ]);
    const stored = (marker.first()?.get('counts') as Record<string, unknown> | undefined)?.ratings;
    if (Number(stored) !== table.length) {
      const started = performance.now();
      console.error(`loading ${table.length} ratings into ${keyspace}…`);
      await insertRatings(db, table, 64);
      await db.execute(
        `INSERT INTO ${db.table('datasets')} (name, status, counts, updated_at) VALUES (?, ?, ?, ?)`,
        [keyspace, 'ready', { ratings: table.length }, new Date()],
      );
      console.error(`loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    // Outputs of earlier bench runs serve nothing: keep the bench keyspace from growing.
    for (const table of ['recommendation_lists', 'similar_movie_lists', 'models']) {
      await db.execute(`TRUNCATE ${db.table(table)}`);
    }
  } finally {
    await db.shutdown();
  }
  return keyspace;
}

let s3Endpoint: string | undefined;

/** A bench run's S3 files (shuffle, blocks, factors per iteration, model) are not kept. */
async function removeRunFiles(modelId: string): Promise<void> {
  const s3 = new S3Store(
    s3ConfigFromEnv({ ...process.env, S3_ENDPOINT: s3Endpoint, RECSYS_BUCKET: BENCH_BUCKET }),
  );
  try {
    await s3.deleteByPrefix(`runs/${modelId}/`);
    await s3.deleteByPrefix(`models/${modelId}/`);
  } finally {
    s3.destroy();
  }
}

/**
 * On a shared machine other work skews wall times: with --max-load L each run first waits (up to
 * five minutes) for the 1-minute load average to fall to L. The load is recorded either way.
 */
async function settle(maxLoad: number | undefined): Promise<void> {
  if (maxLoad === undefined) return;
  const deadline = Date.now() + 5 * 60_000;
  while (load() > maxLoad && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }
}

async function benchRun(
  dataset: string,
  keyspace: string,
  sweep: RunRecord['sweep'],
  blocks: number,
  concurrency: number,
  iterations: number,
  rank: number,
): Promise<RunRecord> {
  await settle(maxLoad);
  const loadBefore = load();
  // Worker threads share this process, so its CPU clock covers every "Lambda" of the run.
  const cpuMarks: number[] = [];
  const cpuNow = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  };
  const result = await runLocalTrain({
    request: {
      modelId: `bench-${dataset}-${sweep}-b${blocks}-c${concurrency}-${Date.now().toString(36)}`,
      blocks,
      concurrency,
      options: { rank, iterations },
      activate: false,
      // Outputs are not what this measures; short lists keep their writes small.
      topN: 10,
      similarN: 10,
    },
    keyspace,
    bucket: BENCH_BUCKET,
    workers: concurrency,
    log: () => undefined,
    onEvent: (event) => {
      const loopStep = event.stateName === 'Init' || event.stateName === 'Checkpoint';
      if (event.type === 'StateExited' && event.index === undefined && loopStep)
        cpuMarks.push(cpuNow());
    },
  });
  await removeRunFiles(result.modelId);
  const seconds = result.history.map((h) => h.seconds);
  const warm = seconds.length > 1 ? seconds.slice(1) : seconds;
  const stage = (name: string) => result.stageSeconds[name] ?? 0;
  const record: RunRecord = {
    dataset,
    sweep,
    blocks,
    concurrency,
    iterations,
    rank,
    secondsPerIteration: seconds.map((s) => round(s)),
    cpuSecondsPerIteration: cpuMarks.slice(1).map((mark, k) => round(mark - cpuMarks[k]!)),
    meanSecondsPerIteration: round(warm.reduce((a, b) => a + b, 0) / warm.length),
    medianSecondsPerIteration: round(median(warm)),
    minSecondsPerIteration: round(Math.min(...warm)),
    prepareSeconds: round(
      stage('Plan') +
        stage('ScanTokenRanges') +
        stage('BuildIndex') +
        stage('AssembleBlocks') +
        stage('Init'),
    ),
    outputsSeconds: round(stage('Outputs')),
    wallSeconds: round(result.wallSeconds, 2),
    rmse: result.rmse === null ? null : round(result.rmse, 4),
    loadBefore,
    loadAfter: load(),
    cores: machine.cores,
    cpuModel: machine.cpuModel,
  };
  console.error(
    `${dataset} ${sweep}: blocks ${blocks}, concurrency ${concurrency}: ` +
      `median ${record.medianSecondsPerIteration} s/iteration (wall ${record.wallSeconds} s, load ${loadBefore}→${record.loadAfter})`,
  );
  return record;
}

function inProcessSecondsPerIteration(
  table: RatingsTable,
  iterations: number,
  rank: number,
): number {
  const model = trainAls(hashSplit(table, { test: 0.2, seed: 0 }).train, {
    rank,
    iterations,
    trackTrainRmse: false,
  });
  const warm = model.history.slice(1).map((h) => h.seconds);
  return round(warm.reduce((a, b) => a + b, 0) / Math.max(1, warm.length));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const datasets = (args.datasets ?? 'small,1m').split(',');
  const iterations = Number(args.iterations ?? 5);
  const rank = Number(args.rank ?? 20);
  const maxConcurrency = Number(args['max-concurrency'] ?? machine.cores);
  const blocksList = (args['blocks-list'] ?? '1,2,4,8,16').split(',').map(Number);
  const repeats = Number(args.repeats ?? 1);
  maxLoad = args['max-load'] === undefined ? undefined : Number(args['max-load']);
  const out = args.out ?? `${resultsDir()}/train.json`;
  const svgPath = args.svg ?? `${resultsDir()}/train-scaling.svg`;
  const [s3Server] = await Promise.all([
    ensureS3({ log: () => undefined }),
    ensureCassandra({ log: () => undefined }),
  ]);
  s3Endpoint = s3Server.endpoint;

  const runs: RunRecord[] = [];
  const baselines: Record<string, number> = {};
  const sizes: Record<string, number> = {};
  for (const name of datasets) {
    const table = await loadDataset(name);
    if (!table) continue;
    const dataset = name === 'small' ? 'ml-latest-small' : `synthetic-${name}`;
    sizes[dataset] = table.length;
    const keyspace = await ensureBenchKeyspace(name, table);
    baselines[dataset] = inProcessSecondsPerIteration(table, iterations, rank);
    // Enough blocks that every worker has one at the highest concurrency.
    const sweepBlocks = Math.max(4, 2 * maxConcurrency);
    // Whole rounds rather than back-to-back repeats, so a busy spell hits different configurations.
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (let c = 1; c <= maxConcurrency; c++) {
        runs.push({
          ...(await benchRun(dataset, keyspace, 'concurrency', sweepBlocks, c, iterations, rank)),
          repeat,
        });
      }
      for (const blocks of blocksList) {
        runs.push({
          ...(await benchRun(
            dataset,
            keyspace,
            'blocks',
            blocks,
            maxConcurrency,
            iterations,
            rank,
          )),
          repeat,
        });
      }
    }
  }

  const session: Session = {
    date: new Date().toISOString(),
    machine,
    settings: { iterations, rank, maxConcurrency, blocksList, maxLoad, repeats },
    ratings: sizes,
    inProcessSecondsPerIteration: baselines,
    runs,
  };
  // One session per machine: a run here replaces this machine's figures and keeps the others'
  // (a 16-core run adds its curve next to the 2-core one).
  const previous = existsSync(out)
    ? (JSON.parse(readFileSync(out, 'utf8')) as Partial<Report>)
    : {};
  const sessions = [
    ...(previous.sessions ?? []).filter(
      (other) => machineKey(other.machine) !== machineKey(machine),
    ),
    session,
  ];
  const report: Report = { bench: 'train', description: DESCRIPTION, sessions };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(svgPath, chart(sessions, session));
  console.error(`wrote ${out} and ${svgPath}`);
}

const DESCRIPTION =
  'Wall seconds per ALS iteration of the train state machine run locally (aws-local-stepfunctions, ' +
  'handlers in worker threads = Lambdas, real Cassandra and S3 endpoints), against Map concurrency ' +
  '(blocks fixed) and against block count (concurrency = cores). Iteration 1 (JIT warm-up) is ' +
  'excluded from mean, median and min; the chart plots the median of the fastest round (--repeats). ' +
  'inProcessSecondsPerIteration: ' +
  'trainAls in one thread on the same training split. One session per machine (cores, CPU model).';

interface Session {
  date: string;
  machine: Machine;
  settings: Record<string, unknown>;
  ratings: Record<string, number>;
  inProcessSecondsPerIteration: Record<string, number>;
  runs: RunRecord[];
}

interface Report {
  bench: 'train';
  description: string;
  sessions: Session[];
}

function machineKey(m: Machine): string {
  return `${m.cores}|${m.cpuModel}`;
}

/** Both sweeps of every machine's session; the ideal-scaling line for the newest one only. */
function chart(sessions: readonly Session[], latest: Session): string {
  const series = (sweep: RunRecord['sweep'], x: (r: RunRecord) => number): ChartSeries[] =>
    sessions.flatMap((session) =>
      Object.keys(session.ratings).flatMap((dataset) => {
        // The fastest round of each configuration: interference only ever adds time.
        const best = new Map<number, number>();
        for (const r of session.runs) {
          if (r.dataset !== dataset || r.sweep !== sweep) continue;
          best.set(x(r), Math.min(best.get(x(r)) ?? Infinity, r.medianSecondsPerIteration));
        }
        const points = [...best].map(([px, py]) => ({ x: px, y: py }));
        const label = `${dataset}, ${session.machine.cores} cores`;
        const measured: ChartSeries = { label, points };
        if (sweep !== 'concurrency' || points.length === 0 || session !== latest) return [measured];
        const one = points.find((p) => p.x === 1)?.y ?? points[0]!.y;
        const ideal: ChartSeries = {
          label: `${dataset} ideal (t₁/c)`,
          dashed: true,
          points: points.map((p) => ({ x: p.x, y: one / p.x })),
        };
        return [measured, ideal];
      }),
    );
  const machines = sessions.map((s) => `${s.machine.cpuModel} × ${s.machine.cores}`).join('; ');
  const rank = latest.settings.rank;
  return lineChartSvg(
    'ALS training on the train state machine: median wall time per iteration',
    `${machines}; rank ${String(rank)}; ${latest.date.slice(0, 10)}`,
    [
      {
        title: 'vs Map concurrency (2 × cores blocks, ≥ 4)',
        xLabel: 'Map concurrency (worker threads = Lambdas)',
        yLabel: 'seconds per iteration',
        series: series('concurrency', (r) => r.concurrency),
      },
      {
        title: 'vs block count (concurrency = cores)',
        xLabel: 'blocks per side',
        yLabel: 'seconds per iteration',
        series: series('blocks', (r) => r.blocks),
      },
    ],
  );
}

await main();
