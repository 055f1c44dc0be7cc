/**
 * The per-core rates `recsys plan` and the README's plan table price training at: read from the
 * benchmark results (bench/results/als.json, als-vs-implicit.json) at the rank closest to the plan's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cgIterationFlops } from '../../../lambdas/core/train/flops.ts';
import { UserError } from '../user-error.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `npm run bench` writes its results in this repository: the plan's default. */
export const REPOSITORY_BENCH_RESULTS = join(ROOT, 'bench', 'results');

/** The measured per-core rate at the rank closest to the plan's, on the largest data set. */
export function measuredGflops(dir: string, rank: number): { gflops: number; source: string } {
  const path = join(dir, 'als.json');
  if (!existsSync(path))
    throw new UserError(`no ${path}: run npm run bench:als first, or pass --gflops`);
  const report = JSON.parse(readFileSync(path, 'utf8')) as {
    cpu?: string;
    generatedAt?: string;
    results: { dataset: string; ratings: number; rank: number; gflopsPerCore: number }[];
  };
  const results = report.results ?? [];
  if (results.length === 0) throw new UserError(`${path} holds no results; pass --gflops`);
  const closest = Math.min(...results.map((r) => Math.abs(r.rank - rank)));
  const best = results
    .filter((r) => Math.abs(r.rank - rank) === closest)
    .sort((a, b) => b.ratings - a.ratings)[0]!;
  return {
    gflops: best.gflopsPerCore,
    source: `${relative(ROOT, path) || path}: ${best.dataset}, rank ${best.rank}, ${report.cpu ?? '?'} (${report.generatedAt?.slice(0, 10) ?? '?'})`,
  };
}

interface ImplicitBench {
  run?: { date?: string; machine?: { cpuModel?: string } };
  dataset: { ratings: number; users: number; items: number };
  model: { cgSteps: number };
  rows: { rank: number; cg?: { meanSecondsPerIteration: number } }[];
}

/**
 * The ranking model's per-core CG rate: the implicit-ALS benchmark's seconds per iteration (ours,
 * 'cg', one thread, wall mean after the first) at the rank closest to the plan's, turned into
 * GFLOP/s with the cost model's own flop count (cgIterationFlops) on the benchmark's data set.
 */
export function measuredCgGflops(dir: string, rank: number): { gflops: number; source: string } {
  const path = join(dir, 'als-vs-implicit.json');
  if (!existsSync(path))
    throw new UserError(
      `no ${path}: run npm run bench -- --peers --only als-implicit first, or pass --cg-gflops`,
    );
  const report = JSON.parse(readFileSync(path, 'utf8')) as ImplicitBench;
  const rows = (report.rows ?? []).filter((r) => r.cg && r.cg.meanSecondsPerIteration > 0);
  if (rows.length === 0) throw new UserError(`${path} holds no CG results; pass --cg-gflops`);
  const closest = Math.min(...rows.map((r) => Math.abs(r.rank - rank)));
  const best = rows
    .filter((r) => Math.abs(r.rank - rank) === closest)
    .sort((a, b) => b.rank - a.rank)[0]!;
  const { ratings, users, items } = report.dataset;
  const steps = report.model.cgSteps;
  const seconds = best.cg!.meanSecondsPerIteration;
  const gflops = cgIterationFlops(ratings, users, items, best.rank, steps) / seconds / 1e9;
  return {
    gflops: Math.round(gflops * 100) / 100,
    source: `${relative(ROOT, path) || path}: ${ratings.toLocaleString('en-US')} generated ratings, rank ${best.rank}, ${steps} CG steps, ${seconds} s/iteration, ${report.run?.machine?.cpuModel ?? '?'} (${report.run?.date?.slice(0, 10) ?? '?'})`,
  };
}
