/**
 * What the feedback load test sent and what the API acknowledged, kept so that the stored state
 * can be checked afterwards. Each (user, movie) pair has exactly one writer, which sends its writes
 * one after another, so the order of a pair's writes is known and the value a read must show is
 * the last acknowledged one. A write whose outcome is unknown (no answer, a 5xx) may or may not
 * have landed: from then on the pair may show any value written since.
 */
import type { EventType } from '../../lambdas/core/feedback/events.ts';

/** The expected content of one cell: a rating (null: none) or a like (null: none). */
export class Cell<T> {
  private last: T;
  private possible: Set<T> | null = null;
  /** Acknowledged writes to the cell. */
  acknowledged = 0;

  constructor(start: T) {
    this.last = start;
  }

  acknowledge(value: T): void {
    this.last = value;
    this.possible?.add(value);
    this.acknowledged++;
  }

  /** A write that may or may not have landed. */
  unknown(value: T): void {
    (this.possible ??= new Set([this.last])).add(value);
  }

  /** Every write's outcome is known, so a read must show exactly `expected`. */
  get certain(): boolean {
    return this.possible === null;
  }

  get expected(): T {
    return this.last;
  }

  allows(stored: T): boolean {
    return this.possible ? this.possible.has(stored) : stored === this.last;
  }

  /** Whether a read that only says "some value" (true) or "none" (false) fits the cell. */
  allowsPresence(present: boolean): boolean {
    const candidates = this.possible ? [...this.possible] : [this.last];
    return candidates.some((value) => (value !== null) === present);
  }
}

export type Stars = number | null;
/** true: liked; false: disliked; null: neither. */
export type Liking = boolean | null;

export interface CellMismatch {
  readonly kind: 'rating' | 'like';
  readonly userId: number;
  readonly movieId: number;
  readonly expected: string;
  readonly stored: string;
}

/** One user's cells: the ratings and likes that user had when the run started, and each write since. */
export class UserLedger {
  readonly ratings = new Map<number, Cell<Stars>>();
  readonly likes = new Map<number, Cell<Liking>>();

  constructor(
    readonly userId: number,
    /** The movies this user's writes pick from. */
    readonly pool: readonly number[],
    startRatings: ReadonlyMap<number, number> = new Map(),
    startLikes: ReadonlyMap<number, boolean> = new Map(),
  ) {
    for (const [movieId, stars] of startRatings) this.ratings.set(movieId, new Cell<Stars>(stars));
    for (const [movieId, liked] of startLikes) this.likes.set(movieId, new Cell<Liking>(liked));
  }

  rating(movieId: number): Cell<Stars> {
    let cell = this.ratings.get(movieId);
    if (!cell) this.ratings.set(movieId, (cell = new Cell<Stars>(null)));
    return cell;
  }

  like(movieId: number): Cell<Liking> {
    let cell = this.likes.get(movieId);
    if (!cell) this.likes.set(movieId, (cell = new Cell<Liking>(null)));
    return cell;
  }

  /** Whether every cell of the user is certain, so a read of the user can be checked exactly. */
  get certain(): boolean {
    for (const cell of [...this.ratings.values(), ...this.likes.values()]) {
      if (!cell.certain) return false;
    }
    return true;
  }

  /** Movies a list must leave out: rated, liked or disliked as the ledger expects them. */
  leftOut(): Set<number> {
    const out = new Set<number>();
    for (const [movieId, cell] of this.ratings) if (cell.expected !== null) out.add(movieId);
    for (const [movieId, cell] of this.likes) if (cell.expected !== null) out.add(movieId);
    return out;
  }

  /**
   * Compares what a read returned (movie → stars, movie → liked) with the cells: a cell the read
   * contradicts, or a stored rating or like no write and no start state explains, is a mismatch.
   */
  compare(
    storedRatings: ReadonlyMap<number, number>,
    storedLikes: ReadonlyMap<number, boolean> | undefined,
  ): CellMismatch[] {
    const out: CellMismatch[] = [];
    const check = <T>(
      kind: CellMismatch['kind'],
      cells: Map<number, Cell<T>>,
      stored: ReadonlyMap<number, T>,
    ) => {
      for (const [movieId, cell] of cells) {
        const value = stored.get(movieId) ?? null;
        if (!cell.allows(value as T)) {
          out.push({
            kind,
            userId: this.userId,
            movieId,
            expected: String(cell.expected),
            stored: String(value),
          });
        }
      }
      for (const [movieId, value] of stored) {
        if (!cells.has(movieId)) {
          out.push({ kind, userId: this.userId, movieId, expected: 'null', stored: String(value) });
        }
      }
    };
    check('rating', this.ratings, storedRatings);
    if (storedLikes) check('like', this.likes, storedLikes);
    return out;
  }
}

/** One event as the test sent it; `at` (epoch ms) is unique within the run and names it. */
export interface SentEvent {
  readonly userId: number;
  readonly movieId: number;
  readonly type: EventType;
  readonly value?: number;
  readonly timestamp: number;
  readonly eventId?: string;
}

export interface EventRecord {
  readonly event: SentEvent;
  /** The id the row must carry: the client's, or the one the API assigned (once it answered). */
  eventId: string | null;
  acknowledged: boolean;
}

/** Every event sent, by its unique time, and the PUT routes' own rating events, by id. */
export class EventLedger {
  readonly byTime = new Map<number, EventRecord>();
  readonly putEvents = new Map<string, { userId: number; movieId: number; value: number }>();
  private lastTime = 0;

  /** A unique event time near now: the wall clock, moved on a millisecond where it repeats. */
  nextTime(): number {
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return this.lastTime;
  }

  sent(event: SentEvent): void {
    if (!this.byTime.has(event.timestamp)) {
      this.byTime.set(event.timestamp, {
        event,
        eventId: event.eventId ?? null,
        acknowledged: false,
      });
    }
  }

  /** An acknowledged batch: its events are stored, with the ids the response gives, in order. */
  acknowledged(events: readonly SentEvent[], eventIds: readonly string[]): void {
    events.forEach((event, i) => {
      const record = this.byTime.get(event.timestamp)!;
      record.acknowledged = true;
      record.eventId ??= eventIds[i] ?? null;
    });
  }
}
