import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovieLensFormatError } from '../../lambdas/core/formats/format-error.ts';
import {
  detectRatingsFormat,
  parseRatingRecord,
  type BadRatingRow,
  type BadRowReason,
} from '../../lambdas/core/formats/ratings-format.ts';
import { readRatings, readRatingsTable } from '../../lambdas/core/formats/ratings-reader.ts';
import { readRatingsFile } from '../../lambdas/adapters/local-files.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ratings-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

function rowsOf(table: RatingsTable): [number, number, number, number][] {
  return Array.from({ length: table.length }, (_, i) => [
    table.userIds[i]!,
    table.movieIds[i]!,
    table.ratings[i]!,
    table.timestamps[i]!,
  ]);
}

async function lenient(path: string): Promise<{ table: RatingsTable; bad: BadRatingRow[] }> {
  const bad: BadRatingRow[] = [];
  const table = await readRatingsFile(path, { onBadRow: (row) => bad.push(row) });
  return { table, bad };
}

const EXPECTED = [
  [1, 31, 2.5, 1260759144],
  [1, 1029, 3, 1260759179],
  [2, 10, 4, 835355493],
];

describe('format detection', () => {
  it('recognises each MovieLens ratings format by its delimiter', () => {
    expect(detectRatingsFormat('userId,movieId,rating,timestamp\n1,2,3.5,4\n')).toBe('csv');
    expect(detectRatingsFormat('196\t242\t3\t881250949\n')).toBe('tsv');
    expect(detectRatingsFormat('1::1193::5::978300760\n')).toBe('dat');
    expect(detectRatingsFormat('\uFEFF\n\n1::1193::5::978300760')).toBe('dat');
    expect(detectRatingsFormat('')).toBeUndefined();
    expect(detectRatingsFormat('just words\n')).toBeUndefined();
  });

  it.each([
    [
      'ratings.csv',
      'userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n2,10,4.0,835355493\n',
    ],
    ['u.data', '1\t31\t2.5\t1260759144\n1\t1029\t3\t1260759179\n2\t10\t4\t835355493\n'],
    ['u1.base', '1\t31\t2.5\t1260759144\n1\t1029\t3\t1260759179\n2\t10\t4\t835355493\n'],
    ['ratings.dat', '1::31::2.5::1260759144\n1::1029::3::1260759179\n2::10::4::835355493\n'],
  ])('reads %s without being told its format', async (name, content) => {
    const table = await readRatingsFile(await fixture(name, content));
    expect(rowsOf(table)).toEqual(EXPECTED);
  });
});

describe('tolerated file quirks', () => {
  it('skips a byte order mark before the header', async () => {
    const path = await fixture(
      'bom.csv',
      '\uFEFFuserId,movieId,rating,timestamp\n1,31,2.5,1260759144\n',
    );
    expect(rowsOf(await readRatingsFile(path))).toEqual([EXPECTED[0]]);
  });

  it('reads CRLF, LF and mixed line ends alike', async () => {
    const crlf = await fixture(
      'crlf.csv',
      'userId,movieId,rating,timestamp\r\n1,31,2.5,1260759144\r\n2,10,4.0,835355493\r\n',
    );
    const mixed = await fixture('mixed.dat', '1::31::2.5::1260759144\r\n2::10::4::835355493\n');
    expect(rowsOf(await readRatingsFile(crlf))).toEqual([EXPECTED[0], EXPECTED[2]]);
    expect(rowsOf(await readRatingsFile(mixed))).toEqual([EXPECTED[0], EXPECTED[2]]);
  });

  it('skips blank and whitespace-only lines but still counts them for line numbers', async () => {
    const path = await fixture(
      'blank.csv',
      'userId,movieId,rating,timestamp\n\n1,31,2.5,1260759144\n   \n\nx,1,1,1\n',
    );
    const { table, bad } = await lenient(path);
    expect(table.length).toBe(1);
    expect(bad.map((b) => [b.line, b.reason])).toEqual([[6, 'non-numeric userId']]);
  });

  it('accepts a complete last line without a newline', async () => {
    const path = await fixture('no-newline.tsv', '1\t31\t2.5\t1260759144\n2\t10\t4\t835355493');
    expect(rowsOf(await readRatingsFile(path))).toEqual([EXPECTED[0], EXPECTED[2]]);
  });

  it('reports a last line cut off mid-record as truncated', async () => {
    const path = await fixture(
      'truncated.csv',
      'userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n2,10,4',
    );
    const { table, bad } = await lenient(path);
    expect(table.length).toBe(1);
    expect(bad.map((b) => [b.line, b.reason])).toEqual([[3, 'truncated last line']]);
    await expect(readRatingsFile(path)).rejects.toThrow(`${path}:3: truncated last line`);
  });

  it('calls a short last line that does end in a newline a wrong column count', async () => {
    const path = await fixture('short-last.csv', '1,31,2.5,1260759144\n2,10,4\n');
    const { bad } = await lenient(path);
    expect(bad.map((b) => b.reason)).toEqual(['wrong column count']);
  });

  it('gives an empty table for an empty or blank file', async () => {
    expect((await readRatingsFile(await fixture('empty.csv', ''))).length).toBe(0);
    expect((await readRatingsFile(await fixture('blank-only.csv', '\n\n  \n'))).length).toBe(0);
  });

  it('reads a stream whose chunks split a BOM, a "::" delimiter and a CRLF', async () => {
    const text = Buffer.from('\uFEFF1::31::2.5::1260759144\r\n2::10::4::835355493\r\n');
    const cuts = [1, 9, 10, 25, 26];
    const chunks = [0, ...cuts].map((start, i) => text.subarray(start, cuts[i] ?? text.length));
    const table = await readRatingsTable(
      (async function* () {
        yield* chunks;
      })(),
    );
    expect(rowsOf(table)).toEqual([EXPECTED[0], EXPECTED[2]]);
  });
});

describe('malformed input', () => {
  it('fails in strict mode (the default) with one line naming file, line and reason', async () => {
    const path = await fixture(
      'bad-id.csv',
      'userId,movieId,rating,timestamp\n1,31,2.5,1260759144\nabc,10,4.0,835355493\n',
    );
    const error = await readRatingsFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MovieLensFormatError);
    expect((error as Error).message).toBe(`${path}:3: non-numeric userId`);
    expect((error as MovieLensFormatError).line).toBe(3);
  });

  it('with onBadRow, keeps the good rows and reports each bad one in line order', async () => {
    const path = await fixture(
      'many-bad.csv',
      [
        'userId,movieId,rating,timestamp',
        '1,31,2.5,1260759144',
        '1,x,2.5,1',
        '1,32,7,1',
        '1,33,2.5',
        '1,34,2.5,1,extra',
        '2,10,4.0,835355493',
        '0,35,3,1',
        '1,36,3.3,1',
        '1,37,3,soon',
        '',
      ].join('\n'),
    );
    const { table, bad } = await lenient(path);
    expect(rowsOf(table)).toEqual([EXPECTED[0], EXPECTED[2]]);
    expect(bad.map((b) => [b.line, b.reason])).toEqual([
      [3, 'non-numeric movieId'],
      [4, 'rating out of scale'],
      [5, 'wrong column count'],
      [6, 'wrong column count'],
      [8, 'userId out of range'],
      [9, 'rating not a half-star step'],
      [10, 'non-numeric timestamp'],
    ]);
    expect(bad[0]!.fields).toEqual(['1', 'x', '2.5', '1']);
  });

  it('strict: false without onBadRow drops bad rows quietly', async () => {
    const path = await fixture('quiet.csv', '1,31,2.5,1260759144\nnope\n');
    expect((await readRatingsFile(path, { strict: false })).length).toBe(1);
  });

  it('rejects a file with no ratings delimiter at line 1', async () => {
    const path = await fixture('words.txt', 'hello world\nmore words\n');
    await expect(readRatingsFile(path)).rejects.toThrow(`${path}:1: not a MovieLens ratings file`);
  });

  it('treats a header anywhere but line 1 as a bad row', async () => {
    const path = await fixture(
      'two-headers.csv',
      '1,31,2.5,1260759144\nuserId,movieId,rating,timestamp\n',
    );
    await expect(readRatingsFile(path)).rejects.toThrow(`${path}:2: non-numeric userId`);
  });
});

describe('streaming rows', () => {
  it('yields rows with their line numbers', async () => {
    const path = await fixture('stream.dat', '1::31::2.5::1260759144\n\n2::10::4::835355493\n');
    const rows = [];
    for await (const row of readRatings(createReadStream(path), { name: path }))
      rows.push([row.line, row.userId, row.movieId]);
    expect(rows).toEqual([
      [1, 1, 31],
      [3, 2, 10],
    ]);
  });

  it('stops cleanly when the consumer stops early', async () => {
    const path = await fixture('early.csv', '1,31,2.5,1\n1,32,2.5,1\n1,33,2.5,1\n');
    for await (const row of readRatings(createReadStream(path), { name: path })) {
      expect(row.movieId).toBe(31);
      break;
    }
  });
});

describe('parseRatingRecord (shared with the ingestion quarantine)', () => {
  const cases: [string[], BadRowReason | 'row' | 'header', number?][] = [
    [['1', '2', '3.5', '4'], 'row'],
    [[' 1', '2 ', ' 0.5 ', '0'], 'row'],
    [['userId', 'movieId', 'rating', 'timestamp'], 'header', 1],
    [['userId', 'movieId', 'rating', 'timestamp'], 'non-numeric userId', 2],
    [['1', '2', '3'], 'wrong column count'],
    [['', '2', '3', '4'], 'non-numeric userId'],
    [['-1', '2', '3', '4'], 'userId out of range'],
    [['1.5', '2', '3', '4'], 'userId out of range'],
    [['1', '0x10', '3', '4'], 'non-numeric movieId'],
    [['1', '99999999999', '3', '4'], 'movieId out of range'],
    [['1', '2', '', '4'], 'non-numeric rating'],
    [['1', '2', 'four', '4'], 'non-numeric rating'],
    [['1', '2', '0', '4'], 'rating out of scale'],
    [['1', '2', '5.5', '4'], 'rating out of scale'],
    [['1', '2', '-1', '4'], 'rating out of scale'],
    [['1', '2', '4.25', '4'], 'rating not a half-star step'],
    [['1', '2', '4', ''], 'non-numeric timestamp'],
    [['1', '2', '4', '-5'], 'timestamp out of range'],
  ];
  it.each(cases)('%j → %s', (fields, expected, line = 7) => {
    const record = parseRatingRecord(fields, 'csv', line);
    expect(record.kind === 'bad' ? record.reason : record.kind).toBe(expected);
  });

  it('returns the parsed values and the line', () => {
    expect(parseRatingRecord(['7', '8', '4.5', '978300760'], 'dat', 12)).toEqual({
      kind: 'row',
      userId: 7,
      movieId: 8,
      rating: 4.5,
      timestamp: 978300760,
      line: 12,
    });
  });
});
