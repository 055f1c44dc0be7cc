/**
 * How `GET /movies/{id}/similar` makes its list, from facts the route reads (no I/O here):
 * - `content`: a cold movie (one the ranking model lacks or has too few ratings of) is placed by
 *   its content vector;
 * - `stored`: the list training wrote, when it holds `limit` movies past the filters;
 * - `online`: otherwise computed now from the item factors, in the same order.
 */
export type SimilarStrategy = 'content' | 'stored' | 'online';

export function chooseSimilarStrategy(facts: {
  readonly cold: boolean;
  /** Stored movies that pass the filters (0 when not read). */
  readonly storedCount: number;
  readonly limit: number;
}): SimilarStrategy {
  if (facts.cold) return 'content';
  return facts.storedCount >= facts.limit ? 'stored' : 'online';
}

/**
 * How much of the stored list to read: `limit` movies unfiltered; with a genre or exclude filter
 * all of it, since any of its movies may be filtered out.
 */
export function storedSimilarReadLimit(filtered: boolean, limit: number): number {
  return filtered ? Number.MAX_SAFE_INTEGER : limit;
}
