import { MAX_CHUNKS, defaultChunkBytes } from './chunk-boundaries.ts';

/**
 * How fast ingestion and training may write to Amazon Keyspaces, and the chunk sizes and Map
 * concurrency that follow from it. The one place these rates live: the stack (warm throughput of
 * the ratings tables), the Validate step (chunk size, chunks in flight, the pace of each chunk
 * writer), the other bulk writers (catalogue, aggregate statistics, top-N and similar-movie lists:
 * {@link writerPace}) and the cost model all read them from here.
 *
 * Sources: Keyspaces developer guide, "Pre-warm a new table for on-demand capacity mode" (a new
 * on-demand table sustains up to 4,000 writes/s until it has grown or been pre-warmed) and "Quotas"
 * (40,000 write units/s per table by default, adjustable in Service Quotas); "Partition key design"
 * (up to 1,000 WCU/s into one partition).
 */

/** Write request units per second a new on-demand table sustains until it grows or is pre-warmed. */
export const NEW_TABLE_WRITE_UNITS_PER_SECOND = 4_000;
/** The default per-table throughput quota: the most a table can be pre-warmed to without a raise. */
export const TABLE_WRITE_UNITS_QUOTA = 40_000;
/**
 * Write units per second Keyspaces lets one partition take, whatever the table's rate (1,000
 * WCU/s, "Partition key design"): a bulk writer that puts many rows into one partition (a movie's tags)
 * keeps each partition to this as well as the table to its share.
 */
export const PARTITION_WRITE_UNITS_PER_SECOND = 1_000;
/**
 * Write units per second each of the other tables (movies, tags, users, the stored lists) sustains:
 * they are on-demand and never pre-warmed (only the ratings tables are), so a new table's rate.
 */
export const BULK_TABLE_WRITE_UNITS_PER_SECOND = NEW_TABLE_WRITE_UNITS_PER_SECOND;
/** One write request unit covers a row of up to this many bytes. */
export const WRITE_UNIT_BYTES = 1_024;
/**
 * Bytes of a stored list row besides its entries: Keyspaces' 100 bytes of row metadata plus the
 * key (a model id of up to 100 characters and an int), an upper bound ("Estimate row size").
 */
export const RANKED_LIST_ROW_OVERHEAD_BYTES = 210;
/** Bytes per list entry: an int in `movie_ids` and a float in `scores`. */
export const RANKED_LIST_ENTRY_BYTES = 8;

/** Write units one stored list row of `entries` movies takes (top-N: 50 → 1; 200 → 2). */
export function rankedListWriteUnits(entries: number): number {
  return Math.max(
    1,
    Math.ceil(
      (RANKED_LIST_ROW_OVERHEAD_BYTES + RANKED_LIST_ENTRY_BYTES * entries) / WRITE_UNIT_BYTES,
    ),
  );
}

/** How fast one bulk writer may write: its share of a table, and of any one partition. */
export interface WriterPace {
  /** Write units per second into the table. */
  readonly tableWriteUnits: number;
  /** Write units per second into any one partition (each written by this writer alone). */
  readonly partitionWriteUnits: number;
}

/**
 * The pace of each of `writers` writers that write one table at once, each its own partitions:
 * an equal share of the table's rate (as Validate gives each chunk writer), and no partition past
 * {@link PARTITION_WRITE_UNITS_PER_SECOND}. Together they never ask the table for more than
 * `tableWriteUnits`.
 */
export function writerPace(tableWriteUnits: number, writers: number): WriterPace {
  if (!(Number.isInteger(tableWriteUnits) && tableWriteUnits >= 1)) {
    throw new RangeError(`table write units must be a positive integer, got ${tableWriteUnits}`);
  }
  if (!(Number.isInteger(writers) && writers >= 1)) {
    throw new RangeError(`writers must be a positive integer, got ${writers}`);
  }
  const share = Math.max(1, Math.floor(tableWriteUnits / writers));
  return {
    tableWriteUnits: share,
    partitionWriteUnits: Math.min(share, PARTITION_WRITE_UNITS_PER_SECOND),
  };
}

/**
 * The tables every rating is written to, one row (< 1 KB, so 1 WRU) in each: ratings_by_user only.
 * Who rated a movie comes from the model's raters index, built by training from its own by-movie
 * blocks, so ingestion writes each rating once (docs/cost-model.md, "Ingestion").
 */
export const RATINGS_TABLES = ['ratings_by_user'] as const;
export const WRITE_UNITS_PER_RATING_PER_TABLE = 1;
/**
 * Rows per second one chunk Lambda is assumed to write in all (~16 batches in flight at ~8 ms a
 * Keyspaces write). Not measured on AWS; the chunk writers are paced to at most their share of the
 * table rate, so a faster writer only idles.
 */
export const CHUNK_WRITER_ROWS_PER_SECOND = 2_000;
/**
 * Ratings per second one chunk Lambda writes into each ratings table: its rows spread evenly over
 * the tables it fills at once (one table now, so all of them).
 */
export const CHUNK_WRITER_RATINGS_PER_SECOND = CHUNK_WRITER_ROWS_PER_SECOND / RATINGS_TABLES.length;
/** The chunk Lambda's timeout (and the IngestChunk Task's TimeoutSeconds). */
export const CHUNK_TIMEOUT_SECONDS = 900;
/**
 * A chunk's writes must fit in this share of its timeout; the rest is for the S3 read, parsing,
 * retries of throttled batches and a cold start.
 */
export const CHUNK_WRITE_BUDGET_SECONDS = CHUNK_TIMEOUT_SECONDS / 2;
/** The ingest state machine's top-level TimeoutSeconds (statemachines/ingest.asl.json). */
export const INGEST_TIMEOUT_SECONDS = 6 * 3600;
/**
 * Fewest bytes a MovieLens ratings line takes ("1,1,5.0,964982703\n" is 18; u.data and ratings.dat
 * lines are longer): chunk sizes assume this, so a chunk never holds more ratings than budgeted.
 */
export const MIN_BYTES_PER_RATING = 18;
/** A typical line (ml-25m's ratings.csv averages 27 bytes): what the time estimates use. */
export const TYPICAL_BYTES_PER_RATING = 27;

export class IngestBudgetError extends Error {
  override readonly name = 'IngestBudgetError';
}

/**
 * How the ratings table is billed during a load. `on-demand`: per write request unit, at the rate
 * the table sustains (4,000 WRU/s new, more once pre-warmed to `ingestWriteUnits`). `provisioned`:
 * the ingest state machine itself switches the ratings table to provisioned capacity
 * (`ingestWriteUnits` WCU) before its chunk Map and back to on-demand after it, also when the
 * load fails (statemachines/ingest.asl.json), billed per WCU-hour whatever is written; where
 * Keyspaces' 24-hour rule would not let the table return to on-demand, the load stays on-demand
 * ({@link capacitySwitchLegalBefore}).
 */
export type IngestCapacity = 'on-demand' | 'provisioned';
export const INGEST_CAPACITIES: readonly IngestCapacity[] = ['on-demand', 'provisioned'];

/**
 * Read capacity of each ratings table while it is provisioned for a load. ratings_by_user: the
 * Aggregate step scans every rating at LOCAL_QUORUM (~40 bytes a rating, 1 RCU per 4 KB) right after
 * the switch back to on-demand, which takes minutes during which the table keeps its provisioned
 * rates: 500 RCU carry ~51,000 ratings/s, the scan rate the cost model assumes for one Lambda.
 */
export const PROVISIONED_LOAD_READ_UNITS: Readonly<
  Record<(typeof RATINGS_TABLES)[number], number>
> = { ratings_by_user: 500 };

export interface IngestScheduleInput {
  readonly ratingsBytes: number;
  /** Write units per second each ratings table sustains (its warm throughput, or its WCU). */
  readonly tableWriteUnits: number;
  /** The most chunk Lambdas at once the deployment allows (`concurrency`). */
  readonly concurrency: number;
  /** A smaller chunk size asked for explicitly (tests, `recsys ingest --chunk-bytes`). */
  readonly chunkBytes?: number;
  /**
   * Tables each rating is written to ({@link RATINGS_TABLES} unless asked): a chunk writer splits
   * its {@link CHUNK_WRITER_ROWS_PER_SECOND} among them. The cost model prices other designs with it.
   */
  readonly ratingsTables?: number;
}

export interface IngestSchedule {
  readonly chunkBytes: number;
  readonly chunks: number;
  /** Chunk Lambdas at once: the ingest Map's MaxConcurrency. */
  readonly chunkConcurrency: number;
  /** The pace of each chunk writer, in ratings per second into each ratings table. */
  readonly writeRatingsPerSecond: number;
  /** Worst case for one full chunk of the shortest lines. */
  readonly chunkWriteSeconds: number;
  /** Estimated wall time of the chunk writes for typical lines. */
  readonly ingestSeconds: number;
}

/** Ratings per second one chunk writer puts into each of `tables` tables at its own pace. */
export function writerRatingsPerSecond(tables: number = RATINGS_TABLES.length): number {
  if (!(Number.isInteger(tables) && tables >= 1)) {
    throw new RangeError(`ratings tables must be a positive integer, got ${tables}`);
  }
  return CHUNK_WRITER_ROWS_PER_SECOND / tables;
}

/** Ratings per second one chunk actually achieves when `inFlight` chunks share a table's rate. */
function ratingsPerSecond(tableWriteUnits: number, inFlight: number, tables?: number): number {
  return Math.min(
    writerRatingsPerSecond(tables),
    tableWriteUnits / WRITE_UNITS_PER_RATING_PER_TABLE / inFlight,
  );
}

/**
 * Seconds one chunk of `ratings` spends writing when `inFlight` chunks share the ratings table: at
 * its share of the table's rate, or its own pace if that is lower.
 */
export function chunkWriteSeconds(
  ratings: number,
  tableWriteUnits: number,
  inFlight: number,
  tables?: number,
): number {
  return ratings / ratingsPerSecond(tableWriteUnits, inFlight, tables);
}

/**
 * The schedule {@link planIngestSchedule} would run, and why it would refuse it (`refusal`), without
 * throwing: what the cost model prices (a refused setting is still worth a figure, with its reason).
 */
export function ingestSchedule(
  input: IngestScheduleInput,
): IngestSchedule & { readonly refusal?: string } {
  const { ratingsBytes, tableWriteUnits, concurrency, ratingsTables: tables } = input;
  const writerRate = writerRatingsPerSecond(tables);
  if (!(Number.isInteger(tableWriteUnits) && tableWriteUnits >= 1)) {
    throw new RangeError(`table write units must be a positive integer, got ${tableWriteUnits}`);
  }
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  // As many writers as it takes to reach the table's rate, and no more: more would only split the
  // same rate thinner (smaller chunks, more invocations, more of the account's concurrency).
  const chunkConcurrency = Math.max(
    1,
    Math.min(
      concurrency,
      Math.floor(tableWriteUnits / WRITE_UNITS_PER_RATING_PER_TABLE / writerRate),
    ),
  );
  const rate = ratingsPerSecond(tableWriteUnits, chunkConcurrency, tables);
  const budgetRatings = Math.floor(CHUNK_WRITE_BUDGET_SECONDS * rate);
  const chunkBytes = Math.min(
    input.chunkBytes ?? defaultChunkBytes(ratingsBytes),
    budgetRatings * MIN_BYTES_PER_RATING,
  );
  const chunks = Math.max(1, Math.ceil(ratingsBytes / chunkBytes));
  const typicalRatings = ratingsBytes / TYPICAL_BYTES_PER_RATING;
  const ingestSeconds = typicalRatings / (rate * chunkConcurrency);
  let refusal: string | undefined;
  if (chunks > MAX_CHUNKS) {
    refusal =
      `${ratingsBytes} bytes of ratings at ${tableWriteUnits} write units/s per table need ` +
      `${chunks} chunks of at most ${chunkBytes} bytes (the limit is ${MAX_CHUNKS}): ` +
      (rate < writerRate
        ? 'pre-warm the ratings table (cdk deploy -c ingestWriteUnits=…)'
        : `a chunk holds what one writer writes in ${CHUNK_WRITE_BUDGET_SECONDS} s at its own ` +
          `pace, whatever -c ingestWriteUnits is, so one ingestion takes at most ` +
          `${MAX_CHUNKS * chunkBytes} bytes of ratings`);
  } else if (ingestSeconds > INGEST_TIMEOUT_SECONDS * 0.8) {
    refusal =
      `${ratingsBytes} bytes of ratings at ${tableWriteUnits} write units/s per table take up to ` +
      `${Math.round(ingestSeconds / 60)} min to write, too close to the ingest state ` +
      `machine's ${INGEST_TIMEOUT_SECONDS / 3600} h: pre-warm the ratings tables ` +
      '(cdk deploy -c ingestWriteUnits=…)';
  }
  return {
    chunkBytes,
    chunks,
    chunkConcurrency,
    // Each writer's share of the table, so that together they stay within its rate.
    writeRatingsPerSecond: Math.floor(
      tableWriteUnits / WRITE_UNITS_PER_RATING_PER_TABLE / chunkConcurrency,
    ),
    chunkWriteSeconds: chunkWriteSeconds(
      Math.floor(chunkBytes / MIN_BYTES_PER_RATING),
      tableWriteUnits,
      chunkConcurrency,
      tables,
    ),
    ingestSeconds,
    ...(refusal ? { refusal } : {}),
  };
}

/**
 * Chunk size, chunks in flight and writer pace for a ratings file at a table write rate, such that
 * every chunk's writes fit {@link CHUNK_WRITE_BUDGET_SECONDS} and the chunk writers together never
 * ask a table for more than its rate. Refuses (IngestBudgetError, with what to change) a file that
 * would need more than MAX_CHUNKS chunks or more time than the state machine allows.
 */
export function planIngestSchedule(input: IngestScheduleInput): IngestSchedule {
  const { refusal, ...schedule } = ingestSchedule(input);
  if (refusal) throw new IngestBudgetError(refusal);
  return schedule;
}
