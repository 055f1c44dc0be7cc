/**
 * Task sizing's memory half: what each kind of train task is given as deployed, and the most it
 * holds at once for a workload (task-sizing.ts has the seconds). No prices.
 */
import type { TaskAssumptions } from './task-assumptions.ts';
import { bundleBytes, type TrainTask, type TrainWorkload } from './task-sizing.ts';

/** Memory (MB) each kind of train task gets as deployed (infra/constructs/training.ts), at most `maxMemoryMb`. */
export function trainTaskMemoryLimitsMb(
  a: TaskAssumptions,
  maxMemoryMb = Infinity,
): Record<TrainTask, number> {
  const cap = (mb: number) => Math.min(mb, maxMemoryMb);
  return {
    scanRange: cap(a.scanMemoryMb),
    assembleBlock: cap(a.scanMemoryMb),
    solveBlock: cap(a.solveMemoryMb),
    evaluateBlock: cap(a.solveMemoryMb),
    combine: cap(a.smallTaskMemoryMb),
    neighbourGram: cap(a.solveMemoryMb),
    neighbourSolve: cap(a.solveMemoryMb),
    topN: cap(a.solveMemoryMb),
    similarMovies: cap(a.solveMemoryMb),
    publish: cap(a.smallTaskMemoryMb),
  };
}

/**
 * Peak bytes of one task of each kind: the files it holds (each whole, as the handlers read them)
 * plus its largest file a second time while it downloads, the Lambda's own baseline and the warm
 * container's cache of earlier tasks' files ({@link TaskAssumptions.runFileCacheMb}). The blocks'
 * shares (CSR slices, parts) shrink with the block count; a whole side of factors does not: a
 * block solve holds the other side of both models and its own side's ranking factors (the CG warm
 * start), the outputs and Publish hold the whole bundle.
 */
export function trainTaskMemoryBytes(
  input: TrainWorkload,
  a: TaskAssumptions,
): Record<TrainTask, number> {
  const { ratings: R, users: U, movies: I, blocks: B } = input;
  const d = input.ratingRank + 1;
  const k = input.rankingRank;
  const M = Math.min(input.neighbourMovies, I);
  const v = a.validationShare;
  const gram = ((k * (k + 1)) / 2) * 8;
  const ratingSide = (rows: number) => rows * d * 4;
  const rankingSide = (rows: number) => rows * k * 4 + gram;
  // Column index and value per rating; row id and row pointer per row.
  const csr = (n: number, rows: number) => n * 8 + rows * 8;
  const fixed = (a.lambdaBaselineMb + a.runFileCacheMb) * 2 ** 20;
  const held = (...files: number[]) =>
    fixed + files.reduce((sum, f) => sum + f, 0) + Math.max(0, ...files);
  const out = (rows: number) => (rows / B) * (d + k) * 4;
  const sides = [ratingSide(U), ratingSide(I), rankingSide(U), rankingSide(I)];
  const neighbours = M > 0 ? 4 * M * M : 0;
  return {
    // Its ratings as shuffle parts (12 bytes a rating, both orientations) until they are written.
    scanRange: held((R / B) * 12 * 2),
    // Its parts in, its CSR slices (fit and every rating, both sides) and validation out.
    assembleBlock: held(
      (R / B) * 24,
      2 * csr(((1 - v) * R) / B, (U + I) / B),
      v > 0 ? 2 * csr(R / B, (U + I) / B) : 0,
      (v * R * 12) / B,
    ),
    solveBlock: Math.max(
      held(csr(R / B, U / B), ratingSide(I), rankingSide(I), rankingSide(U), out(U)),
      held(csr(R / B, I / B), ratingSide(U), rankingSide(U), rankingSide(I), out(I)),
    ),
    evaluateBlock: held(ratingSide(U), ratingSide(I), csr(R / B, U / B), (v * R * 12) / B),
    // Both models' blocks of one side in, the whole side of both out (users: the larger side).
    combine: held(Math.max(U, I) * (d + k) * 4, Math.max(U, I) * (d + k) * 4 + gram),
    // The float64 partial, its float32 copy and the encoded file (docs/cost-model.md).
    neighbourGram: M > 0 ? held(csr(R / B, U / B), 8 * M * M, 2 * neighbours) : 0,
    // float64 sum 8M², 4 partials in flight 32M², the inverse rows 4M², the model 4M².
    neighbourSolve: M > 0 ? fixed + 48 * M * M : 0,
    topN: held(...sides, neighbours, csr(R / B, U / B)),
    similarMovies: held(...sides, neighbours),
    publish: held(...sides, neighbours, bundleBytes(input)),
  };
}
