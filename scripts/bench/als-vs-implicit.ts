/**
 * Implicit ALS speed, ours against benfred/implicit's conjugate-gradient ALS, side by side on one
 * generated MovieLens-shaped set, one thread each: seconds per iteration at several ranks.
 *
 *   npx tsx scripts/bench/als-vs-implicit.ts [--ratings 2000000] [--seed 7] [--ranks 20,64,128]
 *       [--cholesky-ranks 20,64] [--iterations 6] [--cholesky-iterations 2] [--python PATH]
 *       [--out bench/results/als-vs-implicit.json]
 *   (`npm run bench -- --peers` runs it as the step als-implicit.)
 *
 * The data is `recsys generate --ratings N --seed S`, written once to .local/bench/ and reused;
 * both sides read that ratings.csv. The model is the product's ranking model: implicit, α 0
 * (every rating is confidence 1), α₀ 0.1, λ 0.01, ν 1, solver 'cg' with 3 steps warm-started from
 * the previous factors, one block. implicit gets the same normal equations divided by α₀ (see
 * peers/implicit_speed.py), float32, num_threads=1 and BLAS held to one thread by threadpoolctl.
 * Ours also runs the Cholesky solver at the smaller ranks, for reference.
 *
 * Each configuration runs in its own process; per rank the order is implicit, ours (cg), ours
 * (Cholesky), so a change in machine load hits neighbours alike. Times are the mean over the
 * iterations after the first (ours: JIT and WebAssembly tier-up; both: cold caches). Wall and CPU
 * seconds are both kept: on a shared machine CPU seconds are the steadier figure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainAlsOnMatrices } from '../../lambdas/core/als/train.ts';
import type { AlsOptions, AlsSolver } from '../../lambdas/core/als/options.ts';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import { buildRatingMatrices, nnz } from '../../lambdas/core/matrix/csr.ts';
import { writeDataset } from '../runtime/datasets/write-dataset.ts';
import { commandLine, loadAverage, resultsDir, runStamp, stampResults } from './machine.ts';
import { peersPython } from './peers/venv.ts';
import { parseFlagValues } from './args.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PEER_SCRIPT = fileURLToPath(new URL('./peers/implicit_speed.py', import.meta.url));

/** The ranking model's settings (both sides). */
const MODEL = { alpha: 0, unobservedWeight: 0.1, reg: 0.01, regExponent: 1, cgSteps: 3 };
/** How far behind implicit ours may be at ranks ≥ 64 (issue 13). */
const GOAL_RATIO = 1.5;

interface Timing {
  secondsPerIteration: number[];
  cpuSecondsPerIteration: number[];
  meanSecondsPerIteration: number;
  meanCpuSecondsPerIteration: number;
}

interface OursResult extends Timing {
  rank: number;
  solver: AlsSolver;
  ratings: number;
  users: number;
  items: number;
  loadSeconds: number;
  peakRssMiB: number;
}

interface ImplicitRun extends Timing {
  rank: number;
  cgSteps: number;
}

interface ImplicitResult {
  implicit: string;
  numpy: string;
  settings: Record<string, unknown>;
  runs: ImplicitRun[];
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
/** The iterations after the first, when there are any. */
const steady = (xs: number[]) => (xs.length > 1 ? xs.slice(1) : xs);

function timing(wall: number[], cpu: number[]): Timing {
  return {
    secondsPerIteration: wall.map((s) => round(s)),
    cpuSecondsPerIteration: cpu.map((s) => round(s)),
    meanSecondsPerIteration: round(mean(steady(wall))),
    meanCpuSecondsPerIteration: round(mean(steady(cpu))),
  };
}

/** Child: trains ours on the file and prints one JSON line. */
async function runChild(file: string, rank: number, solver: AlsSolver, iterations: number) {
  const started = performance.now();
  const matrices = buildRatingMatrices(await readRatingsFile(file));
  const loadSeconds = (performance.now() - started) / 1000;
  const wall: number[] = [];
  const cpu: number[] = [];
  let mark = process.cpuUsage();
  const options: AlsOptions = {
    ...MODEL,
    rank,
    implicit: true,
    solver,
    iterations,
    blocks: 1,
    trackTrainRmse: false,
  };
  trainAlsOnMatrices(matrices, options, undefined, {
    onIteration: (record) => {
      const used = process.cpuUsage(mark);
      wall.push(record.seconds);
      cpu.push((used.user + used.system) / 1e6);
      mark = process.cpuUsage();
    },
  });
  const result: OursResult = {
    rank,
    solver,
    ratings: nnz(matrices.byUser),
    users: matrices.userIds.size,
    items: matrices.itemIds.size,
    loadSeconds: round(loadSeconds, 2),
    ...timing(wall, cpu),
    // ru_maxrss is in KiB on Linux.
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function lastJsonLine<T>(what: string, output: string): T {
  const line = output.trim().split('\n').pop();
  if (!line?.startsWith('{')) throw new Error(`${what} printed no JSON result`);
  return JSON.parse(line) as T;
}

function runOurs(file: string, rank: number, solver: AlsSolver, iterations: number): OursResult {
  const script = fileURLToPath(import.meta.url);
  const args = [...process.execArgv, script, '--child', `${rank}:${solver}:${iterations}`];
  const child = spawnSync(process.execPath, [...args, '--file', file], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`ours (${solver}, rank ${rank}) exited ${child.status}`);
  return lastJsonLine<OursResult>(`ours (${solver}, rank ${rank})`, child.stdout);
}

function runImplicit(python: string, file: string, rank: number, iterations: number) {
  const args = [PEER_SCRIPT, file, '--ranks', String(rank), '--iterations', String(iterations)];
  args.push('--cg-steps', String(MODEL.cgSteps), '--alpha', String(MODEL.alpha));
  args.push('--unobserved-weight', String(MODEL.unobservedWeight), '--reg', String(MODEL.reg));
  // One thread for OpenMP and every BLAS, also before threadpoolctl takes over.
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
  const child = spawnSync(python, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.error) throw new Error(`${python} could not start: ${child.error.message}`);
  if (child.status !== 0)
    throw new Error(`implicit_speed.py (rank ${rank}) exited ${child.status}`);
  return lastJsonLine<ImplicitResult>(`implicit_speed.py (rank ${rank})`, child.stdout);
}

/** The generated set, written once (generator.json is written last: its presence means done). */
async function dataset(ratings: number, seed: number): Promise<string> {
  const dir = join(ROOT, '.local', 'bench', `generated-${ratings}-seed${seed}`);
  if (!existsSync(join(dir, 'generator.json'))) {
    process.stderr.write(`generating ${ratings} ratings (seed ${seed}) into ${dir}\n`);
    await writeDataset(dir, { ratings, seed });
  }
  return join(dir, 'ratings.csv');
}

async function runParent(args: Record<string, string>): Promise<void> {
  const started = performance.now();
  const before = loadAverage();
  const ratingCount = Number(args.ratings ?? 2_000_000);
  const seed = Number(args.seed ?? 7);
  const ranks = (args.ranks ?? '20,64,128').split(',').map(Number);
  const choleskyRanks = (args['cholesky-ranks'] ?? '20,64').split(',').filter(Boolean).map(Number);
  const iterations = Number(args.iterations ?? 6);
  const choleskyIterations = Number(args['cholesky-iterations'] ?? 2);
  const python = args.python ?? peersPython();
  const out = args.out ?? join(resultsDir(), 'als-vs-implicit.json');
  for (const r of [...ranks, ...choleskyRanks])
    if (!Number.isInteger(r) || r < 1) throw new Error('ranks must be positive integers');
  const file = await dataset(ratingCount, seed);

  const rows = [];
  let implicitInfo: Omit<ImplicitResult, 'runs'> | undefined;
  let data: Pick<OursResult, 'ratings' | 'users' | 'items'> | undefined;
  for (const rank of [...new Set([...ranks, ...choleskyRanks])].sort((a, b) => a - b)) {
    const { runs, ...info } = runImplicit(python, file, rank, iterations);
    implicitInfo = info;
    const implicit = runs[0]!;
    const cg = ranks.includes(rank) ? runOurs(file, rank, 'cg', iterations) : undefined;
    const cholesky = choleskyRanks.includes(rank)
      ? runOurs(file, rank, 'cholesky', choleskyIterations)
      : undefined;
    const ours = cg ?? cholesky!;
    data = { ratings: ours.ratings, users: ours.users, items: ours.items };
    const ratio = (x: OursResult | undefined, key: keyof Timing) =>
      x ? round((x[key] as number) / (implicit[key] as number), 2) : undefined;
    rows.push({
      rank,
      implicit,
      cg,
      cholesky,
      ratio: {
        cgWall: ratio(cg, 'meanSecondsPerIteration'),
        cgCpu: ratio(cg, 'meanCpuSecondsPerIteration'),
        choleskyWall: ratio(cholesky, 'meanSecondsPerIteration'),
      },
    });
    printRow(rows[rows.length - 1]!);
  }
  const judged = rows.filter((r) => r.rank >= 64 && r.ratio.cgWall !== undefined);
  const report = {
    dataset: {
      file: relative(ROOT, file),
      generator: `recsys generate --ratings ${ratingCount} --seed ${seed}`,
      ...data,
    },
    model: { implicit: true, ...MODEL, blocks: 1, threads: 1 },
    implicit: implicitInfo,
    note:
      'seconds per iteration (user + item half), mean over the iterations after the first; ' +
      'ratio = ours / implicit; implicit solves the same normal equations divided by α₀ ' +
      '(confidence c/α₀, λ of the average user row / α₀), float32, one thread',
    goal: {
      statement: `ours (cg) ≤ ${GOAL_RATIO}× implicit's CG time per iteration at ranks ≥ 64`,
      met: judged.length > 0 && judged.every((r) => r.ratio.cgWall! <= GOAL_RATIO),
    },
    rows,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  stampResults(
    out,
    runStamp(
      commandLine('tsx scripts/bench/als-vs-implicit.ts'),
      before,
      Math.round((performance.now() - started) / 100) / 10,
    ),
  );
  console.log(`goal (${report.goal.statement}): ${report.goal.met ? 'met' : 'NOT met'}`);
  console.log(`load average before ${before.join(' ')}, after ${loadAverage().join(' ')}`);
  console.log(`wrote ${relative(process.cwd(), out)}`);
}

function printRow(row: {
  rank: number;
  implicit: ImplicitRun;
  cg: OursResult | undefined;
  cholesky: OursResult | undefined;
  ratio: { cgWall: number | undefined; cgCpu: number | undefined };
}): void {
  if (row.rank === undefined) return;
  const s = (x: number | undefined, width = 9) =>
    (x === undefined ? '—' : x.toFixed(3)).padStart(width);
  const r = (x: number | undefined) => (x === undefined ? '—' : `${x.toFixed(2)}×`).padStart(8);
  if (!headerPrinted) {
    console.log(
      'rank  implicit s/it  ours cg s/it  ratio (cpu)       ours Cholesky s/it   (one thread)',
    );
    headerPrinted = true;
  }
  console.log(
    `${String(row.rank).padStart(4)}  ${s(row.implicit.meanSecondsPerIteration, 13)}` +
      `  ${s(row.cg?.meanSecondsPerIteration, 12)}  ${r(row.ratio.cgWall)} (${r(row.ratio.cgCpu).trim()})` +
      `  ${s(row.cholesky?.meanSecondsPerIteration, 18)}`,
  );
}
let headerPrinted = false;

const args = parseFlagValues(process.argv.slice(2));
if (args.child) {
  const [rank, solver, iterations] = args.child.split(':');
  await runChild(args.file!, Number(rank), solver as AlsSolver, Number(iterations));
} else {
  await runParent(args);
}
