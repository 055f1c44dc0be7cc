/**
 * Paired A/B timing of the ALS block solve across source trees, in one process on the same inputs:
 * each round runs every configuration's user and item half-step once per tree, in rotating order,
 * so every tree sees the same machine load; a change's effect is the median of the per-round
 * ratios (robust on a shared machine where whole-run times drift by more than the effect). Also
 * compares the trees' factors: a sha256 per half-step, which must agree for a pure speed change.
 *
 *   npm run bench:als-paired -- --trees old=/tmp/old-tree,new=. [--rounds 30] [--ratings 1m]
 *                               [--out bench/results/als-paired.json]
 *   A tree is a checkout of this repository (e.g. `git archive <commit> | tar -x -C /tmp/old-tree`
 *   with node_modules linked); the first is the reference of the ratios.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AlsOptions, ResolvedAlsOptions } from '../../lambdas/core/als/options.ts';
import type { BlockSolveInput, BlockSolveOutput } from '../../lambdas/core/als/block-solver.ts';
import { computeGram } from '../../lambdas/core/als/gram.ts';
import { generateRatingsTable } from '../../lambdas/core/generator/dataset.ts';
import { hash4, unitFromHash } from '../../lambdas/core/matrix/hash.ts';
import { buildRatingMatrices, type CsrBlock } from '../../lambdas/core/matrix/csr.ts';
import { parseFlagValues } from './args.ts';
import { loadAverage, machine, resultsDir } from './machine.ts';

/** The product's two models and an implicit Cholesky fit (the path with weighted entries). */
const CONFIGS: Record<string, AlsOptions> = {
  'rating model: explicit Cholesky rank 20 + biases': { rank: 20 },
  'implicit Cholesky rank 32': { rank: 32, implicit: true, alpha: 1 },
  'ranking model: implicit CG rank 64': {
    rank: 64,
    implicit: true,
    alpha: 0,
    unobservedWeight: 0.1,
    reg: 0.01,
    solver: 'cg',
    cgSteps: 3,
  },
};

interface TreeSolver {
  name: string;
  solveBlock: (
    input: BlockSolveInput,
    settings: ResolvedAlsOptions,
    scratch: unknown,
  ) => BlockSolveOutput;
  scratch: unknown;
  resolve: (
    options: AlsOptions,
    observed: { ratingMin: number; ratingMax: number },
  ) => ResolvedAlsOptions;
}

async function loadTree(name: string, dir: string): Promise<TreeSolver> {
  const url = (path: string) => pathToFileURL(resolve(dir, path)).href;
  const solver = (await import(url('lambdas/core/als/block-solver.ts'))) as {
    solveBlock: TreeSolver['solveBlock'];
    SolverScratch: new () => unknown;
  };
  const options = (await import(url('lambdas/core/als/options.ts'))) as {
    resolveAlsOptions: TreeSolver['resolve'];
  };
  return {
    name,
    solveBlock: solver.solveBlock,
    scratch: new solver.SolverScratch(),
    resolve: options.resolveAlsOptions,
  };
}

/** Fixed pseudo-random factors in [-0.25, 0.25): the same for every tree. */
function factors(length: number, salt: number): Float32Array {
  return Float32Array.from({ length }, (_, k) => (unitFromHash(hash4(k, salt, 7, 11)) - 0.5) / 2);
}

function digest(out: BlockSolveOutput): string {
  const hash = createHash('sha256').update(new Uint8Array(out.factors.buffer));
  if (out.bias) hash.update(new Uint8Array(out.bias.buffer));
  return hash.digest('hex').slice(0, 16);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function parseCount(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text);
  if (!match) throw new Error(`--ratings: expected a count such as 250k or 1m, got "${text}"`);
  return Math.round(Number(match[1]) * { '': 1, k: 1e3, m: 1e6 }[match[2]!.toLowerCase()]!);
}

const args = parseFlagValues(process.argv.slice(2));
if (!args.trees) throw new Error('--trees name=dir,name=dir is required');
const treeArgs = args.trees.split(',').map((t) => {
  const [name, dir] = t.split('=');
  if (!name || !dir) throw new Error(`--trees: expected name=dir, got "${t}"`);
  return [name, dir] as const;
});
const rounds = Number(args.rounds ?? 30);
if (!Number.isInteger(rounds) || rounds < 2) throw new Error('--rounds must be an integer ≥ 2');
const ratings = parseCount(args.ratings ?? '1m');
const out = args.out ?? `${resultsDir()}/als-paired.json`;

const loadBefore = loadAverage();
const trees = await Promise.all(treeArgs.map(([name, dir]) => loadTree(name, dir)));
const { table } = generateRatingsTable({ ratings, seed: 1 });
const m = buildRatingMatrices(table);
const sides: { side: string; block: CsrBlock; fixedRows: number }[] = [
  { side: 'users', block: m.byUser, fixedRows: m.itemIds.size },
  { side: 'items', block: m.byItem, fixedRows: m.userIds.size },
];
const seconds: Record<string, Record<string, number[]>> = {};
const shas: Record<string, Record<string, string>> = {};
const loads: number[] = [];
const cases = Object.entries(CONFIGS).flatMap(([config, options]) =>
  sides.map(({ side, block, fixedRows }, s) => {
    const rank = options.rank!;
    const fixedFactors = factors(fixedRows * rank, 2 * s + 1);
    const input: BlockSolveInput = {
      block,
      fixedFactors,
      globalMean: 3.5,
      previous: factors(block.rows.length * rank, 2 * s + 2),
      ...(options.implicit
        ? { gram: computeGram(fixedFactors, rank) }
        : { fixedBias: factors(fixedRows, 2 * s + 5) }),
    };
    return { key: `${config} / ${side}`, options, input };
  }),
);
for (let round = 0; round < rounds; round++) {
  for (const { key, options, input } of cases) {
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[(t + round) % trees.length]!;
      const settings = tree.resolve(options, { ratingMin: 0.5, ratingMax: 5 });
      const mark = process.cpuUsage();
      const result = tree.solveBlock(input, settings, tree.scratch);
      const cpu = process.cpuUsage(mark);
      ((seconds[key] ??= {})[tree.name] ??= []).push((cpu.user + cpu.system) / 1e6);
      if (round === 0) (shas[key] ??= {})[tree.name] = digest(result);
    }
  }
  loads.push(loadAverage()[0]);
  process.stderr.write(`round ${round + 1}/${rounds}, load ${loads[loads.length - 1]}\n`);
}

const reference = trees[0]!.name;
const summary: Record<string, Record<string, object>> = {};
console.log(
  `${'half-step'.padEnd(58)} ${trees.map((t) => `${t.name} s (×)`.padStart(18)).join(' ')}  factors`,
);
for (const [key, byTree] of Object.entries(seconds)) {
  const base = byTree[reference]!;
  summary[key] = {};
  const cells: string[] = [];
  for (const { name } of trees) {
    // Round 1 carries JIT warm-up: the figures use the later rounds.
    const xs = byTree[name]!.slice(1);
    const ratio = median(xs.map((x, k) => x / base[k + 1]!));
    summary[key][name] = {
      medianCpuSeconds: Math.round(median(xs) * 1e4) / 1e4,
      medianRatioToReference: Math.round(ratio * 1e4) / 1e4,
      factorsSha256: shas[key]![name],
    };
    cells.push(`${median(xs).toFixed(4)} (${ratio.toFixed(3)})`.padStart(18));
  }
  const same = new Set(Object.values(shas[key]!)).size === 1;
  console.log(`${key.padEnd(58)} ${cells.join(' ')}  ${same ? 'identical' : 'DIFFER'}`);
}
const report = {
  generatedAt: new Date().toISOString(),
  command: `npm run bench:als-paired -- ${process.argv.slice(2).join(' ')}`,
  machine: {
    ...machine(),
    loadAverage: { before: loadBefore, after: loadAverage(), perRound: loads },
  },
  ratings,
  rounds,
  reference,
  note: 'CPU seconds of one solveBlock call per half-step; ratios are medians of per-round ratios to the reference tree, round 1 (JIT warm-up) left out',
  summary,
};
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${out}`);
