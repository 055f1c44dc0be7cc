/**
 * How long an ingest takes and how many Lambdas it runs, for a data set and the rate each ratings
 * table takes: the chunk Map as ingestion schedules it (write-budget.ts: chunk size, writers at
 * once, their pace, every ratings table filled side by side), then Catalogue (movies, tags) and Aggregate
 * (a scan of every rating, the per-user and per-movie statistics). No prices: the cost model
 * (lambdas/core/cost/ingest.ts) prices what this sizes, as it prices core/train/task-sizing.ts.
 */
import {
  CHUNK_TIMEOUT_SECONDS,
  TABLE_WRITE_UNITS_QUOTA,
  TYPICAL_BYTES_PER_RATING,
  chunkWriteSeconds,
  ingestSchedule,
} from './write-budget.ts';

export interface IngestWorkload {
  readonly ratings: number;
  readonly users: number;
  readonly movies: number;
  /** Tag applications (tags.csv lines) the Catalogue step writes; 0 when not given. */
  readonly tags?: number;
  /** Lambdas at once (the stack's concurrency). */
  readonly concurrency: number;
  /** Write units/s each ratings table takes: its on-demand rate, or the WCU it is provisioned. */
  readonly tableWriteUnits: number;
  /** Ratings tables the chunks fill side by side (RATINGS_TABLES.length unless pricing a design). */
  readonly ratingsTables: number;
  /**
   * Seconds one capacity switch takes when the ingest raises the tables to provisioned capacity
   * (statemachines/ingest.asl.json), 0 on-demand: the raise is waited for, the switch back is not.
   */
  readonly capacitySwitchSeconds: number;
}

/** The assumed rates sizing reads (lambdas/core/cost/assumptions.ts prints them, with why). */
export interface IngestSizingAssumptions {
  readonly invokeOverheadSeconds: number;
  readonly s3BytesPerSecond: number;
  readonly catalogueRowsPerSecond: number;
  readonly scanRatingsPerSecondPerLambda: number;
  readonly mapOverheadSeconds: number;
}

export interface IngestRunSizing {
  readonly chunks: number;
  readonly chunkConcurrency: number;
  /** Seconds of one chunk Lambda: its invocation, its byte range from S3, its paced writes. */
  readonly chunkSeconds: number;
  /** Seconds of the chunk Map (the ratings writes). */
  readonly writeSeconds: number;
  readonly catalogueSeconds: number;
  readonly aggregateSeconds: number;
  /** The whole state machine: the raise, the Map, Catalogue, Aggregate, Validate, Plan, Finish. */
  readonly wallSeconds: number;
  /** From the raise to the end of the switch back (the chunk Map between two switches); 0 on-demand. */
  readonly provisionedSeconds: number;
  /** Why the stack would refuse or fail this ingest; empty when it runs. */
  readonly refusals: string[];
}

/**
 * Paced writers wait for their share of the tables' rate, and the wait is Lambda time too (the
 * cost model bills it).
 */
export function sizeIngestRun(input: IngestWorkload, a: IngestSizingAssumptions): IngestRunSizing {
  const ratingsBytes = input.ratings * TYPICAL_BYTES_PER_RATING;
  const schedule = ingestSchedule({
    ratingsBytes,
    tableWriteUnits: input.tableWriteUnits,
    concurrency: input.concurrency,
    ratingsTables: input.ratingsTables,
  });
  const { chunks, chunkConcurrency } = schedule;
  const refusals = schedule.refusal ? [schedule.refusal] : [];
  const s3 = (bytes: number) => bytes / a.s3BytesPerSecond;
  // Every chunk of a wave starts together and writes at the same pace, so the Map takes whole
  // waves of the average chunk.
  const chunkSeconds =
    a.invokeOverheadSeconds +
    s3(ratingsBytes / chunks) +
    chunkWriteSeconds(
      input.ratings / chunks,
      input.tableWriteUnits,
      chunkConcurrency,
      input.ratingsTables,
    );
  const writeSeconds = Math.ceil(chunks / chunkConcurrency) * chunkSeconds;
  const tags = input.tags ?? 0;
  // Catalogue and Aggregate write rows into new on-demand tables; Aggregate scans every rating.
  const catalogueSeconds =
    a.invokeOverheadSeconds + (input.movies + tags) / a.catalogueRowsPerSecond;
  const aggregateSeconds =
    a.invokeOverheadSeconds +
    input.ratings / a.scanRatingsPerSecondPerLambda +
    (input.users + input.movies) / a.catalogueRowsPerSecond;
  for (const [step, seconds] of [
    ['Catalogue', catalogueSeconds],
    ['Aggregate', aggregateSeconds],
  ] as const) {
    if (seconds > CHUNK_TIMEOUT_SECONDS) {
      refusals.push(
        `${step} runs in one Lambda and would need ${Math.round(seconds)} s, over its ${CHUNK_TIMEOUT_SECONDS} s timeout`,
      );
    }
  }
  if (input.tableWriteUnits > TABLE_WRITE_UNITS_QUOTA) {
    refusals.push(
      `${input.tableWriteUnits} write units/s per table is above the default per-table quota of ` +
        `${TABLE_WRITE_UNITS_QUOTA}: raise it in Service Quotas first`,
    );
  }
  const switchSeconds = input.capacitySwitchSeconds;
  // Validate, Plan, Finish: one invocation each; the raise is waited for, the switch back is not.
  const wallSeconds =
    switchSeconds +
    a.mapOverheadSeconds +
    writeSeconds +
    catalogueSeconds +
    aggregateSeconds +
    3 * a.invokeOverheadSeconds;
  const provisionedSeconds =
    switchSeconds > 0 ? 2 * switchSeconds + a.mapOverheadSeconds + writeSeconds : 0;
  return {
    chunks,
    chunkConcurrency,
    chunkSeconds,
    writeSeconds,
    catalogueSeconds,
    aggregateSeconds,
    wallSeconds,
    provisionedSeconds,
    refusals,
  };
}
