import { hash4 } from '../matrix/hash.ts';
import { IdMap } from '../matrix/id-map.ts';
import { selectRows, type RatingsTable } from '../ratings.ts';
import { rowsByUser } from './split.ts';

/**
 * "Strong generalization" (Liang et al. 2018, used by Steck's EASE and Rendle et al. 2022), adapted
 * to star ratings: whole users are held out of training, and at test time each of them tells the
 * system most of their ratings, as a client of `POST /recommendations` would, and the system must
 * find the movies they liked among the rest. It measures what the product does for someone it has
 * never seen, which a per-rating split (where every test user was also trained on) cannot.
 */
export interface HeldOutUsersOptions {
  /** Split seed: which users are held out and which of their ratings are given. */
  seed?: number;
  /** Share of eligible users held out entirely (default 0.2). */
  holdout?: number;
  /** Share of each held-out user's ratings given to the system (default 0.8). */
  given?: number;
  /** A rating at or above this is a positive (default 4). */
  threshold?: number;
  /** Users need this many positives to be eligible (default 5). */
  minPositives?: number;
  /**
   * How each held-out user's ratings are ordered before the first `given` share is given:
   * `random` (default) shuffles them by a seeded hash, `time` sorts them by timestamp (ties by
   * movie id), so the system is told a person's past and must find what they liked next.
   */
  order?: HeldOutOrder;
}

/** The two orders of a held-out user's ratings; see {@link HeldOutUsersOptions.order}. */
export const HELD_OUT_ORDERS = ['random', 'time'] as const;
export type HeldOutOrder = (typeof HELD_OUT_ORDERS)[number];

/** One held-out user: what they tell the system, and the liked movies it should find. */
export interface HeldOutUser {
  readonly userId: number;
  /**
   * The given 80 %: movie, stars and when it was rated (the table's timestamp), in the split's
   * order (seeded shuffle, or oldest first). The timestamps go to the fold-in under both orders,
   * as `POST /recommendations` takes them: a product knows when each rating was made.
   */
  readonly given: readonly { movieId: number; rating: number; timestamp?: number }[];
  /** Positives among the other 20 %; never empty. */
  readonly targets: ReadonlySet<number>;
}

export interface HeldOutUsersSplit {
  /** Every rating of every user that is not held out. */
  readonly train: RatingsTable;
  readonly users: readonly HeldOutUser[];
  /** Eligible users held out, including those later dropped for having no target. */
  readonly heldOut: number;
  readonly eligible: number;
}

export const HELD_OUT_DEFAULTS = {
  seed: 0,
  holdout: 0.2,
  given: 0.8,
  threshold: 4,
  minPositives: 5,
  order: 'random',
} as const satisfies Required<HeldOutUsersOptions>;

// Tags keep these hashes apart from every other hash4 use of the same ids.
const USER_TAG = 0x4e1d0;
const RATING_TAG = 0x5e1f7;

/**
 * The protocol's split. Seeded by hashes of ids, never by row order: the held-out users are the
 * `round(holdout × eligible)` eligible users with the smallest hash of (userId, seed), and each
 * one's ratings are shuffled by the hash of (userId, movieId, seed) before the first
 * `round(given × n)` are given (with `order: 'time'`, sorted by timestamp, ties by movie id, instead
 * of shuffled; the held-out users are the same). The same file in any order, or the same ratings
 * read back from Cassandra, therefore split identically.
 */
export function heldOutUsersSplit(
  table: RatingsTable,
  options: HeldOutUsersOptions = {},
): HeldOutUsersSplit {
  const { seed, holdout, given, threshold, minPositives, order } = {
    ...HELD_OUT_DEFAULTS,
    ...options,
  };
  if (!HELD_OUT_ORDERS.includes(order)) {
    throw new RangeError(`order must be ${HELD_OUT_ORDERS.join(' or ')}, got ${String(order)}`);
  }
  if (!(holdout > 0 && holdout < 1))
    throw new RangeError(`holdout must be in (0, 1), got ${holdout}`);
  if (!(given > 0 && given < 1)) throw new RangeError(`given must be in (0, 1), got ${given}`);
  const users = IdMap.fromIds(table.userIds);
  const { offsets, rows } = rowsByUser(table, users);
  const eligible: number[] = [];
  for (let u = 0; u < users.size; u++) {
    let positives = 0;
    for (let k = offsets[u]!; k < offsets[u + 1]!; k++) {
      if (table.ratings[rows[k]!]! >= threshold) positives++;
    }
    if (positives >= minPositives) eligible.push(u);
  }
  const userKey = (u: number) => hash4(users.ids[u]!, seed, USER_TAG);
  const chosen = eligible
    .sort((a, b) => userKey(a) - userKey(b) || a - b)
    .slice(0, Math.round(holdout * eligible.length))
    .sort((a, b) => a - b);

  const isHeldOut = new Uint8Array(table.length);
  const heldOutUsers: HeldOutUser[] = [];
  for (const u of chosen) {
    const userId = users.ids[u]!;
    const own = Array.from(rows.subarray(offsets[u]!, offsets[u + 1]!));
    for (const row of own) isHeldOut[row] = 1;
    const ratingKey =
      order === 'time'
        ? (row: number) => table.timestamps[row]!
        : (row: number) => hash4(userId, table.movieIds[row]!, seed, RATING_TAG);
    own.sort((a, b) => ratingKey(a) - ratingKey(b) || table.movieIds[a]! - table.movieIds[b]!);
    const givenCount = Math.round(given * own.length);
    const targets = new Set<number>();
    for (const row of own.slice(givenCount)) {
      if (table.ratings[row]! >= threshold) targets.add(table.movieIds[row]!);
    }
    if (targets.size === 0) continue;
    heldOutUsers.push({
      userId,
      // A table without times (0: the builder's default) gives none: ties of 0 would otherwise
      // weigh the ratings by movie id as if it were their order in time.
      given: own.slice(0, givenCount).map((row) => {
        const rated = { movieId: table.movieIds[row]!, rating: table.ratings[row]! };
        const timestamp = table.timestamps[row]!;
        return timestamp > 0 ? { ...rated, timestamp } : rated;
      }),
      targets,
    });
  }
  const trainRows: number[] = [];
  for (let i = 0; i < table.length; i++) if (isHeldOut[i] === 0) trainRows.push(i);
  return {
    train: selectRows(table, Int32Array.from(trainRows)),
    users: heldOutUsers,
    heldOut: chosen.length,
    eligible: eligible.length,
  };
}

/** The protocol's metrics, keyed as the CLI prints them. */
export interface HeldOutMetrics {
  'recall@20': number;
  'recall@50': number;
  'ndcg@10': number;
  'ndcg@100': number;
  'precision@10': number;
  'coverage@10': number;
  users: number;
}

/** The longest list any metric reads. */
export const HELD_OUT_LIST_LENGTH = 100;

/**
 * Scores ranked lists (best first, given movies already excluded) against each user's targets with
 * binary relevance, averaged over users:
 * - Recall@K = hits in the top K ÷ min(K, |targets|) (Liang et al.: 1 when the top K is all hits);
 * - NDCG@K = Σ_{hit at rank r ≤ K} 1/log2(r+1) ÷ the same sum for min(K, |targets|) hits;
 * - precision@10 = hits in the top 10 ÷ 10;
 * - coverage@10 = distinct movies in all top-10 lists ÷ `catalogueSize`.
 */
export function heldOutMetrics(
  lists: readonly (readonly number[])[],
  users: readonly HeldOutUser[],
  catalogueSize: number,
): HeldOutMetrics {
  if (lists.length !== users.length) {
    throw new RangeError(`${lists.length} lists for ${users.length} users`);
  }
  const sums = { r20: 0, r50: 0, n10: 0, n100: 0, p10: 0 };
  const shown = new Set<number>();
  lists.forEach((list, k) => {
    const { targets } = users[k]!;
    const hitAt = list.slice(0, HELD_OUT_LIST_LENGTH).map((movieId) => targets.has(movieId));
    const hits = (depth: number) => hitAt.slice(0, depth).filter(Boolean).length;
    sums.r20 += hits(20) / Math.min(20, targets.size);
    sums.r50 += hits(50) / Math.min(50, targets.size);
    sums.p10 += hits(10) / 10;
    sums.n10 += ndcg(hitAt, 10, targets.size);
    sums.n100 += ndcg(hitAt, 100, targets.size);
    for (const movieId of list.slice(0, 10)) shown.add(movieId);
  });
  const mean = (sum: number) => (users.length === 0 ? Number.NaN : sum / users.length);
  return {
    'recall@20': mean(sums.r20),
    'recall@50': mean(sums.r50),
    'ndcg@10': mean(sums.n10),
    'ndcg@100': mean(sums.n100),
    'precision@10': mean(sums.p10),
    'coverage@10': catalogueSize > 0 ? shown.size / catalogueSize : Number.NaN,
    users: users.length,
  };
}

function ndcg(hitAt: readonly boolean[], depth: number, relevant: number): number {
  let dcg = 0;
  for (let r = 0; r < Math.min(depth, hitAt.length); r++) if (hitAt[r]) dcg += 1 / Math.log2(r + 2);
  let ideal = 0;
  for (let r = 0; r < Math.min(depth, relevant); r++) ideal += 1 / Math.log2(r + 2);
  return dcg / ideal;
}
