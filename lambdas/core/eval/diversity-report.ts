import type { RatingsTable } from '../ratings.ts';
import { intraListDiversity } from '../serving/diversity.ts';
import type { Recommender } from '../serving/recommender.ts';
import { popularityOrder } from './baselines.ts';
import { recommenderLists } from './held-out-report.ts';
import { heldOutMetrics, type HeldOutMetrics, type HeldOutUser } from './held-out-users.ts';

/** The protocol's metrics of lists made with the diversity dial, and what the dial buys. */
export interface DiversityMetrics extends HeldOutMetrics {
  readonly diversity: number;
  /** Mean over users of the top 10's mean pairwise 1 − cosine of ranking-model item factors. */
  readonly 'ild@10': number;
  /** Mean over every top-10 movie of its rank by training ratings (1: the most rated). */
  readonly 'popularityRank@10': number;
}

/**
 * The held-out users' lists at dial `d`, each metric measured on the list serving would give at
 * that length: @10 metrics (NDCG, precision, coverage, ILD, popularity rank) on top-10 lists (a
 * pool of 10 × 10 candidates, as `limit=10` gets), recall@20/50 and NDCG@100 on top-100 lists (a
 * pool of 1,000). MMR rescales scores over its pool, so a top-10 is not the first 10 of a
 * top-100 when d > 0; at d = 0 it is, and every figure equals `heldOutMetrics` of one list.
 */
export function diversityMetrics(
  recommender: Recommender,
  users: readonly HeldOutUser[],
  train: RatingsTable,
  catalogueSize: number,
  diversity: number,
): DiversityMetrics {
  const short = recommenderLists(recommender, users, 10, undefined, diversity);
  const long = recommenderLists(recommender, users, 100, undefined, diversity);
  const atTen = heldOutMetrics(short, users, catalogueSize);
  const deep = heldOutMetrics(long, users, catalogueSize);
  const rankOf = new Map<number, number>();
  popularityOrder(train).forEach((movieId, k) => rankOf.set(movieId, k + 1));
  let ild = 0;
  let rankSum = 0;
  let shown = 0;
  for (const list of short) {
    ild += intraListDiversity(recommender.ranking, list);
    for (const movieId of list) {
      rankSum += rankOf.get(movieId) ?? rankOf.size + 1;
      shown++;
    }
  }
  return {
    diversity,
    'recall@20': deep['recall@20'],
    'recall@50': deep['recall@50'],
    'ndcg@10': atTen['ndcg@10'],
    'ndcg@100': deep['ndcg@100'],
    'precision@10': atTen['precision@10'],
    'coverage@10': atTen['coverage@10'],
    'ild@10': users.length === 0 ? Number.NaN : ild / users.length,
    'popularityRank@10': shown === 0 ? Number.NaN : rankSum / shown,
    users: users.length,
  };
}
