/**
 * The Murmur3 token ring (Cassandra's and Keyspaces' partitioner) cut into contiguous ranges, so a
 * full-table scan can be shared out to parallel readers: `token(pk) > lower AND token(pk) <= upper`.
 * Bounds travel as decimal strings because 64-bit tokens do not fit a JSON number, and the
 * Cassandra driver accepts a decimal string for a bigint parameter.
 */
export interface TokenRange {
  readonly index: number;
  /** Exclusive lower bound. */
  readonly lower: string;
  /** Inclusive upper bound. */
  readonly upper: string;
}

// Long.MIN_VALUE is never the token of a key, so an exclusive lower bound there loses nothing.
const RING_MIN = -(2n ** 63n);
const RING_MAX = 2n ** 63n - 1n;

/** `count` ranges of (nearly) equal width that together cover the whole ring exactly once. */
export function planTokenRanges(count: number): TokenRange[] {
  if (!Number.isInteger(count) || count < 1 || count > 65_536) {
    throw new RangeError(`token range count must be an integer in [1, 65536], got ${count}`);
  }
  const span = RING_MAX - RING_MIN;
  const bound = (i: number): bigint =>
    i === count ? RING_MAX : RING_MIN + (span * BigInt(i)) / BigInt(count);
  return Array.from({ length: count }, (_, index) => ({
    index,
    lower: String(bound(index)),
    upper: String(bound(index + 1)),
  }));
}
