/**
 * Issue 22, "bulk writers paced like the ratings writers": catalogue tags and movies, the
 * aggregate step's users and movies rows, and training's top-N and similar-movie lists keep, on
 * Keyspaces, to their share of a new table's 4,000 WRU/s and to 1,000 WCU/s per partition, from the
 * one write budget (write-budget.ts). Locally (no rate given) they stay unpaced.
 *
 * The writers run against fake stores that perform each write in turn after awaiting its pace,
 * and a fake clock (FAKE_CLOCK below: `sleep` moves `now` on, nothing waits for real), so every
 * write's start time is exact and the test takes no time.
 */
import { describe, expect, it } from 'vitest';
import { interleavePartitions } from '../../lambdas/core/ingest/batching.ts';
import {
  PartitionPacer,
  type PacerClock,
  type WritePace,
} from '../../lambdas/core/ingest/pacer.ts';
import type { DatasetLayout } from '../../lambdas/core/ingest/workflow-types.ts';
import {
  BULK_TABLE_WRITE_UNITS_PER_SECOND,
  NEW_TABLE_WRITE_UNITS_PER_SECOND,
  PARTITION_WRITE_UNITS_PER_SECOND,
  rankedListWriteUnits,
  writerPace,
} from '../../lambdas/core/ingest/write-budget.ts';
import { outputWriterPace, resolveTrainRequest } from '../../lambdas/core/train/train-request.ts';
import type { BatchQuery } from '../../lambdas/adapters/cassandra.ts';
import { aggregateDataset } from '../../lambdas/services/ingest/aggregate.ts';
import { ingestCatalogue } from '../../lambdas/services/ingest/catalogue.ts';
import type { Stores } from '../../lambdas/services/runtime.ts';
import { writeOutputLists } from '../../lambdas/services/train/output-lists.ts';

/** A fake clock for the pacers: `sleep` advances `now` at once. */
function fakeClock(): PacerClock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

interface Write {
  readonly table: string;
  /** The statement's parameters (a batch: its first statement's). */
  readonly params: readonly unknown[];
  readonly rows: number;
  /** Fake-clock ms at which it was sent. */
  readonly at: number;
}

/**
 * A fake CassandraStore for the bulk paths: executeMany and batchMany send one write after the
 * other, each after its pace, and record when; `paced` says whether each call was given a pace.
 */
function fakeDb(clock: PacerClock, rowsOf: (cql: string) => unknown[][] = () => []) {
  const writes: Write[] = [];
  const paced: { table: string; paced: boolean }[] = [];
  const tableOf = (cql: string) => /(?:INTO|UPDATE) ks\.(\w+)/.exec(cql)![1]!;
  const db = {
    keyspace: 'ks',
    table: (name: string) => `ks.${name}`,
    async executeMany(cql: string, params: readonly unknown[][], _c?: number, pace?: WritePace) {
      paced.push({ table: tableOf(cql), paced: pace !== undefined });
      for (const [i, p] of params.entries()) {
        await pace?.(1, i);
        writes.push({ table: tableOf(cql), params: p, rows: 1, at: clock.now() });
      }
    },
    async batchMany(
      batches: readonly (readonly BatchQuery[])[],
      _c?: number,
      _onDone?: unknown,
      pace?: WritePace,
    ) {
      paced.push({ table: tableOf(batches[0]![0]!.query), paced: pace !== undefined });
      for (const [i, batch] of batches.entries()) {
        await pace?.(batch.length, i);
        const table = tableOf(batch[0]!.query);
        writes.push({ table, params: batch[0]!.params, rows: batch.length, at: clock.now() });
      }
    },
    tokenRangeScans: async () => [
      { cql: 'SELECT user_id, movie_id, rating, rated_at FROM ks.ratings_by_user', params: [] },
    ],
    async *rows(cql: string) {
      for (const values of rowsOf(cql)) {
        const columns = /SELECT (.*) FROM/.exec(cql)![1]!.split(', ');
        yield { get: (name: string) => values[columns.indexOf(name)] ?? null };
      }
    },
  };
  return { db, writes, paced };
}

/**
 * Asserts that the writes keep to `perSecond` write units a second from time 0: each starts no
 * sooner than the units sent before it take at that rate (the pacer's schedule).
 */
function expectWithinRate(writes: readonly Write[], perSecond: number, unitsPerRow = 1): void {
  let units = 0;
  for (const write of writes) {
    expect(write.at).toBeGreaterThanOrEqual((units / perSecond) * 1000 - 1e-9);
    units += write.rows * unitsPerRow;
  }
}

describe('the write budget of the bulk writers', () => {
  it('gives each of n writers of one table an equal share, and no partition past 1,000 WCU/s', () => {
    expect(BULK_TABLE_WRITE_UNITS_PER_SECOND).toBe(NEW_TABLE_WRITE_UNITS_PER_SECOND);
    expect(writerPace(4_000, 1)).toEqual({ tableWriteUnits: 4_000, partitionWriteUnits: 1_000 });
    expect(writerPace(4_000, 8)).toEqual({ tableWriteUnits: 500, partitionWriteUnits: 500 });
    expect(writerPace(4_000, 3).tableWriteUnits).toBe(1_333);
    expect(writerPace(40_000, 5_000)).toEqual({ tableWriteUnits: 8, partitionWriteUnits: 8 });
    for (const writers of [1, 2, 3, 7, 16, 32, 1_000]) {
      const pace = writerPace(4_000, writers);
      expect(pace.tableWriteUnits * writers).toBeLessThanOrEqual(4_000);
      expect(pace.partitionWriteUnits).toBeLessThanOrEqual(PARTITION_WRITE_UNITS_PER_SECOND);
    }
    expect(() => writerPace(0, 1)).toThrow(RangeError);
    expect(() => writerPace(4_000, 0)).toThrow(RangeError);
  });

  it('counts a stored list at the write units of its length (1 KB each)', () => {
    expect(rankedListWriteUnits(20)).toBe(1);
    expect(rankedListWriteUnits(50)).toBe(1);
    expect(rankedListWriteUnits(100)).toBe(1);
    expect(rankedListWriteUnits(200)).toBe(2);
    expect(rankedListWriteUnits(1_000)).toBe(9);
  });

  it('shares a lists table among the blocks of its output Map in flight at once', () => {
    const plan = { outputTableWriteUnits: 4_000, outputConcurrency: 8, blockCount: 16 };
    expect(outputWriterPace(plan)?.tableWriteUnits).toBe(500);
    // Fewer blocks than the Map's MaxConcurrency: only as many writers as blocks.
    expect(outputWriterPace({ ...plan, blockCount: 2 })?.tableWriteUnits).toBe(2_000);
    // Local (no rate in the plan): unpaced.
    expect(outputWriterPace({ outputConcurrency: 8, blockCount: 16 })).toBeUndefined();
  });

  it('puts the deployment’s lists-table rate into the plan, and nothing locally', () => {
    const context = { runId: 'r1', executionName: 'e', dataset: 'd', now: new Date(0) };
    const local = resolveTrainRequest({ concurrency: 4 }, context);
    expect(local.outputTableWriteUnits).toBeUndefined();
    const deployed = resolveTrainRequest(
      { concurrency: 4 },
      { ...context, outputTableWriteUnits: 4_000 },
    );
    expect(deployed.outputTableWriteUnits).toBe(4_000);
    expect(outputWriterPace(deployed)?.tableWriteUnits).toBe(
      4_000 / Math.min(deployed.outputConcurrency, deployed.blockCount),
    );
  });
});

describe('PartitionPacer (fake clock)', () => {
  it('holds one partition to its rate and the table to its own', async () => {
    const clock = fakeClock();
    const pacer = new PartitionPacer(4_000, 1_000, clock);
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      await pacer.take(30, 'hot');
      starts.push(clock.t);
    }
    // 30 units at 1,000/s per partition: 30 ms apart.
    expect(starts).toEqual([0, 30, 60]);
    // Other partitions only wait for the table: 30 units at 4,000/s, 7.5 ms each.
    await pacer.take(30, 'a');
    expect(clock.t).toBe(67.5);
    await pacer.take(30, 'b');
    expect(clock.t).toBe(75);
    expect(() => new PartitionPacer(1, 0)).toThrow(RangeError);
  });

  it('interleaves partitions so a hot one does not hold up the rest', () => {
    const runs = [[1], [2], [3], [10], [20], [30]];
    // Rows 1-3 are partition 0, rows 10-30 partitions 1-3.
    const key = (row: number) => (row < 10 ? 0 : row / 10);
    expect(interleavePartitions(runs, key)).toEqual([[1], [10], [20], [30], [2], [3]]);
  });
});

describe('Catalogue', () => {
  const ids = range(12).map((i) => i + 1);
  const movies = ['movieId,title,genres', ...ids.map((m) => `${m},Movie ${m} (2000),Drama`)];
  // Movie 1: 300 tags (one hot partition); movies 2-12: 30 each.
  const tagLines = ['userId,movieId,tag,timestamp'];
  for (const m of ids) {
    for (let u = 1; u <= (m === 1 ? 300 : 30); u++) tagLines.push(`${u},${m},t${u},${1000 + u}`);
  }
  const text: Record<string, string> = {
    'movies.csv': movies.join('\n') + '\n',
    'tags.csv': tagLines.join('\n') + '\n',
  };
  const s3 = { getText: async (key: string) => text[key]! };
  const layout = (rate?: number) =>
    ({
      moviesKey: 'movies.csv',
      linksKey: null,
      tagsKey: 'tags.csv',
      ...(rate === undefined ? {} : { bulkWriteUnitsPerSecond: rate }),
    }) as unknown as DatasetLayout;

  it('on Keyspaces writes movies and tags within the table’s rate and tags within a partition’s', async () => {
    const clock = fakeClock();
    const { db, writes, paced } = fakeDb(clock);
    const result = await ingestCatalogue(layout(4_000), { db, s3 } as unknown as Stores, clock);
    expect(result.tags).toBe(630);
    expect(paced).toEqual([
      { table: 'movies', paced: true },
      { table: 'tags', paced: true },
    ]);
    const tags = writes.filter((w) => w.table === 'tags');
    expect(tags.reduce((sum, w) => sum + w.rows, 0)).toBe(630);
    // Each table from the moment its writes begin.
    const movieWrites = writes.filter((w) => w.table === 'movies');
    expectWithinRate(movieWrites, 4_000);
    const tagsStart = tags[0]!.at;
    expectWithinRate(
      tags.map((w) => ({ ...w, at: w.at - tagsStart })),
      4_000,
    );
    // The hot movie's 10 batches of 30: 300 units at 1,000/s, never faster.
    const hot = tags.filter((w) => w.params[0] === 1);
    expect(hot).toHaveLength(10);
    expectWithinRate(
      hot.map((w) => ({ ...w, at: w.at - hot[0]!.at })),
      PARTITION_WRITE_UNITS_PER_SECOND,
    );
    // Interleaved, the other movies go first: only the hot one's tail waits on its partition.
    expect(tags.slice(0, 12).map((w) => w.params[0])).toEqual(ids);
  });

  it('locally (no rate) writes unpaced', async () => {
    const clock = fakeClock();
    const { db, paced } = fakeDb(clock);
    await ingestCatalogue(layout(), { db, s3 } as unknown as Stores, clock);
    expect(paced.every((p) => !p.paced)).toBe(true);
    expect(clock.t).toBe(0);
  });
});

describe('Aggregate', () => {
  // 100 users, one rating each, of 10 movies.
  const rowsOf = (cql: string): unknown[][] => {
    if (cql.includes('ratings_by_user'))
      return range(100).map((u) => [u + 1, (u % 10) + 1, 4, { toNumber: () => 1000 + u }]);
    if (cql.includes('ks.movies')) return range(10).map((m) => [m + 1, `Movie ${m}`, ['Drama']]);
    return [];
  };
  const s3 = { putObject: async () => {}, getText: async () => '' };
  const request = (rate?: number) => ({
    layout: {
      dataset: 'd',
      minRatingsPerMovie: 1,
      ...(rate === undefined ? {} : { bulkWriteUnitsPerSecond: rate }),
    } as unknown as DatasetLayout,
    chunks: [],
  });

  it('on Keyspaces writes the users and movies rows within the table’s rate', async () => {
    const clock = fakeClock();
    const { db, writes, paced } = fakeDb(clock, rowsOf);
    const result = await aggregateDataset(request(100), { db, s3 } as unknown as Stores, clock);
    expect(result.counts.users).toBe(100);
    expect(paced).toEqual([
      { table: 'users', paced: true },
      { table: 'movies', paced: true },
      { table: 'dataset_stats', paced: false },
    ]);
    const users = writes.filter((w) => w.table === 'users');
    expect(users).toHaveLength(100);
    expectWithinRate(users, 100);
    // 100 rows at 100/s: the last starts 990 ms in.
    expect(users.at(-1)!.at).toBe(990);
    const movies = writes.filter((w) => w.table === 'movies');
    expectWithinRate(
      movies.map((w) => ({ ...w, at: w.at - movies[0]!.at })),
      100,
    );
  });

  it('locally (no rate) writes unpaced', async () => {
    const clock = fakeClock();
    const { db, paced } = fakeDb(clock, rowsOf);
    await aggregateDataset(request(), { db, s3 } as unknown as Stores, clock);
    expect(paced.every((p) => !p.paced)).toBe(true);
    expect(clock.t).toBe(0);
  });
});

describe('top-N and similar-movie block writers', () => {
  const lists = (n: number, entries: number) =>
    range(n).map((id) => ({
      id,
      list: range(entries).map((m) => ({ movieId: m, score: 1 / (m + 1) })),
    }));
  const plan = {
    outputTableWriteUnits: 4_000,
    outputConcurrency: 8,
    blockCount: 16,
    topN: 200,
    similarN: 20,
  };

  it('keeps each block to its share of the table, counting a row’s write units', async () => {
    const clock = fakeClock();
    const { db, writes, paced } = fakeDb(clock);
    const topN = lists(100, 200);
    await writeOutputLists(
      db as unknown as Stores['db'],
      'recommendations',
      'm1',
      plan,
      topN,
      clock,
    );
    expect(paced).toEqual([{ table: 'recommendation_lists', paced: true }]);
    // 8 blocks at once share 4,000 WRU/s: 500 each; a 200-movie list is 2 WRU, so 250 rows/s.
    expectWithinRate(writes, 500, rankedListWriteUnits(200));
    expect(writes.at(-1)!.at).toBe(99 * 4);

    const start = clock.t;
    const similar = fakeDb(clock);
    await writeOutputLists(
      similar.db as unknown as Stores['db'],
      'similar_movies',
      'm1',
      plan,
      lists(100, 20),
      clock,
    );
    expect(similar.paced).toEqual([{ table: 'similar_movie_lists', paced: true }]);
    expect(similar.writes.at(-1)!.at - start).toBe(99 * 2);
  });

  it('locally (no rate in the plan) writes unpaced', async () => {
    const clock = fakeClock();
    const { db, paced } = fakeDb(clock);
    const { outputTableWriteUnits: _, ...local } = plan;
    await writeOutputLists(
      db as unknown as Stores['db'],
      'recommendations',
      'm1',
      local,
      lists(10, 50),
      clock,
    );
    expect(paced).toEqual([{ table: 'recommendation_lists', paced: false }]);
    expect(clock.t).toBe(0);
  });
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
