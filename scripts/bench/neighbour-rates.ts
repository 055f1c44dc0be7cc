/**
 * The neighbour (EASE) stage's three kernels, timed on one thread with the real code and the real
 * ml-latest-small matrix: the per-user-block partial XᵀX (`gramOfUsers`, updates per second), the
 * Cholesky of XᵀX + λI (`factorGram`, M³/3 flops) and the inverse from it (`inverseRows`, ≈ 4M³/3
 * flops: per column a forward solve from row j, (M − j)², and a backward solve, M²). These are
 * the rates the cost model assumes for the NeighbourGramBlocks Map and the NeighbourSolve Lambda
 * (lambdas/core/cost/assumptions.ts).
 *
 *   npx tsx scripts/bench/neighbour-rates.ts [--repeats 3] [--out bench/results/neighbour-rates.json]
 *
 * Each figure is the best of the repeats (wall time; on a shared machine the best is the closest
 * to an idle core). Also records the data set's shape the cost model uses: the share of ratings on
 * the M most-rated movies and the spread of the users' counts among them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import { buildRatingMatrices } from '../../lambdas/core/matrix/csr.ts';
import {
  factorGram,
  gramOfUsers,
  inverseRows,
  memberPositions,
  neighbourMembers,
} from '../../lambdas/core/neighbours/ease.ts';
import { DEFAULT_NEIGHBOUR_SETTINGS } from '../../lambdas/core/neighbours/options.ts';
import { arg } from './args.ts';
import { loadAverage, resultsDir, runStamp } from './machine.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';

function best(repeats: number, run: () => void): number {
  let seconds = Infinity;
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    run();
    seconds = Math.min(seconds, (performance.now() - started) / 1000);
  }
  return seconds;
}

const repeats = Number(arg('repeats') ?? 3);
const out = arg('out') ?? join(resultsDir(), 'neighbour-rates.json');
const started = performance.now();
const before = loadAverage();
const settings = DEFAULT_NEIGHBOUR_SETTINGS;
const matrices = buildRatingMatrices(await readRatingsFile(ML_LATEST_SMALL_RATINGS));
const { byUser, byItem } = matrices;
const users = byUser.rows.length;
const items = byItem.rows.length;
const support = Int32Array.from(
  { length: items },
  (_, i) => byItem.rowPtr[i + 1]! - byItem.rowPtr[i]!,
);
const members = neighbourMembers(support, settings);
const M = members.length;
const position = memberPositions(members, items);

// The shape: n_u = user u's ratings among the M movies.
let onMembers = 0;
let squares = 0;
let updates = 0;
for (let u = 0; u < users; u++) {
  let n = 0;
  for (let k = byUser.rowPtr[u]!; k < byUser.rowPtr[u + 1]!; k++)
    if (position[byUser.colIdx[k]!]! >= 0) n++;
  onMembers += n;
  squares += n * n;
  updates += (n * (n + 1)) / 2; // gramOfUsers' lower triangle, diagonal included
}
const ratings = byUser.rowPtr[users]!;

const gram = gramOfUsers(byUser, position, M, settings);
const gramSeconds = best(repeats, () => gramOfUsers(byUser, position, M, settings));
// Symmetric: gramOfUsers fills the lower triangle; factorGram reads only that.
const choleskySeconds = best(repeats, () => factorGram(gram.slice(), M, settings.reg));
const factor = gram.slice();
factorGram(factor, M, settings.reg);
const all = Int32Array.from({ length: M }, (_, k) => k);
const inverseSeconds = best(repeats, () => inverseRows(factor, M, all));

const report = {
  run: runStamp(
    `tsx scripts/bench/neighbour-rates.ts --repeats ${repeats}`,
    before,
    Math.round((performance.now() - started) / 100) / 10,
  ),
  note: 'one thread, best of the repeats (wall); flops: Cholesky M³/3, inverse 4M³/3',
  dataset: { name: 'ml-latest-small', ratings, users, items },
  settings,
  shape: {
    M,
    ratingsOnMembers: onMembers,
    share: onMembers / ratings,
    /** users·Σn_u² / (Σn_u)²: 1 when every user has the same count. */
    spread: (users * squares) / (onMembers * onMembers),
    gramUpdates: updates,
  },
  gram: { seconds: gramSeconds, updatesPerSecond: updates / gramSeconds },
  cholesky: { seconds: choleskySeconds, gflops: M ** 3 / 3 / choleskySeconds / 1e9 },
  inverse: { seconds: inverseSeconds, gflops: (4 * M ** 3) / 3 / inverseSeconds / 1e9 },
};
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
