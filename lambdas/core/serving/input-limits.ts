/** MovieLens ids are 1 … 2³¹−1. */
export const MAX_ID = 2 ** 31 - 1;

/** Values one list parameter (genres) may name. */
export const MAX_LIST_VALUES = 20;

/** Movie ids `exclude=` may name: ~4 KB of query string, as much as a URL reliably carries. */
export const MAX_EXCLUDE_IDS = 500;
