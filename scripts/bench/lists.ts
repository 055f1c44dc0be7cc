/**
 * Training's Outputs stage, per list: a user's top-N (TopNBlocks) and a movie's similar movies
 * (SimilarMovieBlocks), the scalar one-at-a-time loops of before (lists-baseline.ts) against the
 * batched SIMD kernel (recommendForVectors, similarItemsOfRows), on one thread:
 *  - a 25M-shaped model of random numbers (shaped-model.ts: 62,423 movies, rank 64, EASE M =
 *    2,000, 154 ratings a user; similar movies among the 48,946 with enough support), and
 *  - the product's recommender trained on ml-latest-small (every user, every candidate movie).
 * Each case also checks that both give the same lists (ids, order, scores).
 *
 *   npx tsx scripts/bench/lists.ts [--old-sample 48] [--new-sample 512] [--repeats 3] [--out bench/results/lists.json]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import {
  itemNorms,
  similarItemsOfRows,
  userVector,
  type AlsModel,
} from '../../lambdas/core/als/index.ts';
import { fitRecommender } from '../../lambdas/core/recommender/fit.ts';
import {
  recommendForVectors,
  type ListQuery,
  type Recommender,
} from '../../lambdas/core/serving/recommender.ts';
import { narrowToSupportedItems } from '../../lambdas/core/train/candidate-items.ts';
import { scalarList, scalarSimilar } from './lists-baseline.ts';
import { arg } from './args.ts';
import { commandLine, loadAverage, resultsDir, runStamp } from './machine.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';
import { SHAPE_25M, shapedRecommender, shapedUsers } from './shaped-model.ts';

const oldSample = Number(arg('old-sample') ?? 48);
const newSample = Number(arg('new-sample') ?? 512);
const repeats = Number(arg('repeats') ?? 3);
const out = arg('out') ?? join(resultsDir(), 'lists.json');
const TOP_N = 50;
const SIMILAR_N = 20;
const log = (line: string) => void process.stderr.write(`lists: ${line}\n`);

/** Per-item milliseconds of one timed call: wall clock, and CPU time of this process. */
interface Timing {
  wallMs: number;
  cpuMs: number;
}

/**
 * Per-item time of `run(items)`: the best of `repeats` timed calls by CPU time (this 2-core VM
 * is shared, so wall time is stretched by whatever else runs; the CPU time of a single-threaded
 * loop is what it costs), after an untimed warm-up call on the first `warm` (the WebAssembly and
 * JavaScript compilers tier up on the first calls).
 */
function perItem<T, R>(
  items: readonly T[],
  warm: number,
  run: (items: readonly T[]) => R[],
): [Timing, R[]] {
  run(items.slice(0, Math.min(warm, items.length)));
  let best: Timing = { wallMs: Infinity, cpuMs: Infinity };
  let result: R[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    result = run(items);
    const used = process.cpuUsage(cpu);
    const timing = {
      wallMs: (performance.now() - started) / items.length,
      cpuMs: (used.user + used.system) / 1000 / items.length,
    };
    if (timing.cpuMs < best.cpuMs) best = timing;
  }
  return [best, result];
}

interface Case {
  name: string;
  recommender: Recommender;
  queries: ListQuery[];
  /** Movies with enough support: the similar-movies model and its targets. */
  candidates: AlsModel;
}

function measure(c: Case) {
  const { recommender, queries, candidates } = c;
  const oldQueries = queries.slice(0, oldSample);
  const [oldUser, oldLists] = perItem(oldQueries, 4, (qs) =>
    qs.map((q) => scalarList(recommender, q)),
  );
  const [newUser, newLists] = perItem(queries.slice(0, newSample), 128, (qs) =>
    recommendForVectors(recommender, qs),
  );
  const norms = itemNorms(candidates);
  const targets = Int32Array.from({ length: candidates.itemIds.size }, (_, i) => i);
  const [oldMovie, oldSimilar] = perItem([...targets.slice(0, oldSample)], 4, (ts) =>
    ts.map((t) => scalarSimilar(candidates, t, SIMILAR_N, norms)),
  );
  const [newMovie, newSimilar] = perItem([...targets.slice(0, newSample)], 128, (ts) =>
    similarItemsOfRows(candidates, Int32Array.from(ts), SIMILAR_N, norms),
  );
  const result = {
    users: queries.length,
    movies: recommender.ranking.itemIds.size,
    similarCandidates: candidates.itemIds.size,
    timedUsers: { old: oldQueries.length, new: Math.min(newSample, queries.length) },
    topNMsPerUser: { old: oldUser, new: newUser, cpuSpeedup: oldUser.cpuMs / newUser.cpuMs },
    similarMsPerMovie: {
      old: oldMovie,
      new: newMovie,
      cpuSpeedup: oldMovie.cpuMs / newMovie.cpuMs,
    },
    sameLists: {
      topN: isDeepStrictEqual(oldLists, newLists.slice(0, oldLists.length)),
      similar: isDeepStrictEqual(oldSimilar, newSimilar.slice(0, oldSimilar.length)),
    },
  };
  log(`${c.name}: ${JSON.stringify(result)}`);
  return result;
}

const before = loadAverage();
const started = performance.now();

log('building the 25M-shaped recommender');
const shaped = shapedRecommender();
const shapedSupport = Int32Array.from(shaped.support);
const shapedCase: Case = {
  name: '25M-shaped (random factors)',
  recommender: shaped,
  queries: shapedUsers(shaped, Math.max(oldSample, newSample), TOP_N),
  candidates: narrowToSupportedItems(shaped.ranking, shapedSupport, 20).model,
};
const shape25m = measure(shapedCase);

log('training the product recommender on ml-latest-small');
const table = await readRatingsFile(ML_LATEST_SMALL_RATINGS);
const fitted = fitRecommender(table);
const { recommender } = fitted;
const byUser = new Map<number, { movieId: number; rating: number }[]>();
for (let r = 0; r < table.length; r++) {
  const list = byUser.get(table.userIds[r]!) ?? [];
  list.push({ movieId: table.movieIds[r]!, rating: table.ratings[r]! });
  byUser.set(table.userIds[r]!, list);
}
const smallQueries: ListQuery[] = [...byUser].map(([userId, ratings]) => ({
  user: userVector(fitted.ranking, userId)!,
  ratings,
  request: {
    n: TOP_N,
    exclude: new Set(ratings.map((g) => fitted.ranking.itemIds.indexOf(g.movieId))),
  },
}));
const smallSupport = Int32Array.from(recommender.support);
const small = measure({
  name: 'ml-latest-small (trained)',
  recommender,
  queries: smallQueries,
  candidates: narrowToSupportedItems(fitted.ranking, smallSupport, 20).model,
});

// The 25M stages on one thread (CPU seconds): every user's list, every movie's similar movies.
const projected = {
  topNSeconds: {
    old: (shape25m.topNMsPerUser.old.cpuMs * SHAPE_25M.users) / 1000,
    new: (shape25m.topNMsPerUser.new.cpuMs * SHAPE_25M.users) / 1000,
  },
  similarSeconds: {
    old: (shape25m.similarMsPerMovie.old.cpuMs * SHAPE_25M.movies) / 1000,
    new: (shape25m.similarMsPerMovie.new.cpuMs * SHAPE_25M.movies) / 1000,
  },
};
log(`25M stages on one thread: ${JSON.stringify(projected)}`);
const after = loadAverage();
writeFileSync(
  out,
  JSON.stringify(
    {
      run: runStamp(
        commandLine('npx tsx scripts/bench/lists.ts'),
        before,
        (performance.now() - started) / 1000,
        after,
      ),
      note: 'ms per list on one thread, best of the repeats; old = the scalar loops before the kernel (lists-baseline.ts), new = the batched SIMD kernel. The 25M-shaped model has random factors and EASE weights (timing only).',
      repeats,
      topN: TOP_N,
      similarN: SIMILAR_N,
      shape25m,
      mlLatestSmall: small,
      projected25mOneThread: projected,
    },
    null,
    2,
  ) + '\n',
);
log(`wrote ${out}; load average ${before.join(' ')} → ${after.join(' ')}`);
