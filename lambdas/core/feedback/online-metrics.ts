import { isPositive, type FeedbackEvent } from './events.ts';

/** A list the API served and recorded (`served_lists`). */
export interface ServedList {
  readonly recommendationId: string;
  /** The model version that ranked it; null when no model was active (popularity). */
  readonly modelId: string | null;
  /** Whose list it was; null for lists without a user (posted profiles, popular, similar). */
  readonly userId: number | null;
  /** The movies in the order shown. */
  readonly movieIds: readonly number[];
  /** Epoch milliseconds. */
  readonly servedAt: number;
}

export interface ModelOnlineMetrics {
  /** The model version, or "none" for lists served while no model was active. */
  readonly modelId: string;
  /** Recorded lists (a sample when RECSYS_SERVED_LIST_SAMPLE < 1). */
  readonly lists: number;
  /** Distinct users those lists went to. */
  readonly users: number;
  /** Lists of which one of the first k movies later got positive feedback. */
  readonly hits: number;
  /** hits / lists. */
  readonly hitRate: number;
  /** Lists with at least one click on one of their movies. */
  readonly clickedLists: number;
  /** clickedLists / lists. */
  readonly clickThrough: number;
  /** Click and impression events credited to these lists. */
  readonly clicks: number;
  readonly impressions: number;
  /** Distinct movies among the first k of every list, over the catalogue's size. */
  readonly coverage: number;
  readonly firstServedAt: number;
  readonly lastServedAt: number;
}

/** What later feedback made of one served list (see `listOutcomes` for which events count). */
export interface ListOutcome {
  readonly list: ServedList;
  /** One of its first k movies got positive feedback (a rating ≥ 4, a like, a click). */
  readonly hit: boolean;
  /** Which of its first k movies got positive feedback (what replay judges a candidate by). */
  readonly positives: ReadonlySet<number>;
  /** One of its movies was clicked. */
  readonly clicked: boolean;
  /** Click and impression events credited to it. */
  readonly clicks: number;
  readonly impressions: number;
}

/**
 * Joins served lists with later feedback, list by list. Which events count for a list:
 *
 * - an event naming the list's `recommendationId` counts for that list only, whenever it is
 *   stamped (the client saw the list, so clock skew cannot make it earlier);
 * - an event naming no list counts for every list of the same user served at or before the
 *   event's time (the user saw the movie there first).
 *
 * The same eventId counts once (the first seen), and a list recorded twice (the same
 * recommendationId) once, so a retried write never inflates a figure. Lists come out in the order
 * first seen.
 */
export function listOutcomes(
  lists: readonly ServedList[],
  events: readonly FeedbackEvent[],
  k: number,
): ListOutcome[] {
  const uniqueEvents = new Map<string, FeedbackEvent>();
  for (const event of events) {
    const kept = uniqueEvents.get(event.eventId);
    if (!kept || event.at < kept.at) uniqueEvents.set(event.eventId, event);
  }
  const byList = new Map<string, FeedbackEvent[]>();
  const byUser = new Map<number, FeedbackEvent[]>();
  for (const event of uniqueEvents.values()) {
    if (event.recommendationId !== null) push(byList, event.recommendationId, event);
    else push(byUser, event.userId, event);
  }
  const uniqueLists = new Map<string, ServedList>();
  for (const list of lists) {
    if (!uniqueLists.has(list.recommendationId)) uniqueLists.set(list.recommendationId, list);
  }
  return [...uniqueLists.values()].map((list) => {
    const top = new Set(list.movieIds.slice(0, k));
    const shown = new Set(list.movieIds);
    const counted = [
      ...(byList.get(list.recommendationId) ?? []),
      ...(list.userId === null
        ? []
        : (byUser.get(list.userId) ?? []).filter((e) => e.at >= list.servedAt)),
    ];
    const positives = new Set<number>();
    let clicks = 0;
    let impressions = 0;
    for (const event of counted) {
      if (!shown.has(event.movieId)) continue;
      if (event.type === 'impression') impressions++;
      if (event.type === 'click') clicks++;
      if (top.has(event.movieId) && isPositive(event)) positives.add(event.movieId);
    }
    return { list, hit: positives.size > 0, positives, clicked: clicks > 0, clicks, impressions };
  });
}

/**
 * Per model version: lists, users, hit rate@k and click-through over lists (`listOutcomes`), and
 * coverage (distinct movies among the first k of every list over the catalogue's size). Models
 * come out most lists first.
 */
export function onlineMetrics(
  lists: readonly ServedList[],
  events: readonly FeedbackEvent[],
  options: { k: number; catalogueSize: number },
): ModelOnlineMetrics[] {
  interface Totals {
    lists: number;
    users: Set<number>;
    hits: number;
    clickedLists: number;
    clicks: number;
    impressions: number;
    movies: Set<number>;
    first: number;
    last: number;
  }
  const models = new Map<string, Totals>();
  for (const outcome of listOutcomes(lists, events, options.k)) {
    const { list } = outcome;
    const key = list.modelId ?? 'none';
    let totals = models.get(key);
    if (!totals) {
      totals = {
        lists: 0,
        users: new Set(),
        hits: 0,
        clickedLists: 0,
        clicks: 0,
        impressions: 0,
        movies: new Set(),
        first: list.servedAt,
        last: list.servedAt,
      };
      models.set(key, totals);
    }
    totals.lists++;
    if (list.userId !== null) totals.users.add(list.userId);
    totals.first = Math.min(totals.first, list.servedAt);
    totals.last = Math.max(totals.last, list.servedAt);
    for (const movieId of list.movieIds.slice(0, options.k)) totals.movies.add(movieId);
    totals.clicks += outcome.clicks;
    totals.impressions += outcome.impressions;
    if (outcome.hit) totals.hits++;
    if (outcome.clicked) totals.clickedLists++;
  }
  const out: ModelOnlineMetrics[] = [...models].map(([modelId, t]) => ({
    modelId,
    lists: t.lists,
    users: t.users.size,
    hits: t.hits,
    hitRate: ratio(t.hits, t.lists),
    clickedLists: t.clickedLists,
    clickThrough: ratio(t.clickedLists, t.lists),
    clicks: t.clicks,
    impressions: t.impressions,
    coverage: ratio(t.movies.size, options.catalogueSize),
    firstServedAt: t.first,
    lastServedAt: t.last,
  }));
  return out.sort((a, b) => b.lists - a.lists || a.modelId.localeCompare(b.modelId));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function ratio(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0;
}
