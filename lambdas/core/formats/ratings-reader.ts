import { parse, type Parser } from 'csv-parse';
import { Readable } from 'node:stream';
import { RatingsTableBuilder, type RatingsTable } from '../ratings.ts';
import { MovieLensFormatError } from './format-error.ts';
import {
  detectRatingsFormat,
  FIELD_DELIMITER,
  parseRatingRecord,
  type BadRatingRow,
  type RatingRow,
  type RatingsFormat,
} from './ratings-format.ts';

export interface ReadRatingsOptions {
  /** Shown in error messages (a path or an S3 key). */
  name?: string;
  /** Skips detection (e.g. for a byte-range chunk of a file whose format is already known). */
  format?: RatingsFormat;
  /**
   * Throw a {@link MovieLensFormatError} on the first bad row. Defaults to true unless `onBadRow` is
   * given: without a place to put bad rows, silently dropping them would hide a broken file.
   */
  strict?: boolean;
  /** Receives every rejected row, in line order, when not strict. */
  onBadRow?: (row: BadRatingRow) => void;
  /** Rows to preallocate when building a table (e.g. file size / 24). */
  expectedRows?: number;
}

/** Any byte or text stream: a Node Readable (fs, an S3 Body) or an async iterable of chunks. */
export type RatingsSource = AsyncIterable<Uint8Array | string>;

/**
 * Streams the valid rows of a ratings file in any MovieLens format (detected from the first line).
 * Handles a BOM, CRLF / LF / CR line ends (mixed too), blank lines and a last line without a newline;
 * a last line cut off mid-record is reported as 'truncated last line'.
 */
export async function* readRatings(
  source: RatingsSource,
  options: ReadRatingsOptions = {},
): AsyncGenerator<RatingRow> {
  const name = options.name ?? 'ratings';
  const opened = await openSource(source, name, options.format);
  if (opened === undefined) return;
  const sifter = new RecordSifter(name, opened.format, options);
  // The generator's own finally closes the source (e.g. a file descriptor) when the caller stops
  // iterating early.
  for await (const batch of fieldBatches(opened, name, sifter)) {
    for (const fields of batch) {
      const row = sifter.accept(fields);
      if (row !== undefined) yield row;
    }
  }
  sifter.finish(opened.tail.endsWithNewline);
}

/** Reads a whole ratings stream into a column table. */
export async function readRatingsTable(
  source: RatingsSource,
  options: ReadRatingsOptions = {},
): Promise<RatingsTable> {
  const name = options.name ?? 'ratings';
  const builder = new RatingsTableBuilder(options.expectedRows);
  const opened = await openSource(source, name, options.format);
  if (opened === undefined) return builder.finish();
  const sifter = new RecordSifter(name, opened.format, options);
  for await (const batch of fieldBatches(opened, name, sifter)) {
    for (const fields of batch) {
      const row = sifter.accept(fields);
      if (row !== undefined) builder.push(row.userId, row.movieId, row.rating, row.timestamp);
    }
  }
  sifter.finish(opened.tail.endsWithNewline);
  return builder.finish();
}

/**
 * The parsed records of a source, in the batches the parser has ready at each wake-up: drained
 * synchronously between awaits, so a caller pays one promise per batch (~a 64 KiB chunk), not per
 * row, which would cost more than parsing it. Parser errors come out as MovieLensFormatError with
 * the line (`wrapParserError`); the source and the parser are closed however iteration ends.
 */
async function* fieldBatches(
  opened: OpenedSource,
  name: string,
  sifter: RecordSifter,
): AsyncGenerator<string[][]> {
  const { input, parser } = createFieldParser(opened);
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const signal = () => wake?.();
  parser.on('readable', signal);
  parser.on('end', () => {
    ended = true;
    signal();
  });
  parser.on('error', (error) => {
    failure ??= error;
    signal();
  });
  try {
    for (;;) {
      const batch: string[][] = [];
      for (let fields: string[] | null; (fields = parser.read()) !== null;) batch.push(fields);
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      if (failure !== undefined) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } catch (error) {
    throw wrapParserError(error, name, sifter.line);
  } finally {
    input.destroy();
    parser.destroy();
  }
}

function createFieldParser(opened: OpenedSource): { input: Readable; parser: Parser } {
  const parser = parse({
    delimiter: FIELD_DELIMITER[opened.format],
    bom: true,
    // No MovieLens ratings format quotes fields. Treating '"' as data gives a clear 'non-numeric'
    // row instead of a quoting state that swallows the lines after it, and it guarantees one record
    // per line, so the sifter's record count is the line number (cheaper than csv-parse's info).
    quote: null,
    // Listed rather than auto-detected: detection fixes one delimiter from the first line, which
    // breaks on files concatenated from sources with different line ends.
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    // Blank lines arrive as [''] and the sifter skips them, so that they still count as lines.
    skip_empty_lines: false,
  });
  const input = Readable.from(opened.chunks, { objectMode: false });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  return { input, parser };
}

function wrapParserError(error: unknown, name: string, linesDone: number): unknown {
  if (error instanceof MovieLensFormatError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('CSV_')) {
    const reason =
      code === 'CSV_MAX_RECORD_SIZE'
        ? 'line too long (is this a ratings file?)'
        : (error as Error).message;
    return new MovieLensFormatError(name, linesDone + 1, reason);
  }
  return error;
}

/**
 * Turns field arrays into rows: counts lines, skips blank lines and the header, and applies the
 * strict / onBadRow policy. A bad row is held back by one line so that the last line of the input
 * can be reported as truncated when the input does not end with a newline.
 */
class RecordSifter {
  line = 0;
  private pending: BadRatingRow | undefined;
  private readonly strict: boolean;

  constructor(
    private readonly name: string,
    private readonly format: RatingsFormat,
    private readonly options: ReadRatingsOptions,
  ) {
    this.strict = options.strict ?? options.onBadRow === undefined;
  }

  accept(fields: string[]): RatingRow | undefined {
    const line = ++this.line;
    if (this.pending !== undefined) {
      const pending = this.pending;
      this.pending = undefined;
      this.report(pending);
    }
    if (fields.length === 1 && fields[0]!.trim() === '') return undefined;
    const record = parseRatingRecord(fields, this.format, line);
    if (record.kind === 'row') return record;
    if (record.kind === 'bad') this.pending = record;
    return undefined;
  }

  finish(endsWithNewline: boolean): void {
    if (this.pending === undefined) return;
    const last = this.pending;
    this.pending = undefined;
    this.report(endsWithNewline ? last : { ...last, reason: 'truncated last line' });
  }

  private report(row: BadRatingRow): void {
    if (this.strict) throw new MovieLensFormatError(this.name, row.line, row.reason);
    this.options.onBadRow?.(row);
  }
}

interface OpenedSource {
  format: RatingsFormat;
  chunks: AsyncIterable<Uint8Array | string>;
  tail: { endsWithNewline: boolean };
}

// Enough for any first line; a source with no line break in its first MiB is not a ratings file.
const SNIFF_LIMIT = 1 << 20;

/**
 * Reads just enough of the stream to see the first non-blank line, detects the format, and hands back
 * chunks that replay those bytes first. Undefined for an empty or blank input.
 */
async function openSource(
  source: RatingsSource,
  name: string,
  forced: RatingsFormat | undefined,
): Promise<OpenedSource | undefined> {
  const iterator = source[Symbol.asyncIterator]();
  const head: (Uint8Array | string)[] = [];
  // Streaming decode: a chunk may end inside a multi-byte character (a BOM, an accented letter).
  const decoder = new TextDecoder('utf-8');
  let sample = '';
  let exhausted = false;
  while (!/\S[^\n]*\n/.test(sample) && sample.length < SNIFF_LIMIT) {
    const next = await iterator.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    head.push(next.value);
    sample +=
      typeof next.value === 'string' ? next.value : decoder.decode(next.value, { stream: true });
  }
  if (sample.replace(/^\uFEFF/, '').trim() === '') {
    await iterator.return?.();
    return undefined;
  }
  const format = forced ?? detectRatingsFormat(sample);
  if (format === undefined) {
    await iterator.return?.();
    throw new MovieLensFormatError(name, 1, 'not a MovieLens ratings file (no ",", tab or "::")');
  }
  const tail = { endsWithNewline: true };
  const track = (chunk: Uint8Array | string): Uint8Array | string => {
    if (chunk.length > 0) {
      const last =
        typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1]!;
      tail.endsWithNewline = last === 0x0a || last === 0x0d;
    }
    return chunk;
  };
  async function* replay(): AsyncGenerator<Uint8Array | string> {
    try {
      for (const chunk of head) yield track(chunk);
      if (exhausted) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        yield track(next.value);
      }
    } finally {
      await iterator.return?.();
    }
  }
  return { format, chunks: replay(), tail };
}
