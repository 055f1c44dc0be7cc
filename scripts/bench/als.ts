/**
 * ALS benchmark: time per iteration, effective GFLOP/s and peak memory for several ranks on
 * ml-latest-small and synthetic data sets. Each (data set, rank) runs in its own child process so
 * peak RSS is per configuration and JIT state does not leak between runs.
 *
 *   npm run bench:als -- [--sizes small,1m,5m] [--ranks 10,32,64] [--iterations 3]
 *                        [--solver cholesky|cg] [--out bench/results/als.json]
 *   sizes: small (ml-latest-small), or a rating count such as 1m, 5m, 25m, 250k (25m only when
 *   asked for: it takes tens of minutes at rank 64).
 * Rates (s/iter, GFLOP/s) average the iterations after the first, which carries JIT warm-up.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlsSolver } from '../../lambdas/core/als/options.ts';
import { trainAlsOnMatrices } from '../../lambdas/core/als/train.ts';
import { buildRatingMatrices, nnz } from '../../lambdas/core/matrix/csr.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import { loadAverage, machine, resultsDir } from './machine.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import { parseFlagValues } from './args.ts';

const FLOP_FORMULA =
  'per half-iteration, Cholesky solver: nnz·(d² + 3d) [packed normal equations d(d+1) + right-hand side 2d]' +
  ' + rows·(d³/3 + 2d²) [factorization + two triangular solves], d = rank + 1 with biases;' +
  ' one iteration = user half + item half. CG solver: nnz·4d·(steps+1) + rows·d·(steps+1).';

interface BenchResult {
  dataset: string;
  ratings: number;
  users: number;
  items: number;
  rank: number;
  solver: AlsSolver;
  iterations: number;
  loadSeconds: number;
  prepareSeconds: number;
  /** Wall-clock seconds of each iteration. */
  secondsPerIteration: number[];
  meanSecondsPerIteration: number;
  /** CPU seconds (user + system) of each iteration: robust when other processes share the cores. */
  cpuSecondsPerIteration: number[];
  meanCpuSecondsPerIteration: number;
  gflopPerIteration: number;
  /** GFLOP per wall-clock second. */
  gflops: number;
  /** GFLOP per CPU second: the per-core rate, since solves run on one thread. */
  gflopsPerCore: number;
  peakRssMiB: number;
}

function parseSize(size: string): number | 'small' {
  if (size === 'small') return 'small';
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(size);
  if (!match) throw new Error(`bad size "${size}" (use small, 250k, 1m, 5m, 25m …)`);
  const scale = { '': 1, k: 1e3, m: 1e6 }[match[2]!.toLowerCase()]!;
  return Math.round(Number(match[1]) * scale);
}

async function loadDataset(size: string): Promise<RatingsTable> {
  const parsed = parseSize(size);
  return parsed === 'small'
    ? readRatingsFile(ML_LATEST_SMALL_RATINGS)
    : generateRatingsTable({ ratings: parsed, seed: 1 }).table;
}

function flopsPerIteration(
  ratings: number,
  users: number,
  items: number,
  d: number,
  solver: AlsSolver,
  cgSteps: number,
): number {
  if (solver === 'cg')
    return 2 * ratings * 4 * d * (cgSteps + 1) + (users + items) * d * (cgSteps + 1);
  return 2 * ratings * (d * d + 3 * d) + (users + items) * ((d * d * d) / 3 + 2 * d * d);
}

/** Runs one configuration in this process and prints its result as one JSON line. */
async function runChild(
  size: string,
  rank: number,
  iterations: number,
  solver: AlsSolver,
): Promise<void> {
  let started = performance.now();
  const table = await loadDataset(size);
  const loadSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const matrices = buildRatingMatrices(table);
  const prepareSeconds = (performance.now() - started) / 1000;
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  let cpuMark = process.cpuUsage();
  const model = trainAlsOnMatrices(
    matrices,
    { rank, iterations, solver, trackTrainRmse: false },
    undefined,
    {
      onIteration: (record) => {
        const cpu = process.cpuUsage(cpuMark);
        cpuMark = process.cpuUsage();
        seconds.push(record.seconds);
        cpuSeconds.push((cpu.user + cpu.system) / 1e6);
      },
    },
  );
  const d = rank + (model.options.biases ? 1 : 0);
  const ratings = nnz(matrices.byUser);
  const flops = flopsPerIteration(
    ratings,
    matrices.userIds.size,
    matrices.itemIds.size,
    d,
    solver,
    model.options.cgSteps,
  );
  // The first iteration includes JIT warm-up; rates use the later ones when there are any.
  const steady = (xs: number[]): number[] => (xs.length > 1 ? xs.slice(1) : xs);
  const mean = average(steady(seconds));
  const meanCpu = average(steady(cpuSeconds));
  const result: BenchResult = {
    dataset: size === 'small' ? 'ml-latest-small' : `synthetic-${size}`,
    ratings,
    users: matrices.userIds.size,
    items: matrices.itemIds.size,
    rank,
    solver,
    iterations,
    loadSeconds: round(loadSeconds),
    prepareSeconds: round(prepareSeconds),
    secondsPerIteration: seconds.map(round),
    meanSecondsPerIteration: round(mean),
    gflopPerIteration: round(flops / 1e9),
    cpuSecondsPerIteration: cpuSeconds.map(round),
    meanCpuSecondsPerIteration: round(meanCpu),
    gflops: round(flops / 1e9 / mean),
    gflopsPerCore: round(flops / 1e9 / meanCpu),
    // ru_maxrss is in KiB on Linux.
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function average(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function runParent(args: Record<string, string>): void {
  const sizes = (args.sizes ?? 'small,1m,5m').split(',');
  const ranks = (args.ranks ?? '10,32,64').split(',').map(Number);
  const iterations = Number(args.iterations ?? 3);
  const solver = (args.solver ?? 'cholesky') as AlsSolver;
  const out = args.out ?? `${resultsDir()}/als.json`;
  const loadBefore = loadAverage();
  for (const size of sizes) parseSize(size);
  if (ranks.some((r) => !Number.isInteger(r) || r < 1))
    throw new Error('--ranks must be positive integers');
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error('--iterations must be ≥ 1');
  if (solver !== 'cholesky' && solver !== 'cg') throw new Error('--solver must be cholesky or cg');

  const cpu = os.cpus()[0]?.model ?? 'unknown';
  console.log(
    `ALS bench on ${cpu} (${os.cpus().length} cores), node ${process.version}, single-threaded solves`,
  );
  console.log(`flop count: ${FLOP_FORMULA}`);
  console.log(
    'data set                ratings   users   items rank  s/iter cpu-s/iter GFLOP/iter GFLOP/s(wall) GFLOP/s/core  peak MiB',
  );
  const results: BenchResult[] = [];
  const script = fileURLToPath(import.meta.url);
  for (const size of sizes) {
    for (const rank of ranks) {
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, script, '--child', `${size}:${rank}:${iterations}:${solver}`],
        { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      if (child.status !== 0)
        throw new Error(`bench child for ${size} rank ${rank} failed (exit ${child.status})`);
      const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as BenchResult;
      results.push(result);
      console.log(
        [
          result.dataset.padEnd(20),
          String(result.ratings).padStart(10),
          String(result.users).padStart(7),
          String(result.items).padStart(7),
          String(result.rank).padStart(4),
          result.meanSecondsPerIteration.toFixed(2).padStart(7),
          result.meanCpuSecondsPerIteration.toFixed(2).padStart(10),
          result.gflopPerIteration.toFixed(2).padStart(10),
          result.gflops.toFixed(2).padStart(13),
          result.gflopsPerCore.toFixed(2).padStart(12),
          String(result.peakRssMiB).padStart(9),
        ].join(' '),
      );
    }
  }
  const report = {
    generatedAt: new Date().toISOString(),
    cpu,
    cores: os.cpus().length,
    node: process.version,
    threads: 1,
    machine: { ...machine(), loadAverage: { before: loadBefore, after: loadAverage() } },
    rateNote: 'seconds and GFLOP/s average the iterations after the first (JIT warm-up)',
    flopFormula: FLOP_FORMULA,
    results,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const [size, rank, iterations, solver] = args[1]!.split(':');
  await runChild(size!, Number(rank), Number(iterations), solver as AlsSolver);
} else {
  runParent(parseFlagValues(args));
}
