/**
 * The MovieLens ratings formats and the validation of one record. Pure string logic with no I/O, so
 * the streaming file reader and the ingestion Lambdas (which quarantine bad rows with a reason) share
 * exactly the same rules.
 */

/**
 * - `csv`: ratings.csv of ml-latest / 20m / 25m / 32m, `userId,movieId,rating,timestamp`, with a header.
 * - `tsv`: ml-100k `u.data` / `u1.base`, tab-separated `user item rating timestamp`, no header.
 * - `dat`: ml-1m / 10m `ratings.dat`, `UserID::MovieID::Rating::Timestamp`, no header.
 */
export const RATINGS_FORMATS = ['csv', 'tsv', 'dat'] as const;
export type RatingsFormat = (typeof RATINGS_FORMATS)[number];

export const FIELD_DELIMITER: Readonly<Record<RatingsFormat, string>> = {
  csv: ',',
  tsv: '\t',
  dat: '::',
};

/** Every reason a ratings record can be rejected for; stable strings, stored with quarantined rows. */
export const BAD_ROW_REASONS = [
  'wrong column count',
  'truncated last line',
  'non-numeric userId',
  'non-numeric movieId',
  'non-numeric rating',
  'non-numeric timestamp',
  'userId out of range',
  'movieId out of range',
  'rating out of scale',
  'rating not a half-star step',
  'timestamp out of range',
] as const;
export type BadRowReason = (typeof BAD_ROW_REASONS)[number];

/** MovieLens ratings are stars in half steps; every released data set stays inside this scale. */
export const MIN_RATING = 0.5;
export const MAX_RATING = 5;

export interface RatingRow {
  readonly kind: 'row';
  readonly userId: number;
  readonly movieId: number;
  readonly rating: number;
  /** Seconds since the epoch. */
  readonly timestamp: number;
  /** 1-based line number in the source. */
  readonly line: number;
}

export interface BadRatingRow {
  readonly kind: 'bad';
  readonly line: number;
  readonly reason: BadRowReason;
  readonly fields: readonly string[];
}

/** A csv header line; not data, not an error. */
export interface HeaderRow {
  readonly kind: 'header';
  readonly line: number;
}

export type ParsedRatingRecord = RatingRow | BadRatingRow | HeaderRow;

const COLUMN_COUNT = 4;
const MAX_ID = 0x7fffffff; // ids are stored in Int32Array columns

/**
 * Validates one record's fields. A ratings.csv header is recognised only on line 1 (ml-latest puts it
 * there; anywhere else it is a bad row). Spaces around a field are tolerated.
 */
export function parseRatingRecord(
  fields: readonly string[],
  format: RatingsFormat,
  lineNumber: number,
): ParsedRatingRecord {
  if (fields.length !== COLUMN_COUNT) return bad(lineNumber, 'wrong column count', fields);
  const userId = parseId(fields[0]!);
  if (userId < 0) {
    if (format === 'csv' && lineNumber === 1 && fields[0]!.trim().toLowerCase() === 'userid') {
      return { kind: 'header', line: lineNumber };
    }
    return bad(
      lineNumber,
      userId === NOT_A_NUMBER ? 'non-numeric userId' : 'userId out of range',
      fields,
    );
  }
  const movieId = parseId(fields[1]!);
  if (movieId < 0) {
    return bad(
      lineNumber,
      movieId === NOT_A_NUMBER ? 'non-numeric movieId' : 'movieId out of range',
      fields,
    );
  }
  const rating = parseRating(fields[2]!);
  if (Number.isNaN(rating)) return bad(lineNumber, 'non-numeric rating', fields);
  if (rating < MIN_RATING || rating > MAX_RATING) {
    return bad(lineNumber, 'rating out of scale', fields);
  }
  if (rating * 2 !== Math.round(rating * 2)) {
    return bad(lineNumber, 'rating not a half-star step', fields);
  }
  const timestamp = parseTimestamp(fields[3]!);
  if (timestamp < 0) {
    const reason = timestamp === NOT_A_NUMBER ? 'non-numeric timestamp' : 'timestamp out of range';
    return bad(lineNumber, reason, fields);
  }
  return { kind: 'row', userId, movieId, rating, timestamp, line: lineNumber };
}

const NOT_A_NUMBER = -1;
const OUT_OF_RANGE = -2;
// Plain decimal numbers, signed or fractional: "numeric" but possibly out of range for a field.
const NUMERIC = /^[-+]?(?:\d+\.?\d*|\.\d+)$/;

/**
 * The parsers below scan character codes instead of using regular expressions or Number(): this
 * runs once per field of files with tens of millions of rows, and Number() accepts forms MovieLens
 * never writes ("", "0x10", "1e3").
 */
function parseDigits(text: string, maxDigits: number): number {
  const length = text.length;
  if (length === 0 || length > maxDigits) return NOT_A_NUMBER;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NOT_A_NUMBER;
    value = value * 10 + digit;
  }
  return value;
}

/** MovieLens ids are positive integers; zero, negatives, fractions and overflow are out of range. */
function parseId(field: string): number {
  const value = parseDigits(field, 10);
  if (value !== NOT_A_NUMBER) return value >= 1 && value <= MAX_ID ? value : OUT_OF_RANGE;
  const text = field.trim();
  if (text !== field) return parseId(text);
  return NUMERIC.test(text) ? OUT_OF_RANGE : NOT_A_NUMBER;
}

/** Seconds since the epoch as a non-negative integer (15 digits stay exact in a double). */
function parseTimestamp(field: string): number {
  const value = parseDigits(field, 15);
  if (value !== NOT_A_NUMBER) return value;
  const text = field.trim();
  if (text !== field) return parseTimestamp(text);
  return NUMERIC.test(text) ? OUT_OF_RANGE : NOT_A_NUMBER;
}

/** The rating as a number, NaN when the field is not numeric. */
function parseRating(field: string): number {
  const point = field.indexOf('.');
  // Fast path for what MovieLens writes: "4", "4.0", "3.5".
  if (point < 0) {
    const whole = parseDigits(field, 3);
    if (whole !== NOT_A_NUMBER) return whole;
  } else if (point === field.length - 2) {
    const whole = parseDigits(field.slice(0, point), 3);
    const tenth = field.charCodeAt(point + 1) - 48;
    if (whole !== NOT_A_NUMBER && tenth >= 0 && tenth <= 9) return whole + tenth / 10;
  }
  // Anything else numeric ("-1", " 4.25 ") still gets a precise reason from the range checks.
  const text = field.trim();
  return NUMERIC.test(text) ? Number(text) : Number.NaN;
}

function bad(line: number, reason: BadRowReason, fields: readonly string[]): BadRatingRow {
  return { kind: 'bad', line, reason, fields };
}

/**
 * Recognises the format from the first non-blank line of a file (a BOM is ignored) by its delimiter.
 * Returns undefined for an empty sample or a line with none of the delimiters.
 */
export function detectRatingsFormat(sample: string): RatingsFormat | undefined {
  const text = sample.charCodeAt(0) === 0xfeff ? sample.slice(1) : sample;
  const firstLine = text.split(/\r?\n/).find((line) => line.trim() !== '');
  if (firstLine === undefined) return undefined;
  // Most specific first: '::' never occurs in the other formats, a comma could in a broken line.
  if (firstLine.includes('::')) return 'dat';
  if (firstLine.includes('\t')) return 'tsv';
  if (firstLine.includes(',')) return 'csv';
  return undefined;
}
