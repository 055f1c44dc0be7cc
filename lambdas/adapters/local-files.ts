import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { RatingsTable } from '../core/ratings.ts';
import {
  parseMoviesCsv,
  parseTagsCsv,
  type Movie,
  type Tag,
} from '../core/formats/catalogue-files.ts';
import { readRatingsTable, type ReadRatingsOptions } from '../core/formats/ratings-reader.ts';

/** The local-disk entry points; Lambdas pass S3 streams and text to the functions they wrap. */

// The shortest MovieLens ratings lines ("1\t1\t1\t874965758") are ~16 bytes, ratings.csv lines ~25.
const BYTES_PER_ROW_ESTIMATE = 24;

export async function readRatingsFile(
  path: string,
  options: Omit<ReadRatingsOptions, 'name'> = {},
): Promise<RatingsTable> {
  const { size } = await stat(path);
  return readRatingsTable(createReadStream(path, { highWaterMark: 1 << 20 }), {
    expectedRows: Math.ceil(size / BYTES_PER_ROW_ESTIMATE),
    ...options,
    name: path,
  });
}

export async function readMoviesFile(path: string): Promise<Movie[]> {
  return parseMoviesCsv(await readFile(path, 'utf8'), path);
}

export async function readTagsFile(path: string): Promise<Tag[]> {
  return parseTagsCsv(await readFile(path, 'utf8'), path);
}
