import { describe, expect, it } from 'vitest';
import { packRuns, partitionRuns, userRuns } from '../../lambdas/core/ingest/batching.ts';
import { ingestRejection, isRecommendable } from '../../lambdas/core/ingest/cleaning.ts';
import {
  addCounts,
  firstLines,
  formatQuarantineCsv,
  parseQuarantineCsv,
  quarantineKey,
  renumberQuarantine,
} from '../../lambdas/core/ingest/quarantine.ts';
import { mostFrequentTags } from '../../lambdas/core/ingest/top-tags.ts';
import {
  MAX_RATING_TIMESTAMP_EXCLUSIVE,
  ratingWriteTime,
  writeTimeBase,
} from '../../lambdas/core/ingest/write-time.ts';
import { RatingsTableBuilder } from '../../lambdas/core/ratings.ts';

const HOUR_US = 3_600_000_000;

describe('write times', () => {
  const start = Date.UTC(2026, 10, 26, 12);
  const base = writeTimeBase(start);

  it('grow with the rating timestamp, so the latest duplicate wins last-write-wins', () => {
    expect(ratingWriteTime(base, 1_000_000_001)).toBeGreaterThan(
      ratingWriteTime(base, 1_000_000_000),
    );
    expect(ratingWriteTime(base, 7)).toBe(ratingWriteTime(base, 7));
  });

  it('stay inside the window Amazon Keyspaces accepts (2 days back, 5 minutes ahead)', () => {
    const startUs = start * 1000;
    const earliest = ratingWriteTime(base, 0);
    const latest = ratingWriteTime(base, MAX_RATING_TIMESTAMP_EXCLUSIVE - 1);
    expect(earliest).toBeGreaterThan(startUs - 48 * HOUR_US);
    expect(latest).toBeLessThan(startUs);
    // Still valid when the last chunk is written 22 hours after the start.
    expect(earliest).toBeGreaterThan(startUs + 22 * HOUR_US - 48 * HOUR_US);
    expect(Number.isSafeInteger(latest)).toBe(true);
    expect(() => ratingWriteTime(base, MAX_RATING_TIMESTAMP_EXCLUSIVE)).toThrow(RangeError);
  });

  it('order a later ingestion after an earlier one a day before', () => {
    const nextDay = writeTimeBase(start + 25 * 3_600_000);
    expect(ratingWriteTime(nextDay, 0)).toBeGreaterThan(
      ratingWriteTime(base, MAX_RATING_TIMESTAMP_EXCLUSIVE - 1),
    );
  });
});

describe('cleaning rules', () => {
  const row = { kind: 'row', userId: 1, movieId: 2, rating: 4, line: 2 } as const;
  it('quarantines timestamps past 2038 and keeps the rest', () => {
    expect(ingestRejection({ ...row, timestamp: 1_500_000_000 })).toBeUndefined();
    expect(ingestRejection({ ...row, timestamp: 2 ** 31 })).toBe('timestamp out of range');
  });
  it('makes movies without ratings, or too few for the training filter, not recommendable', () => {
    expect(isRecommendable(0, 0)).toBe(false);
    expect(isRecommendable(49, 50)).toBe(false);
    expect(isRecommendable(50, 50)).toBe(true);
  });
});

describe('quarantine files', () => {
  it('round-trip records with commas and quotes, and renumber chunk lines to file lines', () => {
    const text = formatQuarantineCsv([
      { line: 3, reason: 'wrong column count', record: '1,"2",3' },
      { line: 9, reason: 'rating out of scale', record: '1,2,7,5' },
    ]);
    expect(text.split('\n')[0]).toBe('line,reason,record');
    expect(parseQuarantineCsv(text)[0]).toEqual({
      line: 3,
      reason: 'wrong column count',
      record: '1,"2",3',
    });
    expect(parseQuarantineCsv(renumberQuarantine(text, 101)).map((r) => r.line)).toEqual([
      103, 109,
    ]);
    expect(firstLines([10, 5, 7])).toEqual([1, 11, 16]);
    expect(addCounts({ a: 1 }, { a: 2, b: 1 })).toEqual({ a: 3, b: 1 });
    expect(quarantineKey('ml', 7)).toBe('quarantine/ml/00007.csv');
  });
});

describe('batching', () => {
  it('groups rows into single-partition runs of at most the batch limit', () => {
    expect(partitionRuns([0, 1, 2, 3, 4, 5], (i) => (i < 4 ? 1 : 2), 3)).toEqual([
      [0, 1, 2],
      [3],
      [4, 5],
    ]);
    const builder = new RatingsTableBuilder();
    for (const [user, movie] of [
      [1, 10],
      [1, 11],
      [17, 10],
      [2, 10],
      [33, 10],
    ] as const) {
      builder.push(user, movie, 3, 0);
    }
    const table = builder.finish();
    expect(userRuns(table, 30)).toEqual([[0, 1], [2], [3], [4]]);
    // One replica (a single node): whole partition runs packed together up to the limit.
    expect(userRuns(table, 30, 'replica')).toEqual([[0, 1, 2, 3, 4]]);
  });

  it('packs partition runs without splitting one, every row once, in order', () => {
    expect(packRuns([[0, 1], [2], [3, 4, 5], [6]], 3)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(
      packRuns(
        [
          [0, 1, 2],
          [3, 4, 5],
        ],
        3,
      ),
    ).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(packRuns([], 30)).toEqual([]);
    const runs = partitionRuns(
      Array.from({ length: 1000 }, (_, i) => i),
      (i) => Math.floor(Math.sqrt(i * 7)),
      30,
    );
    const packed = packRuns(runs, 30);
    expect(packed.flat()).toEqual(runs.flat());
    expect(Math.max(...packed.map((batch) => batch.length))).toBeLessThanOrEqual(30);
    expect(packed.length).toBeLessThan(runs.length);
    // Every run lies whole inside one batch.
    const batchOf = new Map(packed.flatMap((batch, b) => batch.map((row) => [row, b] as const)));
    for (const run of runs) expect(new Set(run.map((row) => batchOf.get(row))).size).toBe(1);
  });
});

describe('top tags', () => {
  it('ranks tags per movie by use, case-insensitively, ties alphabetically', () => {
    const tag = (movieId: number, text: string) => ({
      userId: 1,
      movieId,
      tag: text,
      timestamp: 0,
    });
    const top = mostFrequentTags(
      [
        tag(1, 'Funny'),
        tag(1, 'funny'),
        tag(1, 'dark'),
        tag(1, 'clever'),
        tag(2, ' '),
        tag(2, 'x'),
      ],
      2,
    );
    expect(top.get(1)).toEqual(['funny', 'clever']);
    expect(top.get(2)).toEqual(['x']);
  });
});
