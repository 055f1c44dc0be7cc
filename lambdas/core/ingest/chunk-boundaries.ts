/**
 * Splitting a ratings file into byte ranges that Lambdas read in parallel. Ranges start at line
 * starts, so no record is cut in two and no chunk needs its neighbour. Only '\n' ends a line here:
 * it also ends a "\r\n" pair (a boundary never falls between the two) and is never inside a UTF-8
 * multi-byte character.
 */

export interface ByteRange {
  readonly start: number;
  readonly endInclusive: number;
}

export interface ChunkSpec extends ByteRange {
  /** 0-based position in the file; names the quarantine file and orders line numbers. */
  readonly index: number;
}

/** Bytes read around each nominal boundary to find the next line start. */
export const BOUNDARY_WINDOW_BYTES = 64 * 1024;
export const MIN_CHUNK_BYTES = 64 * 1024;
export const MAX_CHUNK_BYTES = 256 * 1024 * 1024;
/**
 * The Map's results (one small object per chunk, ~300 bytes) travel inline to the later states, under
 * Step Functions' 256 KB payload quota: this many chunks keeps them well below it.
 */
export const MAX_CHUNKS = 400;

const DEFAULT_TARGET_CHUNKS = 8;
const DEFAULT_MAX_CHUNK_BYTES = 32 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Chunk size when the caller gives none: about eight chunks (so a small file still shows
 * parallelism), at least 256 KiB, at most 32 MiB (a chunk must fit one Lambda's time and memory).
 */
export function defaultChunkBytes(fileBytes: number): number {
  const even = Math.ceil(fileBytes / DEFAULT_TARGET_CHUNKS);
  return Math.min(DEFAULT_MAX_CHUNK_BYTES, Math.max(256 * 1024, even));
}

/**
 * Chunk size for `recsys ingest` on one machine: one chunk per worker thread, within the default's
 * bounds (never smaller than it, never over 32 MiB). A local worker is not a Lambda: every extra
 * chunk only adds a read, a parse and a drain of its writes, and cuts users that straddle a
 * boundary into two smaller batches (docs/ingestion.md, "Local ingest").
 */
export function localChunkBytes(fileBytes: number, workers: number): number {
  const perWorker = Math.ceil(fileBytes / Math.max(1, workers));
  return Math.max(defaultChunkBytes(fileBytes), Math.min(DEFAULT_MAX_CHUNK_BYTES, perWorker));
}

export function checkChunkBytes(chunkBytes: number, fileBytes: number): void {
  if (!Number.isInteger(chunkBytes) || chunkBytes < MIN_CHUNK_BYTES) {
    throw new RangeError(`chunk size must be an integer of at least ${MIN_CHUNK_BYTES} bytes`);
  }
  if (chunkBytes > MAX_CHUNK_BYTES) {
    throw new RangeError(`chunk size must be at most ${MAX_CHUNK_BYTES} bytes`);
  }
  if (Math.ceil(fileBytes / chunkBytes) > MAX_CHUNKS) {
    throw new RangeError(
      `${fileBytes} bytes in chunks of ${chunkBytes} would make more than ${MAX_CHUNKS} chunks`,
    );
  }
}

/** Multiples of the chunk size inside the file: where chunks would start if lines didn't matter. */
export function nominalBoundaries(fileBytes: number, chunkBytes: number): number[] {
  const boundaries: number[] = [];
  for (let b = chunkBytes; b < fileBytes; b += chunkBytes) boundaries.push(b);
  return boundaries;
}

/**
 * The range to read for one nominal boundary. It starts one byte early: if that byte is a newline,
 * the nominal boundary already is a line start.
 */
export function boundaryWindow(
  nominal: number,
  fileBytes: number,
  windowBytes = BOUNDARY_WINDOW_BYTES,
): ByteRange {
  const start = nominal - 1;
  return { start, endInclusive: Math.min(fileBytes - 1, start + windowBytes - 1) };
}

/**
 * The first line start at or after the nominal boundary, given the window's bytes; undefined when
 * the window holds no newline (a line longer than the window: the boundary is dropped and the two
 * chunks merge).
 */
export function lineStartInWindow(window: Uint8Array, windowStart: number): number | undefined {
  const newline = window.indexOf(NEWLINE);
  return newline < 0 ? undefined : windowStart + newline + 1;
}

/** Chunks from aligned boundaries (unsorted, duplicates and undefined allowed). */
export function chunksFromBoundaries(
  fileBytes: number,
  boundaries: readonly (number | undefined)[],
): ChunkSpec[] {
  if (fileBytes <= 0) return [];
  const starts = [
    0,
    ...new Set(boundaries.filter((b): b is number => b !== undefined && b > 0 && b < fileBytes)),
  ].sort((a, b) => a - b);
  return starts.map((start, index) => ({
    index,
    start,
    endInclusive: (starts[index + 1] ?? fileBytes) - 1,
  }));
}
