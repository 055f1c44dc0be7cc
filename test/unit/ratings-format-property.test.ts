import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MovieLensFormatError } from '../../lambdas/core/formats/format-error.ts';
import {
  BAD_ROW_REASONS,
  FIELD_DELIMITER,
  RATINGS_FORMATS,
  type BadRowReason,
  type RatingsFormat,
} from '../../lambdas/core/formats/ratings-format.ts';
import { readRatings } from '../../lambdas/core/formats/ratings-reader.ts';

/**
 * Property tests of the ratings reader: generated files in every MovieLens format, with every line
 * end, split into arbitrary chunks, with corrupted rows mixed in. Seeded (RECSYS_FC_SEED overrides)
 * so a failure reproduces; fast-check prints the shrunk counter-example.
 */
const SEED = Number(process.env.RECSYS_FC_SEED ?? 20261126);
const RUNS = Number(process.env.RECSYS_FC_RUNS ?? 200);

type Row = [userId: number, movieId: number, rating: number, timestamp: number];

const id = fc.integer({ min: 1, max: 0x7fffffff });
const row: fc.Arbitrary<Row> = fc.tuple(
  id,
  id,
  fc.integer({ min: 1, max: 10 }).map((halfStars) => halfStars / 2),
  fc.integer({ min: 0, max: 2 ** 31 - 1 }),
);
const lineEnd = fc.constantFrom('\n', '\r\n', '\r');

/** How a valid row may be written: "4" or "4.0" for whole stars (MovieLens writes both). */
function formatRow(r: Row, format: RatingsFormat, wholeAsDecimal: boolean): string {
  const rating = Number.isInteger(r[2]) && wholeAsDecimal ? r[2].toFixed(1) : String(r[2]);
  return [r[0], r[1], rating, r[3]].join(FIELD_DELIMITER[format]);
}

/** Mutations that always break a row, each with the reason the reader must give. */
type Corruption = (fields: string[]) => { fields: string[]; reason: BadRowReason };
const CORRUPTIONS: Record<string, Corruption> = {
  dropField: (f) => ({ fields: f.slice(0, 3), reason: 'wrong column count' }),
  extraField: (f) => ({ fields: [...f, '1'], reason: 'wrong column count' }),
  letterUser: (f) => ({ fields: ['u' + f[0], ...f.slice(1)], reason: 'non-numeric userId' }),
  letterMovie: (f) => ({
    fields: [f[0]!, 'm' + f[1], f[2]!, f[3]!],
    reason: 'non-numeric movieId',
  }),
  zeroUser: (f) => ({ fields: ['0', ...f.slice(1)], reason: 'userId out of range' }),
  ratingTooHigh: (f) => ({ fields: [f[0]!, f[1]!, '7.5', f[3]!], reason: 'rating out of scale' }),
  quarterStar: (f) => ({
    fields: [f[0]!, f[1]!, '2.25', f[3]!],
    reason: 'rating not a half-star step',
  }),
  nanRating: (f) => ({ fields: [f[0]!, f[1]!, 'NaN', f[3]!], reason: 'non-numeric rating' }),
  negativeTime: (f) => ({ fields: [...f.slice(0, 3), '-1'], reason: 'timestamp out of range' }),
  wordTime: (f) => ({ fields: [...f.slice(0, 3), 'soon'], reason: 'non-numeric timestamp' }),
};
const corruption = fc.constantFrom(...Object.keys(CORRUPTIONS));

async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
  yield bytes.subarray(start);
}

async function readAll(bytes: Buffer, cuts: number[], format?: RatingsFormat) {
  const rows: Row[] = [];
  const bad: [number, string][] = [];
  const reader = readRatings(chunked(bytes, cuts), {
    ...(format ? { format } : {}),
    onBadRow: (b) => bad.push([b.line, b.reason]),
  });
  for await (const r of reader) rows.push([r.userId, r.movieId, r.rating, r.timestamp]);
  return { rows, bad };
}

describe('ratings reader properties', () => {
  it('any valid rows, in any format, line end and chunking, round-trip exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...RATINGS_FORMATS),
        fc.array(row, { minLength: 1, maxLength: 40 }),
        lineEnd,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (format, rows, eol, decimal, header, bom, cuts) => {
          const withHeader = header && format === 'csv';
          const lines = rows.map((r) => formatRow(r, format, decimal));
          if (withHeader) lines.unshift('userId,movieId,rating,timestamp');
          const text = (bom ? '\uFEFF' : '') + lines.join(eol) + eol;
          const result = await readAll(Buffer.from(text), cuts);
          expect(result.bad).toEqual([]);
          expect(result.rows).toEqual(rows);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('valid rows mixed with corrupted ones: valid kept in order, each bad one quarantined with its reason and line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...RATINGS_FORMATS),
        fc.array(fc.tuple(row, fc.option(corruption, { freq: 3 })), {
          minLength: 1,
          maxLength: 40,
        }),
        lineEnd,
        fc.array(fc.nat(), { maxLength: 8 }),
        async (format, items, eol, cuts) => {
          // Line 1 is valid so that format detection sees the real delimiter.
          const [first, ...rest] = items;
          const plan = [[first![0], null] as const, ...rest];
          const expectedRows: Row[] = [];
          const expectedBad: [number, string][] = [];
          const lines = plan.map(([r, broken], i) => {
            const fields = formatRow(r, format, false).split(FIELD_DELIMITER[format]);
            if (broken === null) {
              expectedRows.push(r);
              return fields.join(FIELD_DELIMITER[format]);
            }
            const corrupted = CORRUPTIONS[broken]!(fields);
            expectedBad.push([i + 1, corrupted.reason]);
            return corrupted.fields.join(FIELD_DELIMITER[format]);
          });
          const result = await readAll(Buffer.from(lines.join(eol) + eol), cuts);
          expect(result.rows).toEqual(expectedRows);
          expect(result.bad).toEqual(expectedBad);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a last line without a newline is a row when complete and "truncated last line" when not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...RATINGS_FORMATS),
        row,
        row,
        fc.integer({ min: 1, max: 3 }),
        async (format, kept, cut, fieldsLeft) => {
          const d = FIELD_DELIMITER[format];
          const partial = formatRow(cut, format, false).split(d).slice(0, fieldsLeft).join(d);
          const complete = await readAll(
            Buffer.from(`${formatRow(kept, format, false)}\n${formatRow(cut, format, false)}`),
            [],
          );
          expect(complete).toEqual({ rows: [kept, cut], bad: [] });
          const truncated = await readAll(
            Buffer.from(`${formatRow(kept, format, false)}\n${partial}`),
            [],
            format,
          );
          expect(truncated).toEqual({ rows: [kept], bad: [[2, 'truncated last line']] });
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('arbitrary bytes never crash the reader: rows, known reasons, or one format error at line 1', async () => {
    const reasons = new Set<string>(BAD_ROW_REASONS);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2048 }),
          fc.string({ unit: 'binary', maxLength: 512 }).map((s) => new TextEncoder().encode(s)),
          fc
            .array(fc.constantFrom('1', '2', '.', ',', '\t', ':', '\n', '\r', '"', '-', ' ', 'x'), {
              maxLength: 300,
            })
            .map((chars) => new TextEncoder().encode(chars.join(''))),
        ),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (bytes, cuts) => {
          try {
            const { rows, bad } = await readAll(Buffer.from(bytes), cuts);
            for (const [, reason] of bad) expect(reasons.has(reason)).toBe(true);
            for (const r of rows) {
              expect(r[0]).toBeGreaterThanOrEqual(1);
              expect(r[2]).toBeGreaterThanOrEqual(0.5);
              expect(r[2]).toBeLessThanOrEqual(5);
            }
          } catch (error) {
            expect(error).toBeInstanceOf(MovieLensFormatError);
            expect((error as MovieLensFormatError).line).toBe(1);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });
});
