/**
 * POST /recommendations in process, per request: the ranking model's fold-in and blended list
 * (`recommendForProfile`), the cold movies scored by the folded-in vector (`coldCandidates`) and
 * the stars the rating model predicts for the list (`ratingUser`, `predictedStars`) — the work
 * the API Lambda does for a new user besides HTTP, JSON and Cassandra. On the 25M-shaped model of
 * shaped-model.ts (random factors: timing only) with 30 given ratings a request, one thread;
 * p50 and p99 of the wall and CPU time per request. `--before` times the scalar list and cold
 * scoring of before the scoring kernel (lists-baseline.ts) in their place.
 *
 *   npx tsx scripts/bench/fold-in.ts [--requests 400] [--before] [--out bench/results/fold-in.json]
 *   node --import tsx --cpu-prof scripts/bench/fold-in.ts --requests 200   (where the time goes)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  denseItemIndices,
  foldInUser,
  type AlsModel,
  type ScoredMovie,
} from '../../lambdas/core/als/index.ts';
import { IdMap } from '../../lambdas/core/matrix/id-map.ts';
import { coldCandidates, type ColdItems } from '../../lambdas/core/serving/cold-start.ts';
import {
  predictedStars,
  profileRatings,
  ratingUser,
  recommendForProfile,
  type Recommender,
} from '../../lambdas/core/serving/recommender.ts';
import { scalarCold, scalarList } from './lists-baseline.ts';
import { arg } from './args.ts';
import { commandLine, loadAverage, resultsDir, runStamp } from './machine.ts';
import { SHAPE_25M, shapedRecommender, shapedUsers } from './shaped-model.ts';

const requests = Number(arg('requests') ?? 400);
const before = process.argv.includes('--before');
const out = arg('out') ?? join(resultsDir(), before ? 'fold-in-before.json' : 'fold-in.json');
const GIVEN = 30;
const LIMIT = 10;
const log = (line: string) => void process.stderr.write(`fold-in: ${line}\n`);

/** An explicit rating model with random factors and biases over the ranking model's movies. */
function ratingModel(ranking: AlsModel): AlsModel {
  const n = ranking.itemIds.size;
  return {
    ...ranking,
    itemBias: Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5),
    userFactors: new Float32Array(0),
    userIds: IdMap.fromIds([]),
    globalMean: 3.5,
    options: { ...ranking.options, implicit: false, biases: true },
  };
}

/** The movies with fewer than 20 ratings as cold items, their vectors from the item factors. */
function coldItems(recommender: Recommender): ColdItems {
  const { ranking, support } = recommender;
  const { rank } = ranking;
  const cold: number[] = [];
  for (let i = 0; i < ranking.itemIds.size; i++) if ((support[i] ?? 0) < 20) cold.push(i);
  const vectors = new Float32Array(cold.length * rank);
  cold.forEach((i, c) =>
    vectors.set(ranking.itemFactors.subarray(i * rank, (i + 1) * rank), c * rank),
  );
  const movieIds = Int32Array.from(cold, (i) => ranking.itemIds.ids[i]!);
  const ids = IdMap.fromIds(Array.from(movieIds));
  return {
    rank,
    movieIds,
    vectors,
    norms: new Float32Array(cold.length).fill(1),
    ratings: Int32Array.from(cold, (i) => Number(support[i] ?? 0)),
    indexOf: (movieId) => ids.indexOf(movieId),
  };
}

const loadBefore = loadAverage();
log('building the 25M-shaped recommender');
const recommender = shapedRecommender();
const rating = ratingModel(recommender.ranking);
const cold = coldItems(recommender);
const profiles = shapedUsers(recommender, requests, LIMIT, GIVEN).map((q) => q.ratings);

function serve(ratings: readonly { movieId: number; rating: number }[]): ScoredMovie[] {
  const given = ratings.map((r) => r.movieId);
  const request = { n: LIMIT, exclude: new Set(denseItemIndices(recommender.ranking, given)) };
  let items: ScoredMovie[];
  let vector: ArrayLike<number>;
  if (before) {
    const merged = profileRatings(recommender, { ratings });
    const user = foldInUser(recommender.ranking, { ratings: merged }, recommender.foldIn);
    items = scalarList(recommender, { user, ratings: merged, request });
    vector = user.vector;
  } else {
    const list = recommendForProfile(recommender, { ratings }, request);
    items = list.items;
    vector = list.user!.vector;
  }
  const skip = new Set(given);
  const accept = (movieId: number) => !skip.has(movieId);
  const coldList = (before ? scalarCold : coldCandidates)(cold, vector, LIMIT, accept);
  const stars = ratingUser(rating, null, ratings);
  predictedStars(
    rating,
    stars!,
    items.map((s) => s.movieId),
  );
  return [...items, ...coldList];
}

for (let r = 0; r < Math.min(50, requests); r++) serve(profiles[r]!); // tier-up
const wall: number[] = [];
const cpu: number[] = [];
const started = performance.now();
for (const ratings of profiles) {
  const t = performance.now();
  const c = process.cpuUsage();
  serve(ratings);
  const used = process.cpuUsage(c);
  wall.push(performance.now() - t);
  cpu.push((used.user + used.system) / 1000);
}
const seconds = (performance.now() - started) / 1000;
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const summary = {
  path: before ? 'scalar list (before the kernel)' : 'recommendForProfile (kernel)',
  requests,
  given: GIVEN,
  coldMovies: cold.movieIds.length,
  wallMs: { p50: pct(wall, 50), p99: pct(wall, 99) },
  cpuMs: { p50: pct(cpu, 50), p99: pct(cpu, 99) },
  requestsPerSecondOneThread: requests / seconds,
};
log(JSON.stringify(summary));
const loadAfter = loadAverage();
writeFileSync(
  out,
  JSON.stringify(
    {
      run: runStamp(
        commandLine('npx tsx scripts/bench/fold-in.ts'),
        loadBefore,
        seconds,
        loadAfter,
      ),
      note: `in process, one thread, no HTTP/JSON/Cassandra; the 25M-shaped model (${SHAPE_25M.movies} movies, rank ${SHAPE_25M.rank}, EASE M = ${SHAPE_25M.neighbourMovies}) has random factors`,
      ...summary,
    },
    null,
    2,
  ) + '\n',
);
log(`wrote ${out}; load average ${loadBefore.join(' ')} → ${loadAfter.join(' ')}`);
