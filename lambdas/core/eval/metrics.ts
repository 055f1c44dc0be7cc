import type { RatingsTable } from '../ratings.ts';

/** Root mean squared error; NaN for no pairs. */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkSameLength(predicted, actual);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = predicted[i]! - actual[i]!;
    sum += e * e;
  }
  return Math.sqrt(sum / actual.length);
}

/** Mean absolute error; NaN for no pairs. */
export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkSameLength(predicted, actual);
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(predicted[i]! - actual[i]!);
  return sum / actual.length;
}

function checkSameLength(predicted: ArrayLike<number>, actual: ArrayLike<number>): void {
  if (predicted.length !== actual.length) {
    throw new RangeError(`${predicted.length} predictions for ${actual.length} ratings`);
  }
}

/**
 * A rating at or above this counts as "liked" for ranking metrics: 4 of 5 stars is the usual MovieLens
 * convention (it keeps roughly the top half of ratings, whose mean is ~3.5).
 */
export const DEFAULT_RELEVANCE_THRESHOLD = 4.0;

/** Per user, the movies rated at least `threshold` in the (test) table. */
export function relevantItems(
  table: RatingsTable,
  threshold = DEFAULT_RELEVANCE_THRESHOLD,
): Map<number, Set<number>> {
  const relevant = new Map<number, Set<number>>();
  for (let i = 0; i < table.length; i++) {
    if (table.ratings[i]! < threshold) continue;
    const user = table.userIds[i]!;
    let items = relevant.get(user);
    if (items === undefined) relevant.set(user, (items = new Set()));
    items.add(table.movieIds[i]!);
  }
  return relevant;
}

export interface RankingMetrics {
  k: number;
  /** Users averaged over: those with at least one relevant item. */
  users: number;
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  /** Distinct movies in all top-k lists / catalogue size. */
  coverage: number;
}

/**
 * Top-k metrics with binary relevance, averaged over the users that have at least one relevant item
 * (a user with none cannot be ranked well or badly). A user missing from `recommendations` scores 0.
 *
 * - precision@k = hits / k (a list shorter than k is not rewarded; Spark's convention)
 * - recall@k = hits / |relevant|
 * - NDCG@k = DCG / ideal DCG with gain 1 / log2(rank + 1), the ideal putting min(k, |relevant|) hits first
 * - MAP@k = mean over users of Σ_{hit at rank r ≤ k} precision@r / min(k, |relevant|)
 */
export function rankingMetrics(
  recommendations: ReadonlyMap<number, ArrayLike<number>>,
  relevant: ReadonlyMap<number, ReadonlySet<number>>,
  options: { k: number; catalogueSize: number },
): RankingMetrics {
  const { k, catalogueSize } = options;
  if (!(Number.isInteger(k) && k >= 1))
    throw new RangeError(`k must be a positive integer, got ${k}`);
  let users = 0;
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  let map = 0;
  for (const [user, liked] of relevant) {
    if (liked.size === 0) continue;
    users++;
    const list = recommendations.get(user) ?? [];
    const depth = Math.min(k, list.length);
    let hits = 0;
    let dcg = 0;
    let precisionSum = 0;
    for (let rank = 1; rank <= depth; rank++) {
      if (!liked.has(list[rank - 1]!)) continue;
      hits++;
      dcg += 1 / Math.log2(rank + 1);
      precisionSum += hits / rank;
    }
    const idealHits = Math.min(k, liked.size);
    let idealDcg = 0;
    for (let rank = 1; rank <= idealHits; rank++) idealDcg += 1 / Math.log2(rank + 1);
    precision += hits / k;
    recall += hits / liked.size;
    ndcg += dcg / idealDcg;
    map += precisionSum / idealHits;
  }
  const mean = (sum: number): number => (users === 0 ? Number.NaN : sum / users);
  return {
    k,
    users,
    precision: mean(precision),
    recall: mean(recall),
    ndcg: mean(ndcg),
    map: mean(map),
    coverage: catalogueCoverage(recommendations, k, catalogueSize),
  };
}

/** Share of the catalogue that appears in at least one top-k list. */
export function catalogueCoverage(
  recommendations: ReadonlyMap<number, ArrayLike<number>>,
  k: number,
  catalogueSize: number,
): number {
  if (catalogueSize <= 0) return Number.NaN;
  const seen = new Set<number>();
  for (const list of recommendations.values()) {
    for (let i = 0; i < Math.min(k, list.length); i++) seen.add(list[i]!);
  }
  return seen.size / catalogueSize;
}

/** Flattens to the report keys the CLI prints, e.g. `precision@10`. */
export function rankingMetricRecord(metrics: RankingMetrics): Record<string, number> {
  const { k } = metrics;
  return {
    [`precision@${k}`]: metrics.precision,
    [`recall@${k}`]: metrics.recall,
    [`ndcg@${k}`]: metrics.ndcg,
    [`map@${k}`]: metrics.map,
    [`coverage@${k}`]: metrics.coverage,
  };
}
