/**
 * `npm run bench`: every benchmark in one run, each result to bench/results/*.json stamped with the
 * machine and its load before/after, then bench/results/summary.md (the README table).
 *
 *   npm run bench -- [--peers] [--quick] [--only als,scaling,train,ingest,api,cold-items,peers,als-implicit,ranking]
 *
 * The ALS, scaling, train, ingest and API steps run as child processes of their own scripts (each
 * is also an npm script, bench:*): every step then has its own heap, peak RSS and worker threads,
 * and one step's JIT or caches do not colour the next. --peers adds Spark MLlib ALS, Surprise SVD
 * and cqlsh COPY FROM on the same data (installed on first use into .local/venv-peers), and
 * als-implicit: implicit ALS s/iteration against benfred/implicit (als-vs-implicit.ts), and
 * ranking: ours vs EASE, implicit ALS and popularity on the held-out-users protocol (ranking.ts),
 * with the given ratings a random 80 % and the earliest 80 %.
 * cold-items: Recall@20 of held-out movies from their content vs random and genre popularity
 * (cold-items.ts).
 * scale (only when named: tens of minutes): 25M generated ratings through ingest → train → serve
 * with the product defaults, peak memory of every process and Task (scale.ts).
 * --quick shrinks every size for a smoke test (its figures are not for the README).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { loadAverage, machine, resultsDir, runStamp, stampResults } from './machine.ts';
import { ensurePeersVenv, peersCqlsh } from './peers/venv.ts';
import { runPeers } from './peers/run-peers.ts';
import { runSteps, selectSteps, type StepSelection } from './steps.ts';
import { writeSummary } from './summary.ts';

const STEPS = [
  'als',
  'scaling',
  'train',
  'ingest',
  'api',
  'cold-items',
  'peers',
  'als-implicit',
  'ranking',
  'scale',
] as const;
type Step = (typeof STEPS)[number];
/** Steps that only run with --peers (or when named in --only) and use .local/venv-peers. */
const PEER_STEPS: readonly Step[] = ['peers', 'als-implicit', 'ranking'];
/** Steps that only run when named in --only (too long for every run). */
const OPT_IN_STEPS: readonly Step[] = ['scale'];

interface Options {
  peers: boolean;
  quick: boolean;
  only?: string;
}

const program = new Command('bench')
  .description('Run the benchmarks; write bench/results/*.json, charts and summary.md.')
  .option('--peers', 'also measure Spark MLlib ALS, Surprise SVD and cqlsh COPY FROM', false)
  .option('--quick', 'small sizes for a smoke test', false)
  .option('--only <steps>', `comma-separated subset of ${STEPS.join(',')}`)
  .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });
program.parse();
const options = program.opts<Options>();

function selection(): StepSelection<Step> {
  try {
    return selectSteps(STEPS, PEER_STEPS, options, OPT_IN_STEPS);
  } catch (error) {
    return program.error((error as Error).message);
  }
}
const { steps: wanted, peers } = selection();
const quick = options.quick;
const log = (line: string) => void process.stderr.write(`bench: ${line}\n`);

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const out = resultsDir();
mkdirSync(out, { recursive: true });

/** Each step: its script, arguments (full and --quick) and the files it writes. */
function stepPlan(step: Exclude<Step, 'peers'>): {
  script: string;
  args: string[];
  files: string[];
} {
  const cores = machine().cores;
  switch (step) {
    case 'als':
      return {
        script: 'als.ts',
        args: quick
          ? ['--sizes', 'small', '--ranks', '10', '--iterations', '2']
          : ['--sizes', 'small,1m', '--ranks', '10,20,32,64', '--iterations', '3'],
        files: ['als.json'],
      };
    case 'scaling':
      return {
        script: 'als-scaling.ts',
        args: quick
          ? ['--ratings', '100000', '--rank', '10', '--iterations', '2', '--blocks', '8']
          : ['--ratings', '1000000', '--rank', '20', '--iterations', '4', '--blocks', '32'],
        files: [`als-scaling-${cores}cores.json`, `als-scaling-${cores}cores.svg`],
      };
    case 'train':
      return {
        script: 'train.ts',
        args: quick
          ? ['--datasets', 'small', '--iterations', '2', '--blocks-list', '2']
          : ['--datasets', 'small,1m', '--iterations', '4', '--blocks-list', '1,2,4,8,16'],
        files: ['train.json', 'train-scaling.svg'],
      };
    case 'ingest':
      // With --peers, ours against cqlsh COPY on ml-latest-small and on 2M generated ratings (where
      // fixed costs do not dominate; ~5 min here); without, ml-latest-small alone.
      return {
        script: 'ingest.ts',
        args:
          peers && !quick
            ? ['--sets', 'small,generated', '--ratings', '2000000']
            : ['--sets', 'small', ...(peers ? [] : ['--skip-cqlsh'])],
        files: ['ingest.json'],
      };
    case 'api':
      return { script: 'api.ts', args: [], files: ['api.json'] };
    case 'als-implicit':
      // Implicit ALS s/iteration, ours vs benfred/implicit's CG on 2M generated ratings (~2 min).
      return {
        script: 'als-vs-implicit.ts',
        args: quick
          ? '--ratings 200000 --ranks 20,64 --cholesky-ranks 20 --iterations 2'.split(' ')
          : [],
        files: ['als-vs-implicit.json'],
      };
    case 'cold-items':
      // Cold movies from their content: ml-latest-small, 5 split seeds × 5 kept-rating counts (~2 min).
      return {
        script: 'cold-items.ts',
        args: quick ? ['--seeds', '0', '--keep', '0'] : [],
        files: ['cold-items.json'],
      };
    case 'ranking':
      // Held-out users: ml-latest-small, ml-100k- and ml-1m-shaped generated sets, each under the
      // random and the time order of the given ratings (~30 min).
      return {
        script: 'ranking.ts',
        args: ['--datasets', quick ? 'small' : 'small,100k,1m'],
        files: ['ranking.json'],
      };
    case 'scale':
      // 25M ratings: ingest → train → serve (the issue's goal: ≤ 45 min here); --quick 200,000.
      return { script: 'scale.ts', args: quick ? ['--quick'] : [], files: ['scale.json'] };
  }
}

function runStep(step: Exclude<Step, 'peers'>): void {
  const plan = stepPlan(step);
  const before = loadAverage();
  const started = performance.now();
  log(`${step}: ${plan.script} ${plan.args.join(' ')}`);
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, here(plan.script), ...plan.args],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        RECSYS_BENCH_RESULTS: out,
        BENCH_API_SECONDS: process.env.BENCH_API_SECONDS ?? (quick ? '2' : '8'),
        ...(peers ? { RECSYS_CQLSH: peersCqlsh() } : {}),
      },
    },
  );
  if (child.status !== 0) throw new Error(`${step} failed (exit ${child.status ?? child.signal})`);
  const stamp = runStamp(
    `tsx scripts/bench/${plan.script} ${plan.args.join(' ')}`.trim(),
    before,
    Math.round((performance.now() - started) / 100) / 10,
  );
  for (const file of plan.files.filter((f) => f.endsWith('.json')))
    stampResults(join(out, file), stamp);
}

async function runPeersStep(): Promise<void> {
  const before = loadAverage();
  const t0 = performance.now();
  const result = await runPeers(log);
  const report = {
    run: runStamp(
      'npm run bench -- --peers',
      before,
      Math.round((performance.now() - t0) / 100) / 10,
    ),
    ...result,
  };
  writeFileSync(join(out, 'peers.json'), JSON.stringify(report, null, 2) + '\n');
  log(`peers: wrote ${join(out, 'peers.json')}`);
}

const started = performance.now();
// The peers' venv is made before the first step that runs one of its tools (cqlsh for ingest),
// not by the peers step alone; one broken step does not throw away the others' figures.
const failures = await runSteps(
  wanted.map((step) => ({
    name: step,
    usesPeersEnv: PEER_STEPS.includes(step) || (peers && step === 'ingest'),
    run: () => (step === 'peers' ? runPeersStep() : runStep(step)),
  })),
  () => ensurePeersVenv(log),
  log,
);
const summary = writeSummary(out);
log(`wrote ${summary} (${((performance.now() - started) / 60_000).toFixed(1)} min in all)`);
if (failures.length > 0) {
  log(`failed: ${failures.join('; ')}`);
  process.exitCode = 1;
}
