/**
 * Multi-core scaling of one ALS iteration: the same `solveBlock` the training Map runs per Lambda,
 * fanned out to 1..N worker threads over shared memory. It records the machine (CPU model, cores)
 * with every figure so the same script extends the time-vs-workers chart on a bigger machine.
 *
 *   npm run bench:scaling -- [--ratings 2000000] [--rank 32] [--iterations 3] [--blocks 64] [--workers 1,2]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import {
  ITEM_SALT,
  USER_SALT,
  initialFactors,
  meanFromRatingSum,
  ratingSumUnits,
  resolveAlsOptions,
} from '../../lambdas/core/als/index.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import { buildRatingMatrices, splitIntoBlocks } from '../../lambdas/core/matrix/csr.ts';
import {
  shareBlock,
  sharedFloat32,
  type HalfStepJob,
  type WorkerSetup,
} from './scaling/shared-blocks.ts';
import { lineChartSvg } from './chart.ts';
import { loadAverage, resultsDir } from './machine.ts';

const { values: args } = parseArgs({
  options: {
    ratings: { type: 'string', default: '2000000' },
    rank: { type: 'string', default: '32' },
    iterations: { type: 'string', default: '3' },
    blocks: { type: 'string', default: '64' },
    workers: { type: 'string' },
    out: { type: 'string', default: resultsDir() },
  },
});

const cores = availableParallelism();
const workerCounts = args.workers
  ? args.workers.split(',').map(Number)
  : [...new Set([1, 2, 4, 8, 16, 32, 64].filter((w) => w < cores).concat(cores))];
const rank = Number(args.rank);
const iterations = Number(args.iterations);
const blockCount = Number(args.blocks);

const loadBefore = loadAverage();
const started = performance.now();
const { table } = generateRatingsTable({ ratings: Number(args.ratings), seed: 7 });
const matrices = buildRatingMatrices(table);
const settings = resolveAlsOptions({ rank }, { ratingMin: 0.5, ratingMax: 5 });
const setup: WorkerSetup = {
  userBlocks: splitIntoBlocks(matrices.byUser, blockCount, 'range', matrices.userIds).map(
    shareBlock,
  ),
  itemBlocks: splitIntoBlocks(matrices.byItem, blockCount, 'range', matrices.itemIds).map(
    shareBlock,
  ),
  globalMean: meanFromRatingSum(
    ratingSumUnits(matrices.byUser.values),
    matrices.byUser.values.length,
  ),
  settings,
};
const users = matrices.userIds.size;
const items = matrices.itemIds.size;
console.error(
  `prepared ${table.length} ratings (${users} users × ${items} movies) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

const workerUrl = new URL(
  import.meta.url.endsWith('.ts') ? './scaling/block-worker.ts' : './block-worker.mjs',
  import.meta.url,
);
const workerOptions = import.meta.url.endsWith('.ts') ? { execArgv: ['--import', 'tsx'] } : {};

function fnv1a(arrays: Float32Array[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

async function runWith(workerCount: number) {
  const pool = Array.from(
    { length: workerCount },
    () => new Worker(workerUrl, { ...workerOptions, workerData: setup }),
  );
  const halfStep = async (side: 'user' | 'item', fixedF: Float32Array, fixedB: Float32Array) => {
    const rows = side === 'user' ? users : items;
    const job: HalfStepJob = {
      side,
      fixedFactors: fixedF,
      fixedBias: fixedB,
      outFactors: sharedFloat32(rows * rank),
      outBias: sharedFloat32(rows),
      nextBlock: new Int32Array(new SharedArrayBuffer(4)),
    };
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<number>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
            w.postMessage(job);
          }),
      ),
    );
    return job;
  };
  let userF = sharedFloat32(
    users * rank,
    initialFactors(matrices.userIds, rank, settings.seed, USER_SALT),
  );
  let itemF = sharedFloat32(
    items * rank,
    initialFactors(matrices.itemIds, rank, settings.seed, ITEM_SALT),
  );
  let itemB = sharedFloat32(items);
  let userB = sharedFloat32(users);
  const seconds: number[] = [];
  for (let it = 0; it < iterations; it++) {
    const t0 = performance.now();
    const u = await halfStep('user', itemF, itemB);
    userF = u.outFactors;
    userB = u.outBias;
    const i = await halfStep('item', userF, userB);
    itemF = i.outFactors;
    itemB = i.outBias;
    seconds.push((performance.now() - t0) / 1000);
  }
  await Promise.all(pool.map((w) => w.terminate()));
  return { seconds, checksum: fnv1a([userF, itemF, userB, itemB]) };
}

// A discarded pass first: the first run in a fresh process pays page faults on the shared buffers
// (measured on a 16-core Xeon: 7.07 s/iteration for 1 worker run first, 5.63 s run second).
await runWith(Math.min(2, cores));

const results = [];
for (const workers of workerCounts) {
  const { seconds, checksum } = await runWith(workers);
  // The first iteration includes JIT warm-up in every worker; steady state is what scales.
  const steady = seconds.length > 1 ? seconds.slice(1) : seconds;
  const mean = steady.reduce((a, b) => a + b, 0) / steady.length;
  results.push({ workers, secondsPerIteration: seconds, meanSeconds: mean, checksum });
  console.error(`workers ${workers}: ${mean.toFixed(3)} s/iteration, factors ${checksum}`);
}
const base = results[0]!.meanSeconds;
const rows = results.map((r) => ({
  ...r,
  speedup: base / r.meanSeconds,
  efficiency: base / r.meanSeconds / r.workers,
}));
const machine = {
  host: hostname(),
  cpu: cpus()[0]?.model ?? 'unknown',
  cores,
  node: process.version,
  loadAverage: { before: loadBefore, after: loadAverage() },
};
const identical = new Set(rows.map((r) => r.checksum)).size === 1;
const report = {
  generatedAt: new Date().toISOString(),
  machine,
  params: { ratings: table.length, users, items, rank, iterations, blocks: blockCount },
  identicalFactorsAcrossWorkerCounts: identical,
  results: rows,
};
mkdirSync(args.out, { recursive: true });
const tag = `${cores}cores`;
writeFileSync(join(args.out, `als-scaling-${tag}.json`), JSON.stringify(report, null, 2) + '\n');
writeFileSync(
  join(args.out, `als-scaling-${tag}.svg`),
  lineChartSvg(
    `ALS iteration time vs worker threads — ${machine.cpu} (${cores} cores)`,
    `${(table.length / 1e6).toFixed(1)}M generated ratings, rank ${rank}, ${blockCount} blocks; ${report.generatedAt.slice(0, 10)}`,
    [
      {
        title: 'seconds per iteration',
        xLabel: 'worker threads (Map concurrency)',
        yLabel: 'seconds per iteration',
        series: [
          { label: 'measured', points: rows.map((r) => ({ x: r.workers, y: r.meanSeconds })) },
          {
            label: 'ideal (t₁/w)',
            dashed: true,
            points: rows.map((r) => ({ x: r.workers, y: base / r.workers })),
          },
        ],
      },
    ],
  ),
);
console.log(
  JSON.stringify({
    machine,
    identical,
    results: rows.map(({ workers, meanSeconds, speedup }) => ({ workers, meanSeconds, speedup })),
  }),
);
