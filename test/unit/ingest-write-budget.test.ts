/**
 * The ingest write budget (issue 15, finding 2): a new on-demand Keyspaces table sustains ~4,000
 * writes/s, and a chunk Lambda has 900 s. Chunk size × the table's rate × the Lambda timeout must
 * agree, or a large upload fails with States.Timeout (not retried) halfway through.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_CHUNKS, defaultChunkBytes } from '../../lambdas/core/ingest/chunk-boundaries.ts';
import {
  PAY_PER_REQUEST_SWITCH_INTERVAL_MS,
  capacityRecord,
  capacitySwitchLegalBefore,
  planLoad,
} from '../../lambdas/core/ingest/capacity-switch.ts';
import { RatePacer } from '../../lambdas/core/ingest/pacer.ts';
import {
  CHUNK_TIMEOUT_SECONDS,
  CHUNK_WRITE_BUDGET_SECONDS,
  CHUNK_WRITER_RATINGS_PER_SECOND,
  CHUNK_WRITER_ROWS_PER_SECOND,
  INGEST_TIMEOUT_SECONDS,
  IngestBudgetError,
  MIN_BYTES_PER_RATING,
  NEW_TABLE_WRITE_UNITS_PER_SECOND,
  RATINGS_TABLES,
  TABLE_WRITE_UNITS_QUOTA,
  WRITE_UNITS_PER_RATING_PER_TABLE,
  chunkWriteSeconds,
  ingestSchedule,
  planIngestSchedule,
} from '../../lambdas/core/ingest/write-budget.ts';
import { INGEST_DEFINITION, INGEST_FUNCTIONS } from '../../statemachines/ingest.functions.ts';

const ML_25M_BYTES = 678_260_987; // ratings.csv of ml-25m: 25,000,095 ratings
const MB = 1024 * 1024;

describe('ingest write budget', () => {
  it('would have caught the old plan: 32 MiB chunks × 40 at a new table’s rate blow the timeout', () => {
    const chunkBytes = defaultChunkBytes(ML_25M_BYTES);
    expect(chunkBytes).toBe(32 * MB);
    const ratings = chunkBytes / MIN_BYTES_PER_RATING;
    const seconds = chunkWriteSeconds(ratings, NEW_TABLE_WRITE_UNITS_PER_SECOND, 40);
    expect(seconds).toBeGreaterThan(CHUNK_TIMEOUT_SECONDS * 10);
  });

  it('keeps every chunk’s writes inside half the Lambda timeout, at any rate, size and concurrency', () => {
    for (const tableWriteUnits of [1_000, 4_000, 10_000, 40_000, 100_000]) {
      for (const concurrency of [1, 5, 40, 1000]) {
        for (const ratingsBytes of [100_000, 2.5 * MB, 100 * MB, ML_25M_BYTES, 3_000 * MB]) {
          let schedule;
          try {
            schedule = planIngestSchedule({ ratingsBytes, tableWriteUnits, concurrency });
          } catch (error) {
            // Refused with the reason and what to change, never planned to fail.
            expect(error, `${ratingsBytes} B at ${tableWriteUnits}`).toBeInstanceOf(
              IngestBudgetError,
            );
            expect((error as Error).message).toMatch(/ingestWriteUnits/);
            continue;
          }
          const label = `${ratingsBytes} B, ${tableWriteUnits} WRU/s, concurrency ${concurrency}`;
          const { chunkBytes, chunkConcurrency, writeRatingsPerSecond, chunks } = schedule;
          // The budget: the most ratings a chunk can hold (shortest lines), written at its share
          // of the table's rate (or its own pace), within half the 900 s.
          const ratings = Math.floor(chunkBytes / MIN_BYTES_PER_RATING);
          const share = Math.min(
            CHUNK_WRITER_RATINGS_PER_SECOND,
            tableWriteUnits / WRITE_UNITS_PER_RATING_PER_TABLE / chunkConcurrency,
          );
          expect(ratings / share, label).toBeLessThanOrEqual(CHUNK_WRITE_BUDGET_SECONDS);
          expect(schedule.chunkWriteSeconds, label).toBeLessThanOrEqual(CHUNK_WRITE_BUDGET_SECONDS);
          // The writers together never ask a table for more than its rate.
          expect(
            chunkConcurrency * writeRatingsPerSecond * WRITE_UNITS_PER_RATING_PER_TABLE,
            label,
          ).toBeLessThanOrEqual(tableWriteUnits);
          expect(chunkConcurrency, label).toBeLessThanOrEqual(concurrency);
          expect(chunks, label).toBeLessThanOrEqual(MAX_CHUNKS);
          expect(schedule.ingestSeconds, label).toBeLessThanOrEqual(INGEST_TIMEOUT_SECONDS);
        }
      }
    }
  });

  it('plans ml-25m at a new table’s rate in ~1.7 h, and pre-warmed to the quota in ~10.5 min', () => {
    // One ratings table: a writer's 2,000 rows/s are 2,000 ratings/s into ratings_by_user.
    expect(RATINGS_TABLES).toEqual(['ratings_by_user']);
    expect(CHUNK_WRITER_ROWS_PER_SECOND).toBe(2_000);
    expect(CHUNK_WRITER_RATINGS_PER_SECOND).toBe(2_000);
    const cold = planIngestSchedule({
      ratingsBytes: ML_25M_BYTES,
      tableWriteUnits: NEW_TABLE_WRITE_UNITS_PER_SECOND,
      concurrency: 40,
    });
    // 4,000 WRU/s ÷ 2,000 ratings/s per writer = 2 writers, each paced to 2,000.
    expect(cold.chunkConcurrency).toBe(2);
    expect(cold.writeRatingsPerSecond).toBe(2_000);
    // 450 s × 2,000 ratings/s = 900,000 ratings of 18 bytes = 16,200,000 bytes a chunk (under
    // the default's 32 MiB); ⌈678,260,987 / 16,200,000⌉ = ⌈41.87⌉ = 42 chunks.
    expect(cold.chunkBytes).toBe(16_200_000);
    expect(cold.chunks).toBe(42);
    // 678,260,987 / 27 = 25,120,777 typical ratings at 2 × 2,000 a second = 6,280 s = 1.74 h.
    expect(cold.ingestSeconds).toBeCloseTo(6280.19, 1);

    const warm = planIngestSchedule({
      ratingsBytes: ML_25M_BYTES,
      tableWriteUnits: TABLE_WRITE_UNITS_QUOTA,
      concurrency: 40,
    });
    // 40,000 / 2,000 = 20 writers (the concurrency allows 40): 25,120,777 / 40,000 = 628 s.
    expect(warm.chunkConcurrency).toBe(20);
    expect(warm.ingestSeconds / 60).toBeCloseTo(10.47, 2);
  });

  it('prices what it refuses: the schedule and the reason, without throwing', () => {
    // 2,000 MiB at 4,000 WRU/s: ⌈2,097,152,000 / 16,200,000⌉ = 130 chunks (≤ 400), but
    // 2,097,152,000 / 27 / 4,000 = 19,418 s = 5.4 h > 0.8 × 6 h.
    const s = ingestSchedule({
      ratingsBytes: 2_000 * MB,
      tableWriteUnits: NEW_TABLE_WRITE_UNITS_PER_SECOND,
      concurrency: 40,
    });
    expect(s.chunks).toBe(130);
    expect(s.ingestSeconds).toBeCloseTo(19418.07, 1);
    expect(s.refusal).toMatch(/324 min to write/);
    // A billion lines of 27 bytes need ⌈27e9 / 16.2e6⌉ = 1,667 chunks at any rate: a writer's
    // chunk is capped by its own pace (2,000 ratings/s × 450 s), not the table's.
    const billion = ingestSchedule({
      ratingsBytes: 27e9,
      tableWriteUnits: TABLE_WRITE_UNITS_QUOTA,
      concurrency: 1000,
    });
    expect(billion.chunks).toBe(1667);
    expect(billion.refusal).toMatch(/1667 chunks/);
  });

  it('keeps a small data set in about eight chunks, and never asks for more than the caller', () => {
    const small = planIngestSchedule({
      ratingsBytes: 2_483_723,
      tableWriteUnits: NEW_TABLE_WRITE_UNITS_PER_SECOND,
      concurrency: 40,
    });
    expect(small.chunkBytes).toBe(defaultChunkBytes(2_483_723));
    expect(small.chunks).toBe(8);
    const asked = planIngestSchedule({
      ratingsBytes: 2_483_723,
      tableWriteUnits: NEW_TABLE_WRITE_UNITS_PER_SECOND,
      concurrency: 40,
      chunkBytes: 65_536,
    });
    expect(asked.chunkBytes).toBe(65_536);
  });

  it('refuses a file the state machine could not write in time, naming the setting to change', () => {
    expect(() =>
      planIngestSchedule({
        ratingsBytes: 2_000 * MB,
        tableWriteUnits: NEW_TABLE_WRITE_UNITS_PER_SECOND,
        concurrency: 40,
      }),
    ).toThrow(/ingestWriteUnits/);
  });

  it('matches the timeouts of the chunk Lambda, its Task and the ingest state machine', () => {
    expect(INGEST_FUNCTIONS.ChunkFunctionArn.timeoutSeconds).toBe(CHUNK_TIMEOUT_SECONDS);
    const definition = JSON.parse(readFileSync(INGEST_DEFINITION, 'utf8')) as {
      TimeoutSeconds: number;
      States: { IngestChunks: { ItemProcessor: { States: { IngestChunk: object } } } };
    };
    expect(definition.TimeoutSeconds).toBe(INGEST_TIMEOUT_SECONDS);
    expect(definition.States.IngestChunks.ItemProcessor.States.IngestChunk).toMatchObject({
      TimeoutSeconds: CHUNK_TIMEOUT_SECONDS,
    });
  });
});

describe('RatePacer', () => {
  it('holds many concurrent takers to the rate', async () => {
    let now = 0;
    const starts: number[] = [];
    const pacer = new RatePacer(
      1_000,
      () => now,
      async (ms) => {
        now += ms;
      },
    );
    // 16 writers of 30-statement batches: 480 statements take 480 ms at 1,000/s.
    for (let i = 0; i < 16; i++) {
      await pacer.take(30);
      starts.push(now);
    }
    expect(starts[0]).toBe(0);
    expect(starts.at(-1)).toBe(450);
    expect(() => new RatePacer(0)).toThrow(RangeError);
  });
});

describe('a load that switches the ratings tables to provisioned capacity (capacity-switch.ts)', () => {
  const now = Date.parse('2026-12-07T12:00:00.000Z');
  const load = (writeUnits?: number) =>
    planLoad({
      ratingsBytes: ML_25M_BYTES,
      concurrency: 40,
      onDemandWriteUnits: NEW_TABLE_WRITE_UNITS_PER_SECOND,
      ...(writeUnits ? { provisioned: { writeUnits, keyspace: 'recsys_dev' } } : {}),
      now,
    });

  it('asks for no switch on-demand', () => {
    expect(load().capacity).toEqual({ switch: false });
  });

  it('sizes both paces: the provisioned WCU for the switch, a new table’s rate for the fallback', () => {
    // 12,000 WCU on the one ratings table: 6 writers at 2,000 ratings/s each.
    // The fallback: 4,000 WRU/s, 2 writers. Chunks of 450 s × 2,000 × 18 B = 16,200,000 B at both.
    const plan = load(12_000);
    expect(plan).toMatchObject({
      chunkBytes: 16_200_000,
      chunkConcurrency: 2,
      writeRatingsPerSecond: 2_000,
      capacity: {
        switch: true,
        keyspace: 'recsys_dev',
        writeUnits: 12_000,
        pace: { chunkConcurrency: 6, writeRatingsPerSecond: 2_000 },
        tables: RATINGS_TABLES.map((table) => ({ table, readUnits: expect.any(Number) })),
      },
    });
  });

  it('lets a table switch only if it was created and last returned to on-demand 24 h before', () => {
    expect(PAY_PER_REQUEST_SWITCH_INTERVAL_MS).toBe(86_400_000);
    expect(capacitySwitchLegalBefore(now)).toBe('2026-12-06T12:00:00.000Z');
    const plan = load(12_000);
    expect(plan.capacity.switch && plan.capacity.legalBefore).toBe('2026-12-06T12:00:00.000Z');
    expect(() => capacitySwitchLegalBefore(Number.NaN)).toThrow(RangeError);
  });

  it('refuses a data set the on-demand fallback could not load, saying why that one matters', () => {
    // 4,000 MiB on-demand: 233,016,889 ratings at 2 writers × 2,000 ratings/s = 647 min of writes,
    // past the ingest state machine's 6 h; at 40,000 WCU (20 writers) it would take 65 min.
    expect(() =>
      planLoad({
        ratingsBytes: 4_000 * MB,
        concurrency: 40,
        onDemandWriteUnits: NEW_TABLE_WRITE_UNITS_PER_SECOND,
        provisioned: { writeUnits: 40_000, keyspace: 'k' },
        now,
      }),
    ).toThrow(/^on-demand, where the 24-hour rule keeps the tables from switching: .*647 min/);
  });

  it('records in the summary which capacity the ratings were written at', () => {
    const switched = load(12_000).capacity;
    const provisionedPace = { switched: true, chunkConcurrency: 6, writeRatingsPerSecond: 2_000 };
    const onDemandPace = { switched: false, chunkConcurrency: 2, writeRatingsPerSecond: 2_000 };
    expect(capacityRecord(switched, provisionedPace)).toEqual({
      mode: 'provisioned',
      writeUnits: 12_000,
      chunkConcurrency: 6,
      writeRatingsPerSecond: 2_000,
    });
    // Asked for, not made: the 24-hour rule's fallback says so.
    const skipped = capacityRecord(switched, onDemandPace);
    expect(skipped).toMatchObject({ mode: 'on-demand', chunkConcurrency: 2 });
    expect(skipped.switchSkipped).toMatch(/24 h/);
    expect(skipped).not.toHaveProperty('writeUnits');
    // Never asked for (on-demand, local): nothing skipped.
    expect(capacityRecord(load().capacity, onDemandPace)).toEqual({
      mode: 'on-demand',
      chunkConcurrency: 2,
      writeRatingsPerSecond: 2_000,
    });
  });
});

describe('the schedule with one ratings table (each rating written once)', () => {
  it('gives each writer its whole 2,000 rows/s: 12,000 WCU is 6 writers', () => {
    const schedule = ingestSchedule({
      ratingsBytes: 25_000_095 * 27,
      tableWriteUnits: 12_000,
      concurrency: 40,
      ratingsTables: 1,
    });
    // 450 s × 2,000 × 18 B = 16,200,000 B a chunk; ⌈675,002,565 / 16.2e6⌉ = 42.
    expect(schedule).toMatchObject({
      chunkConcurrency: 6,
      writeRatingsPerSecond: 2_000,
      chunkBytes: 16_200_000,
      chunks: 42,
    });
    expect(chunkWriteSeconds(2_000, 12_000, 6, 1)).toBe(1);
  });
});
