/**
 * Exact per-user and per-movie sums, built from one pass over the stored (deduplicated) ratings.
 * Maps keyed by id: ml-32m has 200k users and 87k movies, a few MB of entries.
 */

export interface RatingSums {
  count: number;
  sum: number;
}

export interface UserSums extends RatingSums {
  firstRatedAt: number;
  lastRatedAt: number;
}

export class RatingAggregator {
  readonly users = new Map<number, UserSums>();
  readonly movies = new Map<number, RatingSums>();
  /** Ratings per star value (0.5 … 5). */
  readonly ratingValues = new Map<number, number>();
  ratings = 0;

  add(userId: number, movieId: number, rating: number, ratedAt: number): void {
    this.ratings++;
    const user = this.users.get(userId);
    if (user) {
      user.count++;
      user.sum += rating;
      if (ratedAt < user.firstRatedAt) user.firstRatedAt = ratedAt;
      if (ratedAt > user.lastRatedAt) user.lastRatedAt = ratedAt;
    } else {
      this.users.set(userId, {
        count: 1,
        sum: rating,
        firstRatedAt: ratedAt,
        lastRatedAt: ratedAt,
      });
    }
    const movie = this.movies.get(movieId);
    if (movie) {
      movie.count++;
      movie.sum += rating;
    } else {
      this.movies.set(movieId, { count: 1, sum: rating });
    }
    this.ratingValues.set(rating, (this.ratingValues.get(rating) ?? 0) + 1);
  }

  /** Merges another aggregator (one per token range scanned in parallel). */
  merge(other: RatingAggregator): void {
    this.ratings += other.ratings;
    for (const [id, theirs] of other.users) {
      const mine = this.users.get(id);
      if (!mine) this.users.set(id, { ...theirs });
      else {
        mine.count += theirs.count;
        mine.sum += theirs.sum;
        mine.firstRatedAt = Math.min(mine.firstRatedAt, theirs.firstRatedAt);
        mine.lastRatedAt = Math.max(mine.lastRatedAt, theirs.lastRatedAt);
      }
    }
    for (const [id, theirs] of other.movies) {
      const mine = this.movies.get(id);
      if (!mine) this.movies.set(id, { ...theirs });
      else {
        mine.count += theirs.count;
        mine.sum += theirs.sum;
      }
    }
    for (const [value, n] of other.ratingValues) {
      this.ratingValues.set(value, (this.ratingValues.get(value) ?? 0) + n);
    }
  }
}

export function mean(sums: RatingSums | undefined): number | null {
  return sums && sums.count > 0 ? sums.sum / sums.count : null;
}
