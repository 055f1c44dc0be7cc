/**
 * A column-oriented table of ratings with the original (sparse) MovieLens ids. Columns are typed
 * arrays so tens of millions of rows fit in memory without one object per rating.
 */
export interface RatingsTable {
  readonly length: number;
  readonly userIds: Int32Array;
  readonly movieIds: Int32Array;
  readonly ratings: Float32Array;
  /** Seconds since the epoch (MovieLens convention); 0 when the source has none. */
  readonly timestamps: Float64Array;
}

/** Appends rows into growable typed arrays; `finish()` returns a right-sized table. */
export class RatingsTableBuilder {
  private capacity: number;
  private size = 0;
  private userIds: Int32Array;
  private movieIds: Int32Array;
  private ratings: Float32Array;
  private timestamps: Float64Array;

  constructor(initialCapacity = 1 << 16) {
    this.capacity = Math.max(16, initialCapacity);
    this.userIds = new Int32Array(this.capacity);
    this.movieIds = new Int32Array(this.capacity);
    this.ratings = new Float32Array(this.capacity);
    this.timestamps = new Float64Array(this.capacity);
  }

  get length(): number {
    return this.size;
  }

  push(userId: number, movieId: number, rating: number, timestamp = 0): void {
    if (this.size === this.capacity) this.grow();
    const i = this.size++;
    this.userIds[i] = userId;
    this.movieIds[i] = movieId;
    this.ratings[i] = rating;
    this.timestamps[i] = timestamp;
  }

  finish(): RatingsTable {
    const n = this.size;
    return {
      length: n,
      userIds: this.userIds.slice(0, n),
      movieIds: this.movieIds.slice(0, n),
      ratings: this.ratings.slice(0, n),
      timestamps: this.timestamps.slice(0, n),
    };
  }

  private grow(): void {
    this.capacity *= 2;
    const grow = <T extends Int32Array | Float32Array | Float64Array>(
      old: T,
      make: (n: number) => T,
    ): T => {
      const next = make(this.capacity);
      next.set(old);
      return next;
    };
    this.userIds = grow(this.userIds, (n) => new Int32Array(n));
    this.movieIds = grow(this.movieIds, (n) => new Int32Array(n));
    this.ratings = grow(this.ratings, (n) => new Float32Array(n));
    this.timestamps = grow(this.timestamps, (n) => new Float64Array(n));
  }
}

/** Selects rows by index into a new table (used by splits and filters). */
export function selectRows(table: RatingsTable, rows: ArrayLike<number>): RatingsTable {
  const n = rows.length;
  const out: RatingsTable = {
    length: n,
    userIds: new Int32Array(n),
    movieIds: new Int32Array(n),
    ratings: new Float32Array(n),
    timestamps: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    out.userIds[i] = table.userIds[r]!;
    out.movieIds[i] = table.movieIds[r]!;
    out.ratings[i] = table.ratings[r]!;
    out.timestamps[i] = table.timestamps[r]!;
  }
  return out;
}
