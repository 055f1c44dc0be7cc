/**
 * Token-range scans on both rings (issue 15, finding 6): Keyspaces' partitioner is per account and
 * Region, Murmur3 (bigint tokens) or Random/Default (varint tokens 0…2¹²⁷). Ranges of the wrong
 * ring would silently miss rows.
 */
import cassandra from 'cassandra-driver';
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  TOKEN_RINGS,
  UnsupportedPartitionerError,
  partitionerFromName,
  planTokenRanges,
  type Partitioner,
} from '../../lambdas/core/train/token-ranges.ts';
import { TrainRequestError, resolveTrainRequest } from '../../lambdas/core/train/train-request.ts';
import { unconnectedStore } from '../support/cassandra.ts';

/** RandomPartitioner's token of a key: |MD5 as a signed 128-bit big-endian integer|. */
function randomToken(key: Buffer): bigint {
  const digest = createHash('md5').update(key).digest();
  let value = BigInt('0x' + digest.toString('hex'));
  if (digest[0]! & 0x80) value -= 2n ** 128n;
  return value < 0n ? -value : value;
}

/** The range (lower, upper] holding a token. */
const rangeOf = (ranges: ReturnType<typeof planTokenRanges>, token: bigint) =>
  ranges.filter((r) => BigInt(r.lower) < token && token <= BigInt(r.upper));

describe('partitioners', () => {
  it('reads the class names system.local reports, Keyspaces’ DefaultPartitioner as Random', () => {
    expect(partitionerFromName('org.apache.cassandra.dht.Murmur3Partitioner')).toBe('murmur3');
    expect(partitionerFromName('org.apache.cassandra.dht.RandomPartitioner')).toBe('random');
    expect(partitionerFromName('com.amazonaws.cassandra.DefaultPartitioner')).toBe('random');
    expect(() => partitionerFromName('org.apache.cassandra.dht.ByteOrderedPartitioner')).toThrow(
      UnsupportedPartitionerError,
    );
    expect(() => partitionerFromName('org.apache.cassandra.dht.ByteOrderedPartitioner')).toThrow(
      /ByteOrderedPartitioner/,
    );
  });

  for (const partitioner of ['murmur3', 'random'] as Partitioner[]) {
    it(`${partitioner}: ranges cover the whole ring once, in order`, () => {
      const ring = TOKEN_RINGS[partitioner];
      for (const count of [1, 3, 16, 500]) {
        const ranges = planTokenRanges(count, partitioner);
        expect(ranges).toHaveLength(count);
        expect(BigInt(ranges[0]!.lower)).toBe(ring.min);
        expect(BigInt(ranges.at(-1)!.upper)).toBe(ring.max);
        for (let i = 1; i < count; i++) expect(ranges[i]!.lower).toBe(ranges[i - 1]!.upper);
        for (const r of ranges) expect(BigInt(r.lower) < BigInt(r.upper)).toBe(true);
      }
    });
  }

  it('random: every key’s token falls in exactly one range, the largest ones included', () => {
    const ranges = planTokenRanges(16, 'random');
    const tokens = Array.from({ length: 2_000 }, (_, i) => {
      const key = Buffer.alloc(4);
      key.writeInt32BE(i);
      return randomToken(key);
    });
    tokens.push(0n, 2n ** 127n, 2n ** 64n, 2n ** 63n);
    expect(tokens.some((t) => t > 2n ** 63n)).toBe(true);
    for (const token of tokens) expect(rangeOf(ranges, token)).toHaveLength(1);
    // Murmur3's ranges end at 2⁶³−1: half of the Random ring would go unread.
    const murmur = planTokenRanges(16, 'murmur3');
    const missed = tokens.filter((t) => rangeOf(murmur, t).length === 0);
    expect(missed.length).toBeGreaterThan(tokens.length / 3);
  });

  it('encodes bounds beyond 2⁶³ as varint, and Murmur3 bounds as bigint (the driver’s encoder)', () => {
    // The driver exports its encoder at runtime; its typings leave it out.
    const { Encoder } = cassandra as unknown as {
      Encoder: new (
        version: number,
        options: object,
      ) => {
        encode(value: unknown, type: number): Buffer;
        decode(bytes: Buffer, type: { code: number }): unknown;
      };
    };
    const encoder = new Encoder(4, {});
    const { dataTypes } = cassandra.types;
    for (const bound of planTokenRanges(4, 'random').flatMap((r) => [r.lower, r.upper])) {
      const bytes = encoder.encode(bound, dataTypes.varint);
      const decoded = encoder.decode(bytes, { code: dataTypes.varint }) as { toString(): string };
      expect(decoded.toString()).toBe(bound);
    }
    for (const bound of planTokenRanges(4, 'murmur3').flatMap((r) => [r.lower, r.upper])) {
      const bytes = encoder.encode(bound, dataTypes.bigint);
      const decoded = encoder.decode(bytes, { code: dataTypes.bigint }) as { toString(): string };
      expect(decoded.toString()).toBe(bound);
    }
  });
});

describe('the train Plan and the adapter use the cluster’s ring', () => {
  const context = { runId: 'als-x', executionName: 'x', dataset: 'd', now: new Date(0) };

  it('plans Random ranges and records the partitioner when told to', () => {
    const plan = resolveTrainRequest({ blocks: 4 }, { ...context, partitioner: 'random' });
    expect(plan.partitioner).toBe('random');
    expect(plan.ranges.at(-1)!.upper).toBe(String(2n ** 127n));
    expect(plan.ranges[0]!.lower).toBe('-1');
    const murmur = resolveTrainRequest({ blocks: 4 }, context);
    expect(murmur.partitioner).toBe('murmur3');
    expect(murmur.ranges.at(-1)!.upper).toBe(String(2n ** 63n - 1n));
  });

  it('caps the default concurrency at the deployment’s, refuses more, halves it for the outputs', () => {
    const plan = resolveTrainRequest({ blocks: 16 }, { ...context, maxConcurrency: 5 });
    expect(plan.concurrency).toBe(5);
    expect(plan.outputConcurrency).toBe(2);
    expect(() =>
      resolveTrainRequest({ blocks: 16, concurrency: 40 }, { ...context, maxConcurrency: 5 }),
    ).toThrow(TrainRequestError);
    expect(resolveTrainRequest({ blocks: 1 }, context).outputConcurrency).toBe(1);
  });

  for (const [className, upper] of [
    ['org.apache.cassandra.dht.Murmur3Partitioner', String(2n ** 63n - 1n)],
    ['com.amazonaws.cassandra.DefaultPartitioner', String(2n ** 127n)],
  ]) {
    it(`tokenRangeScans reads system.local once and scans its ring (${className})`, async () => {
      const store = unconnectedStore();
      const execute = vi.spyOn(store, 'execute').mockResolvedValue({
        first: () => ({ get: () => className }),
      } as unknown as cassandra.types.ResultSet);
      const scans = await store.tokenRangeScans('ratings_by_user', ['user_id'], ['user_id'], 8);
      await store.tokenRangeScans('ratings_by_user', ['user_id'], ['user_id'], 8);
      expect(execute).toHaveBeenCalledTimes(1);
      expect(execute.mock.calls[0]![0]).toMatch(/SELECT partitioner FROM system\.local/);
      expect(scans).toHaveLength(8);
      expect(scans[0]!.cql).toBe(
        'SELECT user_id FROM ks.ratings_by_user WHERE token(user_id) > ? AND token(user_id) <= ?',
      );
      expect(scans.at(-1)!.params[1]).toBe(upper);
      await store.shutdown();
    });
  }
});
