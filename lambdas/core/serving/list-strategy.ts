import type { Profile } from './recommender.ts';

/**
 * How `GET /users/{id}/recommendations` makes a person's list, decided from facts the route reads
 * (no I/O here), so each rule is written once and unit-tested:
 * - `stored`: the list training wrote, when the model knows the person, nothing changed since the
 *   model was planned, no filter applies and the stored list is long enough;
 * - `online`: their trained vector scored now (a filter, or a limit past the stored list);
 * - `fold-in`: their stored ratings and likes folded into the model (a person the model never saw,
 *   or whose ratings or likes changed after it was planned);
 * - `popularity`: no model, or nothing of theirs the model knows.
 */
export type ListStrategy = 'stored' | 'online' | 'fold-in' | 'popularity';

/** The list options that decide what a person must not be shown again. */
export interface ListOptions {
  readonly limit: number;
  readonly genres: readonly string[];
  /** false: rated and liked movies may come back (a "watch again" list). */
  readonly excludeRated: boolean;
  /** Movie ids the caller never wants in this list. */
  readonly exclude: readonly number[];
}

export interface PersonFeedback {
  readonly ratings: readonly { readonly movieId: number }[];
  /** `liked: false` is a dislike. */
  readonly likes: readonly { readonly movieId: number; readonly liked: boolean }[];
}

/**
 * Movie ids a list must skip: `exclude`, rated and liked movies unless `excludeRated` is false,
 * and disliked movies always (a dislike is never a reason to show a movie again).
 */
export function excludedMovies(options: ListOptions, feedback: PersonFeedback): Set<number> {
  const out = new Set(options.exclude);
  if (options.excludeRated) for (const r of feedback.ratings) out.add(r.movieId);
  for (const l of feedback.likes) if (options.excludeRated || !l.liked) out.add(l.movieId);
  return out;
}

/**
 * The person as the fold-in sees them: ratings as given, with their stored time (`ratedAt`) as
 * the timestamp the fold-in's recency weights order them by (FOLD_IN_RECENCY; a rating stored
 * without a time, `ratedAt` 0, leaves the whole profile unweighted); liked movies they did not
 * rate count as favourites (a top rating); disliked movies are a negative signal (dislikes.ts).
 */
export function personProfile(
  ratings: readonly {
    readonly movieId: number;
    readonly rating: number;
    readonly ratedAt?: number;
  }[],
  likes: PersonFeedback['likes'],
): Profile & { favourites: number[] } {
  const rated = new Set(ratings.map((r) => r.movieId));
  return {
    ratings: ratings.map(({ movieId, rating, ratedAt }) =>
      ratedAt !== undefined && ratedAt > 0
        ? { movieId, rating, timestamp: ratedAt }
        : { movieId, rating },
    ),
    favourites: likes.filter((l) => l.liked && !rated.has(l.movieId)).map((l) => l.movieId),
    dislikes: likes.filter((l) => !l.liked).map((l) => l.movieId),
  };
}

/** Only the stored list can serve an unfiltered request that excludes what the person rated. */
export function isUnfiltered(options: ListOptions): boolean {
  return options.genres.length === 0 && options.exclude.length === 0 && options.excludeRated;
}

/** When the person last wrote, from their feedback marker (epoch ms), and when the model was planned. */
export interface ChangeFacts {
  readonly ratingsChangedAt?: number;
  readonly likedAt?: number;
  readonly modelPlannedAt: number;
}

/**
 * Why the model's vector for this person cannot be trusted, or null. The model's created_at is when
 * its training was planned, before it read any rating: a change at or after it may be missing.
 * Likes are in no model, so anyone who liked something is always folded in.
 */
export function staleVectorReason(facts: ChangeFacts): string | null {
  if (facts.ratingsChangedAt !== undefined && facts.ratingsChangedAt >= facts.modelPlannedAt) {
    return 'ratings changed after the model was trained';
  }
  if (facts.likedAt !== undefined) return 'the user liked movies (likes are folded in)';
  return null;
}

export interface StrategyFacts {
  readonly hasModel: boolean;
  /** The active ranking model has a trained vector for this person. */
  readonly known: boolean;
  /** `staleVectorReason` is not null. */
  readonly stale: boolean;
  readonly options: ListOptions;
  /** Items of the stored list read (0 when it was not read). */
  readonly storedCount: number;
}

/**
 * Whether the stored list is worth reading: the only case where it can be served. The route reads
 * it in parallel with the feedback marker, before it knows whether the vector is stale.
 */
export function mayServeStored(facts: Omit<StrategyFacts, 'stale' | 'storedCount'>): boolean {
  return facts.hasModel && facts.known && isUnfiltered(facts.options);
}

/**
 * The strategy before the person's ratings are read: `stored` or `online` need none for the list
 * itself; otherwise `fold-in`, which becomes `popularity` when nothing the person rated or liked
 * is known to the model (see `afterFoldIn`).
 */
export function chooseStrategy(facts: StrategyFacts): ListStrategy {
  if (!facts.hasModel) return 'popularity';
  if (!facts.stale && facts.storedCount >= facts.options.limit && mayServeStored(facts)) {
    return 'stored';
  }
  if (facts.known && !facts.stale) return 'online';
  return 'fold-in';
}

/** The reason a list says why it was folded in or fell back to popularity. */
export function foldInReason(staleReason: string | null): string {
  return staleReason ?? 'user rated movies after the model was trained';
}

export function popularityReason(hasModel: boolean): string {
  return hasModel ? 'the model has no data for this user' : 'no model is active yet';
}
