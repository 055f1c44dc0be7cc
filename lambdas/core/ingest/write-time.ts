/**
 * Cassandra keeps, per cell, the write with the highest write time ("last write wins"). Ingestion
 * writes every rating with a write time that grows with the rating's own timestamp, so a duplicate
 * (user, movie) pair keeps its LATEST rating whichever chunk writes first, and a re-run chunk writes
 * the very same cells again (no change).
 *
 * The rating timestamp cannot be the write time itself: Amazon Keyspaces accepts client-side
 * timestamps only between 2 days in the past and 5 minutes in the future. So ratings are mapped,
 * order-preserving, into a window that ends an hour before the ingestion started:
 *
 *   writeTime = base + timestampSeconds × MICROS_PER_RATING_SECOND,  base = start − 25 h
 *
 * With 40 µs per rating second, timestamps up to 2^31 s (the year 2038) span 23.9 h, so every write
 * time lies in [start − 25 h, start − 1.1 h]: inside Keyspaces' window for 22 hours after the start.
 * A later ingestion gets a later base, so re-ingesting a data set a day later overwrites it.
 */

export const MICROS_PER_RATING_SECOND = 40;

/** Ratings stamped at or after this (2038-01-19) would leave the write-time window. */
export const MAX_RATING_TIMESTAMP_EXCLUSIVE = 2 ** 31;

const HOUR_MICROS = 3_600_000_000;
const WINDOW_START_BEFORE_START_MICROS = 25 * HOUR_MICROS;

/** The base of one ingestion's write times, from its start in epoch milliseconds. */
export function writeTimeBase(startedAtMs: number): number {
  return Math.floor(startedAtMs) * 1000 - WINDOW_START_BEFORE_START_MICROS;
}

/** The write time (epoch µs) of a rating; exact in a double (< 2^53). */
export function ratingWriteTime(baseMicros: number, timestampSeconds: number): number {
  if (timestampSeconds < 0 || timestampSeconds >= MAX_RATING_TIMESTAMP_EXCLUSIVE) {
    throw new RangeError(`rating timestamp ${timestampSeconds} is outside [0, 2^31)`);
  }
  return baseMicros + timestampSeconds * MICROS_PER_RATING_SECOND;
}

/**
 * The write time (epoch µs) of a rating, deletion or marker written at run time by the API: the
 * moment it arrived. Every write time of an ingestion that started at S lies at or before
 * S − 1.1 h, so a run-time write at W wins over every ingestion started before W + 1.1 h — in
 * practice over the data set it was served from — and a later run-time write of the same
 * (user, movie) wins over an earlier one. Re-ingesting a data set more than an hour later replaces
 * run-time ratings of the pairs the file holds, as a re-ingest replaces everything else. It is
 * also inside Keyspaces' client-side timestamp window by construction.
 */
export function liveWriteTime(nowMs: number): number {
  return Math.floor(nowMs) * 1000;
}

/**
 * Strictly increasing run-time write times for one process: {@link liveWriteTime}, moved up by a
 * microsecond when a second write arrives within the same millisecond. Cassandra breaks a tie of
 * write times by comparing the values (and a deletion beats an upsert), so two writes of the same
 * rating a moment apart must not share one, or the later could lose. Writes from different
 * containers within the same millisecond remain ordered by the cell values, as in any
 * last-write-wins store.
 */
export function liveWriteClock(): (nowMs: number) => number {
  let last = 0;
  return (nowMs) => (last = Math.max(liveWriteTime(nowMs), last + 1));
}
