/**
 * The files between `npm run bench -- --only ranking` and its Python peers: a held-out-users split
 * exported as CSV (every peer reads the same rows), and the peers' ranked lists read back so that
 * every system is scored by the same TypeScript (`heldOutMetrics`).
 *
 *   train.csv  userId,movieId,rating   every rating of the training users
 *   given.csv  userId,movieId,rating   each held-out user's given ratings, users in split order
 *   lists-<i>.csv  userId,rank,movieId  a peer's list per held-out user, rank 1 first
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HeldOutUser, HeldOutUsersSplit } from '../../lambdas/core/eval/held-out-users.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';

export const RATINGS_HEADER = 'userId,movieId,rating';
export const LISTS_HEADER = 'userId,rank,movieId';

export function trainCsv(table: RatingsTable): string {
  const lines = [RATINGS_HEADER];
  for (let i = 0; i < table.length; i++)
    lines.push(`${table.userIds[i]},${table.movieIds[i]},${table.ratings[i]}`);
  return lines.join('\n') + '\n';
}

export function givenCsv(users: readonly HeldOutUser[]): string {
  const lines = [RATINGS_HEADER];
  for (const user of users)
    for (const g of user.given) lines.push(`${user.userId},${g.movieId},${g.rating}`);
  return lines.join('\n') + '\n';
}

/** Writes dir/train.csv and dir/given.csv; returns their paths. */
export function writeSplitFiles(
  dir: string,
  split: Pick<HeldOutUsersSplit, 'train' | 'users'>,
): { train: string; given: string } {
  mkdirSync(dir, { recursive: true });
  const paths = { train: join(dir, 'train.csv'), given: join(dir, 'given.csv') };
  writeFileSync(paths.train, trainCsv(split.train));
  writeFileSync(paths.given, givenCsv(split.users));
  return paths;
}

function rows(text: string, header: string, what: string): number[][] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines[0]?.trim() !== header) {
    throw new Error(`${what}: expected the header "${header}", got "${lines[0] ?? ''}"`);
  }
  return lines.slice(1).map((line, k) => {
    const fields = line.split(',').map(Number);
    if (fields.length !== 3 || fields.some((x) => !Number.isFinite(x))) {
      throw new Error(`${what}: line ${k + 2} is not three numbers: "${line}"`);
    }
    return fields;
  });
}

/**
 * A peer's lists, one per held-out user in `users`' order (ranks may come in any order; a user with
 * no rows gets an empty list, which scores 0). Throws on a user the split does not hold, a repeated
 * rank, or a movie listed twice for one user: a peer that writes those has a bug worth seeing.
 */
export function parseListsCsv(
  text: string,
  users: readonly Pick<HeldOutUser, 'userId'>[],
  what = 'lists CSV',
): { lists: number[][]; usersWithoutList: number } {
  const byUser = new Map<number, Map<number, number>>(users.map((u) => [u.userId, new Map()]));
  for (const [userId, rank, movieId] of rows(text, LISTS_HEADER, what)) {
    const ranks = byUser.get(userId!);
    if (!ranks) throw new Error(`${what}: user ${userId} is not a held-out user`);
    if (ranks.has(rank!)) throw new Error(`${what}: user ${userId} has rank ${rank} twice`);
    ranks.set(rank!, movieId!);
  }
  let usersWithoutList = 0;
  const lists = users.map(({ userId }) => {
    const ranks = byUser.get(userId)!;
    if (ranks.size === 0) usersWithoutList++;
    const list = [...ranks.entries()].sort((a, b) => a[0] - b[0]).map(([, movieId]) => movieId);
    if (new Set(list).size !== list.length)
      throw new Error(`${what}: user ${userId} lists a movie twice`);
    return list;
  });
  return { lists, usersWithoutList };
}

/** The JSON object a peer prints on its last stdout line. */
export function lastJsonLine<T>(stdout: string, what: string): T {
  const last = stdout.trim().split('\n').pop() ?? '';
  if (!last.startsWith('{')) throw new Error(`${what}: no JSON object on the last line`);
  return JSON.parse(last) as T;
}
