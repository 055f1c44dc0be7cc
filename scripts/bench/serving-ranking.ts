/**
 * Chooses the serving ranking policy (lambdas/core/serving/ranking.ts): trains the default ALS model
 * on an 80/20 hash split of ml-latest-small and scores top-10 lists of every policy in a small grid
 * against the held-out ratings (relevant = rated ≥ 4), beside the popularity baseline.
 * Run: `npx tsx scripts/bench/serving-ranking.ts` (about a minute). Results: docs/serving.md.
 */
import { createReadStream } from 'node:fs';
import { trainAls, userVector, type AlsOptions } from '../../lambdas/core/als/index.ts';
import { popularityRecommender } from '../../lambdas/core/eval/baselines.ts';
import { evaluateRanking } from '../../lambdas/core/eval/evaluate.ts';
import { hashSplit } from '../../lambdas/core/eval/split.ts';
import { readRatingsTable } from '../../lambdas/core/formats/ratings-reader.ts';
import { rankForVector, type RankingPolicy } from '../../lambdas/core/serving/ranking.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';

const table = await readRatingsTable(createReadStream(ML_LATEST_SMALL_RATINGS));
const { train, test } = hashSplit(table, { test: 0.2 });

const results: Record<string, unknown>[] = [];
const popularity = evaluateRanking(popularityRecommender(train), train, test);
results.push({ model: 'popularity', precision: popularity.precision, ndcg: popularity.ndcg });

const variants: Record<string, AlsOptions> = { explicit: {}, 'implicit α=1': { implicit: true } };
for (const [name, options] of Object.entries(variants)) {
  const model = trainAls(train, options);
  const support = new Int32Array(model.itemIds.size);
  for (let r = 0; r < train.length; r++) support[model.itemIds.indexOf(train.movieIds[r]!)]!++;
  const seen = new Map<number, Set<number>>();
  for (let r = 0; r < train.length; r++) {
    const user = train.userIds[r]!;
    let set = seen.get(user);
    if (!set) seen.set(user, (set = new Set()));
    set.add(model.itemIds.indexOf(train.movieIds[r]!));
  }
  for (const minRatings of [0, 5, 10, 20, 50]) {
    for (const popularityWeight of [0, 0.1, 0.3, 0.5, 1]) {
      const policy: RankingPolicy = { minRatings, popularityWeight };
      const metrics = evaluateRanking(
        (userId, k) => {
          const user = userVector(model, userId);
          if (!user) return [];
          const exclude = seen.get(userId) ?? new Set<number>();
          return rankForVector(model, user, { n: k, support, policy, exclude }).map(
            (m) => m.movieId,
          );
        },
        train,
        test,
      );
      results.push({
        model: name,
        minRatings,
        popularityWeight,
        precision: Number(metrics.precision.toFixed(4)),
        ndcg: Number(metrics.ndcg.toFixed(4)),
        coverage: Number(metrics.coverage.toFixed(4)),
      });
    }
  }
}
console.table(results);
