import type { FeedbackEvent } from './events.ts';

/**
 * What people turned to lately (`GET /movies/trending?days=N`): per movie, the number of distinct
 * users with an event that shows interest — a rating, like, click or view — within the window.
 * Impressions (the API showed it) and dislikes do not count. Ties: the more recent last event, then
 * the lower id. Distinct users rather than events, so one person clicking a movie fifty times
 * does not make it trend, and a retried event (same user, same movie) counts once anyway.
 */
export interface TrendingMovie {
  readonly movieId: number;
  /** Distinct interested users in the window. */
  readonly users: number;
  /** Epoch ms of the latest counted event. */
  readonly lastAt: number;
}

const INTEREST: ReadonlySet<string> = new Set(['rating', 'like', 'click', 'view']);

export function trendingMovies(
  events: Iterable<Pick<FeedbackEvent, 'userId' | 'movieId' | 'type' | 'at'>>,
  window: { from: number; to: number },
): TrendingMovie[] {
  const byMovie = new Map<number, { users: Set<number>; lastAt: number }>();
  for (const event of events) {
    if (!INTEREST.has(event.type) || event.at < window.from || event.at > window.to) continue;
    let entry = byMovie.get(event.movieId);
    if (!entry) byMovie.set(event.movieId, (entry = { users: new Set(), lastAt: event.at }));
    entry.users.add(event.userId);
    if (event.at > entry.lastAt) entry.lastAt = event.at;
  }
  return [...byMovie]
    .map(([movieId, { users, lastAt }]) => ({ movieId, users: users.size, lastAt }))
    .sort((a, b) => b.users - a.users || b.lastAt - a.lastAt || a.movieId - b.movieId);
}
