/**
 * Keys of the live-feedback tables: days, shards, ids and the served-list sample. Pure, so the
 * handler, tests and any later batch job agree on where a row lives.
 */
import { fmix32 } from '../matrix/hash.ts';

export const DAY_MS = 86_400_000;

/**
 * Partitions per day of `events` and `served_lists`. Keyspaces throttles one partition at about
 * 1,000 writes a second; eight shards keep a busy day's writes spread, and reading N days costs
 * N × 8 single-partition queries.
 */
export const FEEDBACK_SHARDS = 8;

/** The UTC day number (days since the epoch) of an epoch-millisecond time. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** Every UTC day of the last `days` days ending with the day of `nowMs`, oldest first. */
export function lastDays(nowMs: number, days: number): number[] {
  const today = dayOf(nowMs);
  return Array.from({ length: days }, (_, i) => today - days + 1 + i);
}

/** 32-bit FNV-1a of the UTF-16 code units, then murmur3's finalizer for a well-mixed value. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** The shard of an id: fixed by the id alone, so a retried write lands on the same row. */
export function shardOf(id: string, shards = FEEDBACK_SHARDS): number {
  return hash32(id) % shards;
}

/**
 * Client-chosen event ids: 1–64 characters of letters, digits and `._:-`, starting with a letter
 * or digit (UUIDs, ULIDs and "client:42" all fit).
 */
export const EVENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/**
 * Recommendation ids the API issues: "r", the serve time in base 36 milliseconds, "-", 16 random
 * hex digits. The time makes the id say which day's partition holds the served list.
 */
export const RECOMMENDATION_ID = /^r[0-9a-z]{6,11}-[0-9a-f]{16}$/;

export function newRecommendationId(nowMs: number, randomHex16: string): string {
  if (!/^[0-9a-f]{16}$/.test(randomHex16)) throw new RangeError('expected 16 hex digits');
  return `r${Math.floor(nowMs).toString(36)}-${randomHex16}`;
}

/**
 * Served lists recorded for online evaluation are a sample of USERS, not of lists: a user is in or
 * out for every list they get (the hash of their id against the rate), so a sampled user's
 * sequence of lists and feedback is complete — a hit is credited to every list that showed the
 * movie, users reached are counted exactly, and the same user is in the sample on every container
 * and after restarts. A list with no user (a posted profile, popular movies, similar movies) is
 * sampled by its own id. Rate 1 records everything; 0 records nothing.
 */
export function inServedSample(
  rate: number,
  userId: number | null,
  recommendationId: string,
): boolean {
  if (rate >= 1) return true;
  if (!(rate > 0)) return false;
  const key = userId === null ? recommendationId : `user:${userId}`;
  return hash32(key) / 2 ** 32 < rate;
}

/** RECSYS_SERVED_LIST_SAMPLE: a fraction in [0, 1]; absent or empty → 1 (record every list). */
export function parseSampleRate(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 1;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`RECSYS_SERVED_LIST_SAMPLE must be a number from 0 to 1, got "${raw}"`);
  }
  return value;
}
