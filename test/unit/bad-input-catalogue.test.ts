import { describe, expect, it } from 'vitest';
import {
  parseLinksCsv,
  parseMoviesCsv,
  parseTagsCsv,
} from '../../lambdas/core/formats/catalogue-files.ts';
import { MovieLensFormatError } from '../../lambdas/core/formats/format-error.ts';
import type { RatingsFormat } from '../../lambdas/core/formats/ratings-format.ts';
import { readRatings } from '../../lambdas/core/formats/ratings-reader.ts';
import { ingestRejection } from '../../lambdas/core/ingest/cleaning.ts';
import { parseEventsBody, parseRatingBody } from '../../lambdas/core/feedback/events.ts';
import { parseStartBody, parseStopBody } from '../../lambdas/core/experiments/request-bodies.ts';
import { replayRequestProblems } from '../../lambdas/core/experiments/replay.ts';
import { problemsOf } from '../support/invalid-input.ts';
import { DIVERSITY_PROBLEM, parseDiversityText } from '../../lambdas/core/serving/diversity.ts';
import { parseFoldInBody } from '../../lambdas/core/serving/fold-in-body.ts';
import { knownGenres, parseMovieBody } from '../../lambdas/core/serving/movie-body.ts';
import { ParameterReader } from '../../lambdas/services/api/parameter-reader.ts';

/**
 * The bad-input catalogue: every kind of malformed MovieLens input we know of, fed through the real
 * reader and the ingestion's cleaning rule exactly as a chunk Lambda applies them
 * (services/ingest/ingest-chunk.ts). Ratings files quarantine bad rows with a reason and keep the
 * good rows beside them; the small catalogue files (movies, tags, links) are read whole and fail
 * with one `file:line: reason` line.
 *
 * | #  | kind                                   | file        | expected                                   |
 * |----|----------------------------------------|-------------|--------------------------------------------|
 * | 1  | misspelt header                        | ratings.csv | line 1 'non-numeric userId'                |
 * | 2  | header on a later line                 | ratings.csv | 'non-numeric userId'                       |
 * | 3  | missing column                         | ratings.csv | 'wrong column count'                       |
 * | 4  | extra column                           | ratings.csv | 'wrong column count'                       |
 * | 5  | non-numeric userId                     | ratings.csv | 'non-numeric userId'                       |
 * | 6  | non-numeric movieId                    | ratings.csv | 'non-numeric movieId'                      |
 * | 7  | userId zero                            | ratings.csv | 'userId out of range'                      |
 * | 8  | negative movieId                       | ratings.csv | 'movieId out of range'                     |
 * | 9  | id past 2^31-1                         | ratings.csv | 'userId out of range'                      |
 * | 10 | fractional id                          | ratings.csv | 'movieId out of range'                     |
 * | 11 | hexadecimal id                         | ratings.csv | 'non-numeric userId'                       |
 * | 12 | rating above 5                         | ratings.csv | 'rating out of scale'                      |
 * | 13 | rating zero                            | ratings.csv | 'rating out of scale'                      |
 * | 14 | negative rating                        | ratings.csv | 'rating out of scale'                      |
 * | 15 | rating off the half-star steps         | ratings.csv | 'rating not a half-star step'              |
 * | 16 | NaN rating                             | ratings.csv | 'non-numeric rating'                       |
 * | 17 | empty rating                           | ratings.csv | 'non-numeric rating'                       |
 * | 18 | exponent-form rating                   | ratings.csv | 'non-numeric rating'                       |
 * | 19 | Infinity rating                        | ratings.csv | 'non-numeric rating'                       |
 * | 20 | negative timestamp                     | ratings.csv | 'timestamp out of range'                   |
 * | 21 | non-numeric timestamp                  | ratings.csv | 'non-numeric timestamp'                    |
 * | 22 | timestamp past 2038 (write-time limit) | ratings.csv | 'timestamp out of range' (cleaning rule)   |
 * | 23 | quoted field holding a comma           | ratings.csv | 'wrong column count'                       |
 * | 24 | unterminated quote                     | ratings.csv | 'non-numeric userId', later lines kept     |
 * | 25 | tab line in a csv file                 | ratings.csv | 'wrong column count'                       |
 * | 26 | single colons in a .dat file           | ratings.dat | 'wrong column count'                       |
 * | 27 | invalid UTF-8 bytes in a field         | ratings.csv | 'non-numeric userId'                       |
 * | 28 | NUL and control bytes                  | ratings.csv | 'non-numeric movieId'                      |
 * | 29 | one huge line (1 MiB, no delimiter)    | ratings.csv | 'wrong column count'                       |
 * | 30 | huge numeric field (1 MiB of digits)   | ratings.csv | 'userId out of range'                      |
 * | 31 | last line cut off without newline      | ratings.csv | 'truncated last line'                      |
 * | 32 | empty field row ",,,"                  | ratings.csv | 'non-numeric userId'                       |
 * | 33 | byte order mark before the header      | ratings.csv | tolerated: header skipped, rows kept       |
 * | 34 | CRLF, CR and mixed line ends           | ratings.csv | tolerated                                  |
 * | 35 | blank and whitespace-only lines        | ratings.csv | skipped, still counted for line numbers    |
 * | 36 | spaces around fields                   | ratings.csv | tolerated                                  |
 * | 37 | duplicate rows                         | ratings.csv | kept (latest write wins in Cassandra)      |
 * | 38 | movie id absent from movies.csv        | ratings.csv | kept (the reader does not join catalogues) |
 * | 39 | empty file                             | ratings.csv | no rows, no error                          |
 * | 40 | header only                            | ratings.csv | no rows, no error                          |
 * | 41 | binary garbage, no delimiter           | ratings.csv | error 'not a MovieLens ratings file'       |
 * | 42 | strict mode (the CLI) on any bad row   | ratings.csv | one-line error `file:line: reason`         |
 * | 43 | title with an unquoted comma           | movies.csv  | error 'wrong column count (expected 3 …)'  |
 * | 44 | unterminated quote                     | movies.csv  | error naming the line                      |
 * | 45 | non-numeric movieId                    | movies.csv  | error 'non-numeric movieId'                |
 * | 46 | movieId zero                           | movies.csv  | error 'movieId out of range'               |
 * | 47 | genres edge cases                      | movies.csv  | "(no genres listed)" and "" → no genres    |
 * | 48 | title without a year, TV year range    | movies.csv  | year null / first year                     |
 * | 49 | header only, BOM                       | movies.csv  | no movies / header skipped                 |
 * | 50 | tag with an embedded newline           | tags.csv    | kept, next row keeps its line              |
 * | 51 | tag row with a missing column          | tags.csv    | error 'wrong column count (expected 4 …)'  |
 * | 52 | non-numeric tag timestamp              | tags.csv    | error 'non-numeric timestamp'              |
 * | 53 | links with a missing tmdbId            | links.csv   | tmdbId null                                |
 * | 54 | links with a non-numeric tmdbId        | links.csv   | error 'non-numeric tmdbId'                 |
 *
 * API write bodies and list parameters (the pure validators the routes call; the same kinds go
 * over HTTP in test/integration/api.test.ts and the fuzzer). Each is a 400 naming the field, and a
 * bad event refuses its whole batch (nothing half-stored):
 *
 * | #  | kind                                   | where                | 400 names                  |
 * |----|----------------------------------------|----------------------|----------------------------|
 * | 55 | body not an object, events not a list  | POST /events         | body / events              |
 * | 56 | empty batch, 101 events                | POST /events         | events                     |
 * | 57 | unknown event type                     | POST /events         | events.N.type              |
 * | 58 | rating without a value, off half-steps | POST /events         | events.N.value             |
 * | 59 | movie not in the catalogue             | POST /events         | events.N.movieId           |
 * | 60 | ids zero, negative, fractional, 2^31   | POST /events         | events.N.userId / movieId  |
 * | 61 | timestamp too old, ahead, not a time   | POST /events         | events.N.timestamp         |
 * | 62 | eventId empty, odd characters, repeats | POST /events         | events.N.eventId           |
 * | 63 | recommendationId the API never issued  | POST /events         | events.N.recommendationId  |
 * | 64 | unknown field, "__proto__" included    | POST /events         | events.N.<field>           |
 * | 65 | rating 0, 5.5, 3.3, "4", missing       | PUT …/ratings/{id}   | rating                     |
 * | 66 | extra field beside rating              | PUT …/ratings/{id}   | <field>                    |
 * | 67 | unknown genre among several            | list routes (query)  | genre                      |
 * | 68 | exclude: empty element, non-id, > 500  | list routes (query)  | exclude                    |
 * | 69 | exclude/genre of the wrong JSON type   | POST /recommendations| exclude(.N) / genre        |
 * | 70 | body not an object, unknown field      | PUT /movies/{id}     | body / <field>             |
 * | 71 | title missing, empty, 301 chars, \t    | PUT /movies/{id}     | title                      |
 * | 72 | genres not a list, 11, unknown, number | PUT /movies/{id}     | genres / genres.N          |
 * | 73 | year 1869, 11 years ahead, 1999.5, "99"| PUT /movies/{id}     | year                       |
 * | 74 | tags not a list, 21, empty, 61 chars   | PUT /movies/{id}     | tags / tags.N              |
 * | 75 | by other than added/year               | GET /movies/latest   | by                         |
 * | 76 | days 0, 31, 1.5, "week"                | GET /movies/trending | days                       |
 * | 77 | ids 0, 1.5, "abc", 2^31; any query     | PUT/DELETE …/dislikes| userId / movieId / <name>  |
 * | 78 | body not an object, unknown field      | POST /experiments    | body / <field>             |
 * | 79 | candidate missing, not an id           | POST /experiments    | candidate                  |
 * | 80 | share 0, 1, -0.5, "0.5", NaN-like      | POST /experiments    | share                      |
 * | 81 | name with capitals or spaces, 41 chars | POST /experiments    | name                       |
 * | 82 | promote "yes", 1; unknown field        | POST /experiments/stop| promote / <field>         |
 * | 83 | dislikes not a list, id 0, 5,001 ids   | POST /recommendations| dislikes(.N)               |
 * | 84 | explain "maybe", "yes", 1, null        | …/recommendations    | explain                    |
 * | 87 | diversity 2, -0.1, "abc", "1e-1"; body  | recommendation routes| diversity                  |
 * |    | "0.5", null, 1.5                       | (query and body)     |                            |
 * | 88 | rating timestamp "yesterday", -1, 1.5, | POST /recommendations| ratings.N.timestamp        |
 * |    | null, ISO without a zone; on some only |                      | / ratings                  |
 *
 * Commands (one line on stderr, non-zero exit; the pure check here, the command itself in
 * test/integration/replay.test.ts):
 *
 * | #  | kind                                   | where                       | the line names    |
 * |----|----------------------------------------|-----------------------------|-------------------|
 * | 85 | --days 0, 31, 1.5, "week"; no --model  | recsys evaluate --replay    | --days / --model  |
 * | 86 | --model a model that does not exist    | recsys evaluate --replay    | unknown model ID  |
 */

const HEADER = 'userId,movieId,rating,timestamp';
const GOOD_A = '1,31,2.5,1260759144';
const GOOD_B = '2,10,4.0,835355493';
const ROW_A = [1, 31, 2.5, 1260759144];
const ROW_B = [2, 10, 4, 835355493];

interface Sifted {
  rows: number[][];
  bad: [number, string][];
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** The reader plus the cleaning rule, as a chunk Lambda runs them; bad rows in line order. */
async function sift(input: string | Uint8Array, format?: RatingsFormat): Promise<Sifted> {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const rows: number[][] = [];
  const bad: [number, string][] = [];
  const reader = readRatings(once(bytes), {
    name: 'ratings.csv',
    ...(format ? { format } : {}),
    onBadRow: (row) => bad.push([row.line, row.reason]),
  });
  for await (const row of reader) {
    const reason = ingestRejection(row);
    if (reason === undefined) rows.push([row.userId, row.movieId, row.rating, row.timestamp]);
    else bad.push([row.line, reason]);
  }
  bad.sort((a, b) => a[0] - b[0]);
  return { rows, bad };
}

/** A bad line between two good ones: the bad line is line 3, the good rows must both survive. */
function between(line: string): string {
  return [HEADER, GOOD_A, line, GOOD_B, ''].join('\n');
}

const QUARANTINED: readonly [kind: string, line: string, reason: string][] = [
  ['header on a later line', HEADER, 'non-numeric userId'],
  ['missing column', '1,31,2.5', 'wrong column count'],
  ['extra column', '1,31,2.5,1260759144,extra', 'wrong column count'],
  ['non-numeric userId', 'abc,31,2.5,1260759144', 'non-numeric userId'],
  ['non-numeric movieId', '1,thirty,2.5,1260759144', 'non-numeric movieId'],
  ['userId zero', '0,31,2.5,1260759144', 'userId out of range'],
  ['negative movieId', '1,-31,2.5,1260759144', 'movieId out of range'],
  ['id past 2^31-1', '2147483648,31,2.5,1260759144', 'userId out of range'],
  ['fractional id', '1,31.5,2.5,1260759144', 'movieId out of range'],
  ['hexadecimal id', '0x10,31,2.5,1260759144', 'non-numeric userId'],
  ['rating above 5', '1,31,5.5,1260759144', 'rating out of scale'],
  ['rating zero', '1,31,0,1260759144', 'rating out of scale'],
  ['negative rating', '1,31,-1,1260759144', 'rating out of scale'],
  ['rating off the half-star steps', '1,31,3.25,1260759144', 'rating not a half-star step'],
  ['NaN rating', '1,31,NaN,1260759144', 'non-numeric rating'],
  ['empty rating', '1,31,,1260759144', 'non-numeric rating'],
  ['exponent-form rating', '1,31,4e0,1260759144', 'non-numeric rating'],
  ['Infinity rating', '1,31,Infinity,1260759144', 'non-numeric rating'],
  ['negative timestamp', '1,31,2.5,-5', 'timestamp out of range'],
  ['non-numeric timestamp', '1,31,2.5,yesterday', 'non-numeric timestamp'],
  ['timestamp past 2038', '1,31,2.5,2147483648', 'timestamp out of range'],
  ['quoted field holding a comma', '"1,5",31,2.5,1260759144', 'wrong column count'],
  ['unterminated quote', '"1,31,2.5,1260759144', 'non-numeric userId'],
  ['tab line in a csv file', '1\t31\t2.5\t1260759144', 'wrong column count'],
  ['NUL and control bytes', '1,\u0000\u0007,2.5,1260759144', 'non-numeric movieId'],
  ['empty field row', ',,,', 'non-numeric userId'],
];

describe('bad-input catalogue: ratings rows are quarantined with a reason, good rows kept', () => {
  it.each(QUARANTINED)('%s', async (_kind, line, reason) => {
    const { rows, bad } = await sift(between(line));
    expect(bad).toEqual([[3, reason]]);
    expect(rows).toEqual([ROW_A, ROW_B]);
  });

  it('misspelt header: line 1 is a bad row, not a header', async () => {
    const { rows, bad } = await sift(['user,movie,rating,ts', GOOD_A, GOOD_B, ''].join('\n'));
    expect(bad).toEqual([[1, 'non-numeric userId']]);
    expect(rows).toEqual([ROW_A, ROW_B]);
  });

  it('single colons in a .dat file', async () => {
    const { rows, bad } = await sift(
      '1::31::2.5::1260759144\n1:32:3:1260759145\n2::10::4::835355493\n',
    );
    expect(bad).toEqual([[2, 'wrong column count']]);
    expect(rows).toEqual([ROW_A, ROW_B]);
  });

  it('invalid UTF-8 bytes in a field', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${HEADER}\n${GOOD_A}\n`),
      Buffer.from([0xc3, 0x28, 0xff, 0x2c]), // an invalid 2-byte sequence, 0xff, then ','
      Buffer.from(`31,2.5,1260759144\n${GOOD_B}\n`),
    ]);
    const { rows, bad } = await sift(bytes);
    expect(bad).toEqual([[3, 'non-numeric userId']]);
    expect(rows).toEqual([ROW_A, ROW_B]);
  });

  it('one huge line (1 MiB without a delimiter)', async () => {
    const { rows, bad } = await sift(between('x'.repeat(1 << 20)));
    expect(bad).toEqual([[3, 'wrong column count']]);
    expect(rows).toEqual([ROW_A, ROW_B]);
  });

  it('a huge numeric field (1 MiB of digits)', async () => {
    const { rows, bad } = await sift(between(`${'9'.repeat(1 << 20)},31,2.5,1260759144`));
    expect(bad).toEqual([[3, 'userId out of range']]);
    expect(rows).toEqual([ROW_A, ROW_B]);
  });

  it('last line cut off without a newline', async () => {
    const { rows, bad } = await sift([HEADER, GOOD_A, GOOD_B, '3,4,2'].join('\n'));
    expect(bad).toEqual([[4, 'truncated last line']]);
    expect(rows).toEqual([ROW_A, ROW_B]);
  });

  it('many kinds in one file: each reported once, in line order, every good row kept', async () => {
    const lines = [HEADER, GOOD_A, ...QUARANTINED.map(([, line]) => line), GOOD_B, ''];
    const { rows, bad } = await sift(lines.join('\n'));
    expect(bad).toEqual(QUARANTINED.map(([, , reason], i) => [i + 3, reason]));
    expect(rows).toEqual([ROW_A, ROW_B]);
  });
});

describe('bad-input catalogue: tolerated quirks', () => {
  it('byte order mark before the header', async () => {
    expect(await sift(`\uFEFF${HEADER}\n${GOOD_A}\n${GOOD_B}\n`)).toEqual({
      rows: [ROW_A, ROW_B],
      bad: [],
    });
  });

  it('CRLF, CR and mixed line ends', async () => {
    const { rows, bad } = await sift(`${HEADER}\r\n${GOOD_A}\r${GOOD_B}\n3,4,5,6\r\n`);
    expect(bad).toEqual([]);
    expect(rows).toEqual([ROW_A, ROW_B, [3, 4, 5, 6]]);
  });

  it('blank and whitespace-only lines are skipped but counted', async () => {
    const { rows, bad } = await sift(`${HEADER}\n\n   \n${GOOD_A}\n\t\nx,1,1,1\n${GOOD_B}\n`);
    expect(bad).toEqual([[6, 'non-numeric userId']]);
    expect(rows).toEqual([ROW_A, ROW_B]);
  });

  it('spaces around fields', async () => {
    const { rows } = await sift(`${HEADER}\n 1 , 31 , 2.5 , 1260759144 \n`);
    expect(rows).toEqual([ROW_A]);
  });

  it('duplicate rows are both read (the latest write time wins in Cassandra)', async () => {
    const { rows, bad } = await sift([HEADER, GOOD_A, GOOD_A, ''].join('\n'));
    expect(bad).toEqual([]);
    expect(rows).toEqual([ROW_A, ROW_A]);
  });

  it('a movie id that movies.csv lacks is kept: ratings are not joined at read time', async () => {
    const { rows } = await sift(`${HEADER}\n1,987654321,3,1\n`);
    expect(rows).toEqual([[1, 987654321, 3, 1]]);
  });

  it('empty file and header-only file give no rows and no error', async () => {
    expect(await sift('')).toEqual({ rows: [], bad: [] });
    expect(await sift(`${HEADER}\n`)).toEqual({ rows: [], bad: [] });
  });
});

describe('bad-input catalogue: whole-file failures are one line naming file and line', () => {
  async function strictError(input: string | Uint8Array): Promise<MovieLensFormatError> {
    const bytes = typeof input === 'string' ? Buffer.from(input) : input;
    const error = await (async () => {
      for await (const _row of readRatings(once(bytes), { name: 'ratings.csv' })) void _row;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MovieLensFormatError);
    expect((error as Error).message).not.toContain('\n');
    return error as MovieLensFormatError;
  }

  it('binary garbage with no delimiter', async () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 256).filter(
      (b) => b !== 0x2c && b !== 0x09 && b !== 0x3a && b !== 0x0a && b !== 0x0d,
    );
    const error = await strictError(garbage);
    expect(error.message).toBe('ratings.csv:1: not a MovieLens ratings file (no ",", tab or "::")');
  });

  it('strict mode (what the CLI uses) stops at the first bad row', async () => {
    const error = await strictError(between('1,31,9,1260759144'));
    expect(error.message).toBe('ratings.csv:3: rating out of scale');
  });

  const catalogueErrors: [string, () => unknown, string][] = [
    [
      'movies.csv: title with an unquoted comma',
      () =>
        parseMoviesCsv(
          'movieId,title,genres\n1,Toy Story (1995),Comedy\n2,Bird, The (1999),Drama\n',
        ),
      'movies.csv:3: wrong column count (expected 3, got 4)',
    ],
    [
      'movies.csv: non-numeric movieId',
      () => parseMoviesCsv('movieId,title,genres\none,Toy Story (1995),Comedy\n'),
      'movies.csv:2: non-numeric movieId',
    ],
    [
      'movies.csv: movieId zero',
      () => parseMoviesCsv('movieId,title,genres\n0,Toy Story (1995),Comedy\n'),
      'movies.csv:2: movieId out of range',
    ],
    [
      'tags.csv: missing column',
      () => parseTagsCsv('userId,movieId,tag,timestamp\n1,2,funny\n'),
      'tags.csv:2: wrong column count (expected 4, got 3)',
    ],
    [
      'tags.csv: non-numeric timestamp',
      () => parseTagsCsv('userId,movieId,tag,timestamp\n1,2,funny,later\n'),
      'tags.csv:2: non-numeric timestamp',
    ],
    [
      'links.csv: non-numeric tmdbId',
      () => parseLinksCsv('movieId,imdbId,tmdbId\n1,0114709,tt862\n'),
      'links.csv:2: non-numeric tmdbId',
    ],
  ];
  it.each(catalogueErrors)('%s', (_kind, parse, message) => {
    expect(parse).toThrow(MovieLensFormatError);
    expect(parse).toThrow(message);
  });

  it('movies.csv: unterminated quote names a line and stays one line', () => {
    let error: unknown;
    try {
      parseMoviesCsv('movieId,title,genres\n1,"Toy Story (1995),Comedy\n2,Heat (1995),Action\n');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MovieLensFormatError);
    expect((error as Error).message).toMatch(/^movies\.csv:\d+: /);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('bad-input catalogue: catalogue-file edge cases that are accepted', () => {
  it('movies.csv genres: "(no genres listed)" and an empty field mean no genres', () => {
    const movies = parseMoviesCsv(
      'movieId,title,genres\n1,A (2001),(no genres listed)\n2,B (2002),\n3,C (2003),Comedy|Drama\n',
    );
    expect(movies.map((m) => m.genres)).toEqual([[], [], ['Comedy', 'Drama']]);
  });

  it('movies.csv: a title without a year, and a TV series year range', () => {
    const movies = parseMoviesCsv(
      'movieId,title,genres\n1,Cosmos,Documentary\n2,"Office, The (2005–2013)",Comedy\n',
    );
    expect(movies.map((m) => m.year)).toEqual([null, 2005]);
    expect(movies[1]!.title).toBe('Office, The (2005–2013)');
  });

  it('movies.csv: header only gives no movies; a BOM before the header is skipped', () => {
    expect(parseMoviesCsv('movieId,title,genres\n')).toEqual([]);
    expect(parseMoviesCsv('\uFEFFmovieId,title,genres\n7,X (1990),Drama\n')).toHaveLength(1);
  });

  it('tags.csv: a quoted tag holding a newline is one tag; later rows keep their line', () => {
    const text = 'userId,movieId,tag,timestamp\n1,2,"two\nlines",5\n3,4,ok,6\n';
    expect(parseTagsCsv(text).map((t) => t.tag)).toEqual(['two\nlines', 'ok']);
    // The quoted newline spans lines 2-3, so the bad row after "ok" (line 4) is line 5.
    expect(() => parseTagsCsv(`${text}3,x,bad,7\n`)).toThrow('tags.csv:5: non-numeric movieId');
  });

  it('links.csv: a missing tmdbId becomes null', () => {
    expect(parseLinksCsv('movieId,imdbId,tmdbId\n1,0114709,\n')).toEqual([
      { movieId: 1, imdbId: '0114709', tmdbId: null },
    ]);
  });
});

describe('bad-input catalogue: API write bodies and list parameters', () => {
  const NOW = Date.parse('2025-06-01T12:00:00Z');
  const context = { now: NOW, movieExists: (id: number) => id <= 9742 };
  const good = { userId: 1, movieId: 1, type: 'like' };

  const batch = (event: unknown) =>
    problemsOf(() => parseEventsBody({ events: [good, event] }, context));

  const EVENT_CASES: readonly [kind: string, event: unknown, parameter: string][] = [
    ['unknown event type', { ...good, type: 'purchase' }, 'events.1.type'],
    ['type of the wrong case', { ...good, type: 'Like' }, 'events.1.type'],
    ['rating without a value', { ...good, type: 'rating' }, 'events.1.value'],
    ['rating off the half steps', { ...good, type: 'rating', value: 3.3 }, 'events.1.value'],
    ['rating above 5', { ...good, type: 'rating', value: 6 }, 'events.1.value'],
    ['non-numeric value', { ...good, value: '1' }, 'events.1.value'],
    ['movie not in the catalogue', { ...good, movieId: 999_999 }, 'events.1.movieId'],
    ['user id zero', { ...good, userId: 0 }, 'events.1.userId'],
    ['negative movie id', { ...good, movieId: -1 }, 'events.1.movieId'],
    ['fractional user id', { ...good, userId: 1.5 }, 'events.1.userId'],
    ['user id past 2^31-1', { ...good, userId: 2 ** 31 }, 'events.1.userId'],
    ['id as a string', { ...good, userId: '1' }, 'events.1.userId'],
    ['timestamp 31 days old', { ...good, timestamp: NOW - 31 * 86_400_000 }, 'events.1.timestamp'],
    ['timestamp an hour ahead', { ...good, timestamp: NOW + 3_600_000 }, 'events.1.timestamp'],
    ['timestamp in seconds', { ...good, timestamp: 1_700_000_000 }, 'events.1.timestamp'],
    [
      'timestamp without a zone',
      { ...good, timestamp: '2025-06-01T11:00:00' },
      'events.1.timestamp',
    ],
    ['empty eventId', { ...good, eventId: '' }, 'events.1.eventId'],
    ['eventId with a space', { ...good, eventId: 'a b' }, 'events.1.eventId'],
    ['eventId of 65 characters', { ...good, eventId: 'x'.repeat(65) }, 'events.1.eventId'],
    [
      'recommendationId never issued',
      { ...good, recommendationId: 'abc' },
      'events.1.recommendationId',
    ],
    ['unknown field', { ...good, rating: 4 }, 'events.1.rating'],
    [
      '"__proto__" field',
      JSON.parse('{"userId":1,"movieId":1,"type":"like","__proto__":{}}'),
      'events.1.__proto__',
    ],
    ['event not an object', [1, 1, 'like'], 'events.1'],
  ];

  it.each(EVENT_CASES)('POST /events: %s', (_kind, event, parameter) => {
    expect(batch(event)).toEqual([parameter]);
  });

  it('POST /events: the batch itself', () => {
    expect(problemsOf(() => parseEventsBody('events', context))).toEqual(['body']);
    expect(problemsOf(() => parseEventsBody({ events: {} }, context))).toEqual(['events']);
    expect(problemsOf(() => parseEventsBody({ events: [] }, context))).toEqual(['events']);
    expect(problemsOf(() => parseEventsBody({ events: Array(101).fill(good) }, context))).toEqual([
      'events',
    ]);
    expect(
      problemsOf(() =>
        parseEventsBody(
          {
            events: [
              { ...good, eventId: 'same' },
              { ...good, eventId: 'same' },
            ],
          },
          context,
        ),
      ),
    ).toEqual(['events.1.eventId']);
  });

  it.each([
    [{ rating: 0 }, 'rating'],
    [{ rating: 5.5 }, 'rating'],
    [{ rating: 3.3 }, 'rating'],
    [{ rating: '4' }, 'rating'],
    [{}, 'rating'],
    [{ rating: 4, at: 1 }, 'at'],
    [[4], 'body'],
  ] as const)('PUT /users/{id}/ratings/{movieId}: %j', (body, parameter) => {
    expect(problemsOf(() => parseRatingBody(body))).toEqual([parameter]);
  });

  it.each([
    [{ genre: 'Comedy,Nope' }, 'genre'],
    [{ exclude: '1,,2' }, 'exclude'],
    [{ exclude: '1,abc' }, 'exclude'],
    [{ exclude: Array.from({ length: 501 }, (_, i) => i + 1).join(',') }, 'exclude'],
  ])('list route query %j', (query, parameter) => {
    const reader = new ParameterReader(query);
    reader.choices('genre', ['Comedy', 'Drama']);
    reader.idList('exclude', 500);
    expect(problemsOf(() => reader.done())).toEqual([parameter]);
  });

  it.each([
    [{ favorites: [1], exclude: '5' }, 'exclude'],
    [{ favorites: [1], exclude: [0] }, 'exclude.0'],
    [{ favorites: [1], genre: { name: 'Comedy' } }, 'genre'],
    [{ favorites: [1], dislikes: 7 }, 'dislikes'],
    [{ favorites: [1], dislikes: [3, 0] }, 'dislikes.1'],
    [{ favorites: [1], dislikes: Array.from({ length: 5001 }, (_, i) => i + 1) }, 'dislikes'],
    [{ favorites: [1], explain: 'yes' }, 'explain'],
    [{ favorites: [1], explain: 1 }, 'explain'],
    [{ favorites: [1], explain: null }, 'explain'],
  ])('POST /recommendations %j', (body, parameter) => {
    expect(problemsOf(() => parseFoldInBody(body))).toEqual([parameter]);
  });

  it.each([['2'], ['-0.1'], ['abc'], ['1e-1'], [''], ['0.5,0.7']])(
    'recommendation routes: diversity=%j',
    (raw) => {
      const reader = new ParameterReader({ diversity: raw });
      reader.parsed('diversity', parseDiversityText, DIVERSITY_PROBLEM, 0);
      expect(problemsOf(() => reader.done())).toEqual(['diversity']);
    },
  );

  it.each([[2], [-0.1], ['0.5'], [null], [1.5], [[0.5]]])(
    'POST /recommendations diversity %j',
    (diversity) => {
      expect(problemsOf(() => parseFoldInBody({ favorites: [1], diversity }))).toEqual([
        'diversity',
      ]);
    },
  );

  it.each([
    [[{ movieId: 1, rating: 4, timestamp: 'yesterday' }], 'ratings.0.timestamp'],
    [[{ movieId: 1, rating: 4, timestamp: -1 }], 'ratings.0.timestamp'],
    [[{ movieId: 1, rating: 4, timestamp: 1.5 }], 'ratings.0.timestamp'],
    [[{ movieId: 1, rating: 4, timestamp: null }], 'ratings.0.timestamp'],
    [[{ movieId: 1, rating: 4, timestamp: '2024-01-01T10:00' }], 'ratings.0.timestamp'],
    [
      [
        { movieId: 1, rating: 4, timestamp: 1_700_000_000_000 },
        { movieId: 2, rating: 3 },
      ],
      'ratings',
    ],
  ])('POST /recommendations rating timestamps %j', (ratings, parameter) => {
    expect(problemsOf(() => parseFoldInBody({ ratings }))).toEqual([parameter]);
  });

  it('rating timestamps: epoch ms or ISO 8601 with a zone, kept as ms; absent on all is fine', () => {
    const body = parseFoldInBody({
      ratings: [
        { movieId: 1, rating: 4, timestamp: 1_700_000_000_000 },
        { movieId: 2, rating: 3, timestamp: '2024-01-01T10:00:00Z' },
      ],
    });
    expect(body.ratings).toEqual([
      { movieId: 1, rating: 4, timestamp: 1_700_000_000_000 },
      { movieId: 2, rating: 3, timestamp: Date.UTC(2024, 0, 1, 10) },
    ]);
    expect(parseFoldInBody({ ratings: [{ movieId: 1, rating: 4 }] }).ratings).toEqual([
      { movieId: 1, rating: 4 },
    ]);
  });

  it('diversity: absent is 0, a value in [0, 1] is kept', () => {
    expect(parseFoldInBody({ favorites: [1] }).diversity).toBe(0);
    expect(parseFoldInBody({ favorites: [1], diversity: 0.7 }).diversity).toBe(0.7);
    const reader = new ParameterReader({ diversity: '0.3' });
    expect(reader.parsed('diversity', parseDiversityText, DIVERSITY_PROBLEM, 0)).toBe(0.3);
  });

  const movieContext = { knownGenres: knownGenres(['Comedy', 'Drama']), currentYear: 2025 };
  const movie = { title: 'A New Film', genres: ['Comedy'], year: 2024, tags: ['heist'] };
  const MOVIE_CASES: readonly [kind: string, body: unknown, parameters: string[]][] = [
    ['body not an object', ['A New Film'], ['body']],
    ['body a string', 'A New Film', ['body']],
    ['unknown field', { ...movie, imdbId: '0114709' }, ['imdbId']],
    ['"__proto__" field', JSON.parse('{"title":"A","genres":[],"__proto__":{}}'), ['__proto__']],
    ['title missing', { genres: ['Comedy'] }, ['title']],
    ['title empty', { ...movie, title: '   ' }, ['title']],
    ['title of 301 characters', { ...movie, title: 'x'.repeat(301) }, ['title']],
    ['title with a tab', { ...movie, title: 'A\tB' }, ['title']],
    ['title a number', { ...movie, title: 42 }, ['title']],
    ['genres missing', { title: 'A' }, ['genres']],
    ['genres a string', { ...movie, genres: 'Comedy' }, ['genres']],
    ['11 genres', { ...movie, genres: Array(11).fill('Comedy') }, ['genres']],
    ['unknown genre among several', { ...movie, genres: ['Comedy', 'Nope'] }, ['genres.1']],
    ['genre a number', { ...movie, genres: [7] }, ['genres.0']],
    ['year 1869', { ...movie, year: 1869 }, ['year']],
    ['year 11 years ahead', { ...movie, year: 2036 }, ['year']],
    ['fractional year', { ...movie, year: 1999.5 }, ['year']],
    ['year a string', { ...movie, year: '1999' }, ['year']],
    ['tags a string', { ...movie, tags: 'heist' }, ['tags']],
    ['21 tags', { ...movie, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, ['tags']],
    ['empty tag', { ...movie, tags: ['ok', ' '] }, ['tags.1']],
    ['tag of 61 characters', { ...movie, tags: ['y'.repeat(61)] }, ['tags.0']],
    ['tag a number', { ...movie, tags: [1] }, ['tags.0']],
    ['tag with a NUL', { ...movie, tags: ['a\u0000b'] }, ['tags.0']],
    [
      'several fields at once',
      { title: '', genres: ['Nope'], year: 0, tags: [''] },
      ['title', 'genres.0', 'year', 'tags.0'],
    ],
  ];

  it.each(MOVIE_CASES)('PUT /movies/{id}: %s', (_kind, body, parameters) => {
    expect(problemsOf(() => parseMovieBody(body, movieContext))).toEqual(parameters);
  });

  it('PUT /movies/{id}: a good body is normalized (genre case, tag case, repeats, no year)', () => {
    expect(
      parseMovieBody(
        { title: ' Heat 2 ', genres: ['comedy', 'Comedy', 'western'], tags: ['Heist', 'heist '] },
        movieContext,
      ),
    ).toEqual({ title: 'Heat 2', genres: ['Comedy', 'Western'], year: null, tags: ['heist'] });
  });

  it.each([
    [{ by: 'rating' }, 'by'],
    [{ by: '' }, undefined],
  ])('GET /movies/latest %j', (query, parameter) => {
    const reader = new ParameterReader(query);
    reader.choice('by', ['added', 'year']);
    if (parameter === undefined) expect(() => reader.done()).not.toThrow();
    else expect(problemsOf(() => reader.done())).toEqual([parameter]);
  });

  // As routes/dislikes.ts reads them (a movie outside the catalogue is a 404 after this).
  it.each([
    [{}, { userId: '0', movieId: '1' }, ['userId']],
    [{}, { userId: '7', movieId: '1.5' }, ['movieId']],
    [{}, { userId: 'abc', movieId: '2147483648' }, ['userId', 'movieId']],
    [{ force: 'true' }, { userId: '7', movieId: '1' }, ['force']],
  ])('PUT/DELETE /users/{id}/dislikes/{movieId} %j %j', (query, path, parameters) => {
    const reader = new ParameterReader(query, path);
    reader.only();
    reader.pathId('userId');
    reader.pathId('movieId');
    expect(problemsOf(() => reader.done()).sort()).toEqual(parameters.sort());
  });

  const START_CASES: [string, unknown, string[]][] = [
    ['body a list', [], ['body']],
    ['body a string', 'start', ['body']],
    ['unknown field', { candidate: 'm1', arm: 'a' }, ['arm']],
    ['candidate missing', {}, ['candidate']],
    ['candidate a number', { candidate: 7 }, ['candidate']],
    ['candidate with a space', { candidate: 'model 1' }, ['candidate']],
    ['share 0', { candidate: 'm1', share: 0 }, ['share']],
    ['share 1', { candidate: 'm1', share: 1 }, ['share']],
    ['share negative', { candidate: 'm1', share: -0.5 }, ['share']],
    ['share a string', { candidate: 'm1', share: '0.5' }, ['share']],
    ['share null', { candidate: 'm1', share: null }, ['share']],
    ['name with capitals', { candidate: 'm1', name: 'AB' }, ['name']],
    ['name with a space', { candidate: 'm1', name: 'a b' }, ['name']],
    ['name of 41 characters', { candidate: 'm1', name: 'a'.repeat(41) }, ['name']],
    ['several at once', { share: 2, name: '' }, ['candidate', 'share', 'name']],
  ];

  it.each(START_CASES)('POST /experiments: %s', (_kind, body, parameters) => {
    expect(problemsOf(() => parseStartBody(body))).toEqual(parameters);
  });

  it('POST /experiments: a good body takes share 0.5 by default', () => {
    expect(parseStartBody({ candidate: 'als-20250601' })).toEqual({
      candidate: 'als-20250601',
      share: 0.5,
    });
    expect(parseStartBody({ candidate: 'm1', share: 0.1, name: 'rank-64' })).toEqual({
      candidate: 'm1',
      share: 0.1,
      name: 'rank-64',
    });
  });

  it.each([
    [null, ['body']],
    [{ promote: 'yes' }, ['promote']],
    [{ promote: 1 }, ['promote']],
    [{ promote: true, force: true }, ['force']],
  ])('POST /experiments/stop %j', (body, parameters) => {
    expect(problemsOf(() => parseStopBody(body))).toEqual(parameters);
  });

  it('POST /experiments/stop: promote defaults to false', () => {
    expect(parseStopBody({})).toEqual({ promote: false });
    expect(parseStopBody({ promote: true })).toEqual({ promote: true });
  });

  it.each([{ explain: 'maybe' }, { explain: 'yes' }, { explain: '' }, { explain: 'TRUE' }])(
    'GET /users/{id}/recommendations %j',
    (query) => {
      const reader = new ParameterReader(query);
      reader.bool('explain', false);
      expect(problemsOf(() => reader.done())).toEqual(['explain']);
    },
  );

  it('explain: true and false are accepted, absent is false', () => {
    expect(parseFoldInBody({ favorites: [1], explain: true }).explain).toBe(true);
    expect(parseFoldInBody({ favorites: [1], explain: false }).explain).toBeFalsy();
    expect(parseFoldInBody({ favorites: [1] }).explain).toBeFalsy();
    expect(new ParameterReader({ explain: 'true' }).bool('explain', false)).toBe(true);
    expect(new ParameterReader({}).bool('explain', false)).toBe(false);
  });

  it.each([{ days: '0' }, { days: '31' }, { days: '1.5' }, { days: 'week' }, { days: '-7' }])(
    'GET /movies/trending %j',
    (query) => {
      const reader = new ParameterReader(query);
      reader.int('days', { min: 1, max: 30, fallback: 7 });
      expect(problemsOf(() => reader.done())).toEqual(['days']);
    },
  );

  it.each([
    [{ model: 'm1', days: 0 }, ['--days']],
    [{ model: 'm1', days: 31 }, ['--days']],
    [{ model: 'm1', days: 1.5 }, ['--days']],
    [{ model: 'm1', days: Number('week') }, ['--days']],
    [{ model: undefined, days: 7 }, ['--model']],
    [{ model: 'model 1', days: -1 }, ['--model', '--days']],
  ])('recsys evaluate --replay %j', (request, flags) => {
    const problems = replayRequestProblems(request);
    expect(problems.map((line) => line.split(':')[0])).toEqual(flags);
    for (const line of problems) expect(line).not.toContain('\n');
  });

  it('recsys evaluate --replay: a good request has no problem', () => {
    expect(replayRequestProblems({ model: 'als-20250601', days: 7 })).toEqual([]);
    expect(replayRequestProblems({ model: 'm1', days: 30 })).toEqual([]);
  });
});
