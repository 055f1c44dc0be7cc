/**
 * A partitioner's token ring cut into contiguous ranges, so a full-table scan can be shared out to
 * parallel readers: `token(pk) > lower AND token(pk) <= upper`. Bounds travel as decimal strings
 * because tokens do not fit a JSON number (Murmur3: 64-bit; Random: up to 2¹²⁷), and the Cassandra
 * driver encodes a decimal string as the bigint or varint the prepared statement expects.
 */
export interface TokenRange {
  readonly index: number;
  /** Exclusive lower bound. */
  readonly lower: string;
  /** Inclusive upper bound. */
  readonly upper: string;
}

/**
 * Murmur3Partitioner (Cassandra's default, and Keyspaces' where so configured): bigint tokens.
 * RandomPartitioner, and Keyspaces' DefaultPartitioner, which returns the same tokens: varint
 * tokens, the absolute value of the key's MD5 as a signed 128-bit integer.
 */
export type Partitioner = 'murmur3' | 'random';

const PARTITIONER_CLASSES: Readonly<Record<string, Partitioner>> = {
  'org.apache.cassandra.dht.Murmur3Partitioner': 'murmur3',
  'org.apache.cassandra.dht.RandomPartitioner': 'random',
  'com.amazonaws.cassandra.DefaultPartitioner': 'random',
};

/** A partitioner this scan cannot cover (ordered partitioners have no fixed numeric ring). */
export class UnsupportedPartitionerError extends Error {
  override readonly name = 'UnsupportedPartitioner';
}

/** The ring of a partitioner class name as system.local reports it. */
export function partitionerFromName(className: string): Partitioner {
  const partitioner = PARTITIONER_CLASSES[className.trim()];
  if (!partitioner) {
    throw new UnsupportedPartitionerError(
      `token-range scans need Murmur3Partitioner, RandomPartitioner or Keyspaces' ` +
        `DefaultPartitioner; the cluster uses "${className}"`,
    );
  }
  return partitioner;
}

/**
 * Exclusive minimum and inclusive maximum of each ring. The minimum is never a key's token
 * (Murmur3: Long.MIN_VALUE; Random: −1, below every |MD5|), so an exclusive bound there loses
 * nothing; RandomPartitioner's maximum is 2¹²⁷ (|−2¹²⁷|).
 */
export const TOKEN_RINGS: Readonly<Record<Partitioner, { min: bigint; max: bigint }>> = {
  murmur3: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
  random: { min: -1n, max: 2n ** 127n },
};

/** `count` ranges of (nearly) equal width that together cover the whole ring exactly once. */
export function planTokenRanges(count: number, partitioner: Partitioner = 'murmur3'): TokenRange[] {
  if (!Number.isInteger(count) || count < 1 || count > 65_536) {
    throw new RangeError(`token range count must be an integer in [1, 65536], got ${count}`);
  }
  const ring = TOKEN_RINGS[partitioner];
  if (!ring) throw new UnsupportedPartitionerError(`unknown partitioner ${String(partitioner)}`);
  const span = ring.max - ring.min;
  const bound = (i: number): bigint =>
    i === count ? ring.max : ring.min + (span * BigInt(i)) / BigInt(count);
  return Array.from({ length: count }, (_, index) => ({
    index,
    lower: String(bound(index)),
    upper: String(bound(index + 1)),
  }));
}
