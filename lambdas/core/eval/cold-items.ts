import { hash4, unitFromHash } from '../matrix/hash.ts';
import { selectRows, type RatingsTable } from '../ratings.ts';
import { DEFAULT_RELEVANCE_THRESHOLD } from './metrics.ts';

/**
 * The cold-item protocol (issue 14, item 5): how well can a movie nobody rated be recommended?
 *
 * - **Split.** A movie is cold when unitFromHash(hash4(movieId, seed, TAG)) < `fraction` (10 %):
 *   every rating of a cold movie leaves training (with `keep` > 0, the movie's `keep` ratings of
 *   lowest hash stay in training: "a few ratings" instead of none).
 * - **Users.** Everyone who still has training ratings and rated a cold movie ≥ 4 in the test part.
 * - **Candidates.** Every cold movie with at least one rating in the data (the ones a user could
 *   have liked), minus what the user rated in training; only cold movies are ranked, so the
 *   measure is "which of the new movies will this person like", not whether new movies beat
 *   the well-known ones.
 * - **Metrics.** Recall@K = hits in the top K ÷ min(K, |liked|) and NDCG@K with binary gains,
 *   as in the held-out-users protocol; averaged over users.
 */
export interface ColdItemSplit {
  readonly train: RatingsTable;
  readonly test: RatingsTable;
  /** Cold movies with at least one rating, ascending. */
  readonly coldMovies: Int32Array;
}

const COLD_TAG = 0xc01d;

export function isColdMovie(movieId: number, seed: number, fraction: number): boolean {
  return unitFromHash(hash4(movieId, seed, COLD_TAG)) < fraction;
}

export function coldItemSplit(
  table: RatingsTable,
  options: { fraction?: number; seed?: number; keep?: number } = {},
): ColdItemSplit {
  const fraction = options.fraction ?? 0.1;
  const seed = options.seed ?? 0;
  const keep = options.keep ?? 0;
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`fraction must be in (0, 1)`);
  const cold = new Set<number>();
  const coldRows = new Map<number, number[]>();
  for (let i = 0; i < table.length; i++) {
    const movieId = table.movieIds[i]!;
    if (!isColdMovie(movieId, seed, fraction)) continue;
    cold.add(movieId);
    let rows = coldRows.get(movieId);
    if (!rows) coldRows.set(movieId, (rows = []));
    rows.push(i);
  }
  const kept = new Set<number>();
  if (keep > 0) {
    for (const [movieId, rows] of coldRows) {
      const order = rows
        .map((row) => ({ row, h: hash4(table.userIds[row]!, movieId, seed, COLD_TAG + 1) }))
        .sort((a, b) => a.h - b.h || a.row - b.row);
      for (const { row } of order.slice(0, keep)) kept.add(row);
    }
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < table.length; i++) {
    if (cold.has(table.movieIds[i]!) && !kept.has(i)) test.push(i);
    else train.push(i);
  }
  return {
    train: selectRows(table, train),
    test: selectRows(table, test),
    coldMovies: Int32Array.from([...cold].sort((a, b) => a - b)),
  };
}

export interface ColdItemUser {
  readonly userId: number;
  /** Cold movies rated ≥ 4 in the test part. */
  readonly liked: ReadonlySet<number>;
  /** Cold movies rated in training (a `keep` split): not ranked for this user. */
  readonly rated: ReadonlySet<number>;
}

/** The users the protocol scores: in training, with a liked cold movie in the test part. */
export function coldItemUsers(
  split: ColdItemSplit,
  threshold = DEFAULT_RELEVANCE_THRESHOLD,
): ColdItemUser[] {
  const inTrain = new Set(split.train.userIds);
  const cold = new Set(split.coldMovies);
  const liked = new Map<number, Set<number>>();
  for (let i = 0; i < split.test.length; i++) {
    const userId = split.test.userIds[i]!;
    if (split.test.ratings[i]! < threshold || !inTrain.has(userId)) continue;
    let set = liked.get(userId);
    if (!set) liked.set(userId, (set = new Set()));
    set.add(split.test.movieIds[i]!);
  }
  const rated = new Map<number, Set<number>>();
  for (let i = 0; i < split.train.length; i++) {
    const userId = split.train.userIds[i]!;
    const movieId = split.train.movieIds[i]!;
    if (!liked.has(userId) || !cold.has(movieId)) continue;
    let set = rated.get(userId);
    if (!set) rated.set(userId, (set = new Set()));
    set.add(movieId);
  }
  return [...liked.keys()]
    .sort((a, b) => a - b)
    .map((userId) => ({
      userId,
      liked: liked.get(userId)!,
      rated: rated.get(userId) ?? new Set<number>(),
    }));
}

export interface ColdItemMetrics {
  readonly users: number;
  readonly candidates: number;
  readonly recall: number;
  readonly ndcg: number;
}

/**
 * Scores every user's ranking of the candidates: `score(user, candidates)` returns one score per
 * candidate (higher is better; ties broken by the lower movie id).
 */
export function coldItemMetrics(
  users: readonly ColdItemUser[],
  candidates: Int32Array,
  score: (user: ColdItemUser) => ArrayLike<number>,
  k = 20,
): ColdItemMetrics {
  let recall = 0;
  let ndcg = 0;
  for (const user of users) {
    const scores = score(user);
    const order: number[] = [];
    for (let c = 0; c < candidates.length; c++) {
      if (!user.rated.has(candidates[c]!)) order.push(c);
    }
    order.sort((a, b) => scores[b]! - scores[a]! || candidates[a]! - candidates[b]!);
    let hits = 0;
    let dcg = 0;
    for (let r = 0; r < Math.min(k, order.length); r++) {
      if (!user.liked.has(candidates[order[r]!]!)) continue;
      hits++;
      dcg += 1 / Math.log2(r + 2);
    }
    const ideal = Math.min(k, user.liked.size);
    recall += hits / ideal;
    ndcg += dcg / idealDcg(ideal);
  }
  return perUserMeans(users.length, candidates.length, recall, ndcg);
}

/**
 * The expected metrics of a uniformly random order (exact, no sampling): each of the top K
 * positions holds a liked movie with probability |liked| ÷ |candidates ranked|.
 */
export function randomColdItemMetrics(
  users: readonly ColdItemUser[],
  candidates: Int32Array,
  k = 20,
): ColdItemMetrics {
  let recall = 0;
  let ndcg = 0;
  for (const user of users) {
    let ranked = 0;
    for (const movieId of candidates) if (!user.rated.has(movieId)) ranked++;
    const p = user.liked.size / ranked;
    const depth = Math.min(k, ranked);
    let dcg = 0;
    for (let r = 0; r < depth; r++) dcg += p / Math.log2(r + 2);
    const ideal = Math.min(k, user.liked.size);
    recall += (depth * p) / ideal;
    ndcg += dcg / idealDcg(ideal);
  }
  return perUserMeans(users.length, candidates.length, recall, ndcg);
}

/** The metrics' sums over `users` users as their means (NaN for no user). */
function perUserMeans(
  users: number,
  candidates: number,
  recallSum: number,
  ndcgSum: number,
): ColdItemMetrics {
  return {
    users,
    candidates,
    recall: users > 0 ? recallSum / users : Number.NaN,
    ndcg: users > 0 ? ndcgSum / users : Number.NaN,
  };
}

function idealDcg(hits: number): number {
  let sum = 0;
  for (let r = 0; r < hits; r++) sum += 1 / Math.log2(r + 2);
  return sum;
}
