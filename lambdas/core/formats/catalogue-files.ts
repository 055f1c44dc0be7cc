import { parse } from 'csv-parse/sync';
import { MovieLensFormatError } from './format-error.ts';

/**
 * The small MovieLens csv files (movies, tags, links). They are at most a few MB even for ml-32m, so
 * they are parsed whole from text; the caller decides where the text comes from (disk, S3).
 */

export interface Movie {
  movieId: number;
  /** As in the file, e.g. "American President, The (1995)"; the favourite-title search matches it. */
  title: string;
  /** Release year from the trailing "(1995)" of the title; null when the title has none. */
  year: number | null;
  /** Empty for MovieLens' "(no genres listed)". */
  genres: string[];
}

export interface Tag {
  userId: number;
  movieId: number;
  tag: string;
  timestamp: number;
}

export interface Link {
  movieId: number;
  /** Kept as text: IMDb ids are zero-padded ("0114709") and the padding is part of the URL. */
  imdbId: string;
  /** Null where MovieLens has no TMDb match (an empty field). */
  tmdbId: number | null;
}

export const NO_GENRES = '(no genres listed)';

export function parseMoviesCsv(text: string, source = 'movies.csv'): Movie[] {
  return parseRows(text, source, ['movieid', 'title', 'genres'], (fields, line) => {
    const title = fields[1]!.trim();
    const genreText = fields[2]!.trim();
    return {
      movieId: requireId(fields[0]!, 'movieId', source, line),
      title,
      year: splitTitleYear(title).year,
      genres: genreText === '' || genreText === NO_GENRES ? [] : genreText.split('|'),
    };
  });
}

export function parseTagsCsv(text: string, source = 'tags.csv'): Tag[] {
  return parseRows(text, source, ['userid', 'movieid', 'tag', 'timestamp'], (fields, line) => ({
    userId: requireId(fields[0]!, 'userId', source, line),
    movieId: requireId(fields[1]!, 'movieId', source, line),
    tag: fields[2]!,
    timestamp: requireInteger(fields[3]!, 'timestamp', source, line),
  }));
}

export function parseLinksCsv(text: string, source = 'links.csv'): Link[] {
  return parseRows(text, source, ['movieid', 'imdbid', 'tmdbid'], (fields, line) => {
    const tmdb = fields[2]!.trim();
    return {
      movieId: requireId(fields[0]!, 'movieId', source, line),
      imdbId: fields[1]!.trim(),
      tmdbId: tmdb === '' ? null : requireId(tmdb, 'tmdbId', source, line),
    };
  });
}

// The year is the last parenthesised group; TV series carry a range such as "(2006–2007)" or "(1975-1979)".
const TRAILING_YEAR = /\s*\((\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\)\s*$/;

/** "Toy Story (1995)" → { name: "Toy Story", year: 1995 }; no year → the title and null. */
export function splitTitleYear(title: string): { name: string; year: number | null } {
  const match = TRAILING_YEAR.exec(title);
  if (match === null) return { name: title.trim(), year: null };
  return { name: title.slice(0, match.index).trim(), year: Number(match[1]) };
}

interface RecordWithInfo {
  record: string[];
  info: { lines: number };
}

function parseRows<T>(
  text: string,
  source: string,
  header: readonly string[],
  toRow: (fields: string[], line: number) => T,
): T[] {
  let records: RecordWithInfo[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as RecordWithInfo[];
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    throw new MovieLensFormatError(source, line, (error as Error).message);
  }
  const rows: T[] = [];
  for (const { record, info } of records) {
    const line = info.lines;
    if (line === 1 && record[0]?.trim().toLowerCase() === header[0]) continue;
    if (record.length !== header.length) {
      throw new MovieLensFormatError(
        source,
        line,
        `wrong column count (expected ${header.length}, got ${record.length})`,
      );
    }
    rows.push(toRow(record, line));
  }
  return rows;
}

function requireId(text: string, column: string, source: string, line: number): number {
  const value = requireInteger(text, column, source, line);
  if (value < 1 || value > 0x7fffffff) {
    throw new MovieLensFormatError(source, line, `${column} out of range`);
  }
  return value;
}

function requireInteger(text: string, column: string, source: string, line: number): number {
  const trimmed = text.trim();
  if (!/^-?\d{1,15}$/.test(trimmed)) {
    throw new MovieLensFormatError(source, line, `non-numeric ${column}`);
  }
  return Number(trimmed);
}
