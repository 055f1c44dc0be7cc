/**
 * What scoring several folded-in people in one kernel pass saves (`ListBatcher`,
 * lambdas/core/serving/list-batcher.ts): the score kernel's time a row at batch sizes 1–32 on
 * ml-25m's catalogue shape (62,423 movies × rank 64, factors from a fixed formula; the kernel's
 * speed does not depend on the values). One thread, best of the repeats.
 *
 *   npx tsx scripts/bench/list-batch.ts [--movies 62423] [--rank 64] [--out bench/results/list-batch.json]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ItemScorer } from '../../lambdas/core/als/item-scorer.ts';
import { arg } from './args.ts';
import { commandLine, loadAverage, resultsDir, runStamp } from './machine.ts';

const movies = Number(arg('movies') ?? 62_423);
const rank = Number(arg('rank') ?? 64);
const out = arg('out') ?? join(resultsDir(), 'list-batch.json');
const started = performance.now();
const before = loadAverage();
const factors = Float32Array.from({ length: movies * rank }, (_, p) => Math.sin(p) * 0.1);
const scorer = new ItemScorer(factors, rank);
const rows: { batch: number; msPerRow: number; ratioToOne: number }[] = [];
for (const batch of [1, 2, 4, 8, 16, 32]) {
  const queries = Float64Array.from({ length: batch * rank }, (_, p) => Math.cos(p));
  let best = Infinity;
  for (let repeat = 0; repeat < 5; repeat++) {
    const calls = Math.max(10, Math.round(160 / batch));
    const t0 = performance.now();
    for (let c = 0; c < calls; c++) scorer.score(queries, 0, batch);
    best = Math.min(best, (performance.now() - t0) / calls / batch);
  }
  rows.push({ batch, msPerRow: best, ratioToOne: rows.length ? best / rows[0]!.msPerRow : 1 });
  console.log(
    `batch ${String(batch).padStart(2)}: ${best.toFixed(3)} ms a row (${(best / rows[0]!.msPerRow).toFixed(2)}× batch 1)`,
  );
}
const seconds = (performance.now() - started) / 1000;
const run = runStamp(commandLine('npx tsx scripts/bench/list-batch.ts'), before, seconds);
writeFileSync(out, JSON.stringify({ run, movies, rank, rows }, null, 2) + '\n');
console.log(`wrote ${out}`);
