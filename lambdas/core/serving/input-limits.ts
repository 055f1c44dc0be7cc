/** MovieLens ids are 1 … 2³¹−1. */
export const MAX_ID = 2 ** 31 - 1;

/** Values one list parameter (genres) may name. */
export const MAX_LIST_VALUES = 20;

/** Movie ids `exclude=` may name: ~4 KB of query string, as much as a URL reliably carries. */
export const MAX_EXCLUDE_IDS = 500;

/**
 * The ranges of the routes' numeric query parameters, in one place (a route adds its fallback where
 * it differs between routes). `limit` of `GET /users/{id}/recommendations` and of
 * `POST /recommendations` share `RECOMMENDATION_LIMIT`.
 */
export const RECOMMENDATION_LIMIT = { min: 1, max: 100 } as const;
/** `limit` of the movie lists: search, popular, latest, trending. */
export const MOVIE_LIST_LIMIT = { min: 1, max: 100 } as const;
/** `limit` of `GET /movies/{id}/similar` and `/audience`. */
export const NEIGHBOUR_LIMIT = { min: 1, max: 100 } as const;
/** `limit` of `GET /users/{id}/ratings` (ratings, and likes). */
export const USER_RATINGS_LIMIT = { min: 1, max: 1000, fallback: 50 } as const;
/** `days` of `GET /movies/trending`: the events table keeps every day; 30 matches /metrics/online. */
export const TRENDING_DAYS = { min: 1, max: 30, fallback: 7 } as const;
/** `days` of `GET /metrics/online`. */
export const ONLINE_METRICS_DAYS = { min: 1, max: 30, fallback: 7 } as const;
