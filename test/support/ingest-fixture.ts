import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small MovieLens folder with every kind of trouble the ingestion must survive, and the answers:
 * which ratings must be stored (with the value that must win) and which lines must be quarantined
 * with which reason. Lines are counted 1-based in the file as written (header = line 1).
 */
export interface BadRowsFixture {
  readonly dir: string;
  /** `${userId}:${movieId}` → the rating that must be stored. */
  readonly expectedRatings: ReadonlyMap<string, number>;
  readonly expectedRejects: readonly { line: number; reason: string }[];
  readonly blankLines: number;
  readonly movies: number;
  readonly tags: number;
  readonly ratingsFileBytes: number;
  readonly titles: readonly string[];
}

export const FIXTURE_USERS = 300;
export const FIXTURE_MOVIES = 40;
const BASE_TS = 1_000_000_000;

export function writeBadRowsFixture(): BadRowsFixture {
  const dir = mkdtempSync(join(tmpdir(), 'recsys-ingest-bad-'));
  const lines: string[] = ['userId,movieId,rating,timestamp'];
  const latest = new Map<string, { ts: number; rating: number }>();
  const expectedRejects: { line: number; reason: string }[] = [];
  let blankLines = 0;
  const good = (user: number, movie: number, rating: number, ts: number) => {
    lines.push(`${user},${movie},${rating.toFixed(1)},${ts}`);
    const key = `${user}:${movie}`;
    const previous = latest.get(key);
    if (previous === undefined || ts > previous.ts) latest.set(key, { ts, rating });
  };
  const bad = (text: string, reason: string) => {
    lines.push(text);
    expectedRejects.push({ line: lines.length, reason });
  };
  const ratingOf = (user: number, movie: number) => 0.5 + ((user * 7 + movie * 3) % 10) * 0.5;

  // Every user rates every third movie: ~4,000 rows, ~100 KB.
  for (let user = 1; user <= FIXTURE_USERS; user++) {
    for (let movie = 1 + (user % 3); movie <= FIXTURE_MOVIES; movie += 3) {
      good(user, movie, ratingOf(user, movie), BASE_TS + user * 1000 + movie);
    }
    if (user === 30) {
      // An exact duplicate right after the original: stored once.
      good(user, 1, ratingOf(user, 1), BASE_TS + user * 1000 + 1);
      bad('7,8,4.0', 'wrong column count');
      bad('7,8,4.0,1000000000,extra', 'wrong column count');
      bad('abc,8,4.0,1000000000', 'non-numeric userId');
      bad('7,x9,4.0,1000000000', 'non-numeric movieId');
      bad('7,8,7,1000000000', 'rating out of scale');
      bad('7,8,7.0,1000000000', 'rating out of scale');
      bad('7,8,0,1000000000', 'rating out of scale');
      bad('7,8,four,1000000000', 'non-numeric rating');
      bad('7,8,3.25,1000000000', 'rating not a half-star step');
      bad('7,8,3.0,soon', 'non-numeric timestamp');
      bad('7,8,3.0,9999999999', 'timestamp out of range');
      bad('"7",8,3.0,1000000000', 'non-numeric userId');
      lines.push('', '   ');
      blankLines += 2;
    }
  }
  // Duplicates far from their first copy (another chunk): for even users a newer rating (must
  // win), for odd users an older one (must lose), whichever chunk Cassandra sees first.
  for (let user = 1; user <= FIXTURE_USERS; user++) {
    for (let movie = 1 + (user % 3); movie <= 13; movie += 3) {
      const shift = user % 2 === 0 ? 500 : -500;
      good(user, movie, 5.5 - ratingOf(user, movie), BASE_TS + user * 1000 + movie + shift);
    }
    if (user === 200) {
      lines.push('');
      blankLines += 1;
      bad('-3,8,3.0,1000000000', 'userId out of range');
    }
  }
  const expectedRatings = new Map([...latest].map(([key, value]) => [key, value.rating]));
  bad('12,3', 'truncated last line');
  // A BOM before the header and CRLF line ends in the first half, LF in the second.
  const half = Math.floor(lines.length / 2);
  const text = '\uFEFF' + lines.slice(0, half).join('\r\n') + '\r\n' + lines.slice(half).join('\n');
  writeFileSync(join(dir, 'ratings.csv'), text);

  const titles: string[] = [];
  const movieLines = ['movieId,title,genres'];
  for (let movie = 1; movie <= FIXTURE_MOVIES + 2; movie++) {
    const title =
      movie === 1
        ? 'American President, The (1995)'
        : movie === 2
          ? "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)"
          : movie === 3
            ? 'Léon: The Professional (a.k.a. "The Professional") (1994)'
            : `Movie ${movie} (${1950 + movie})`;
    titles.push(title);
    const quoted = /[",]/.test(title) ? `"${title.replaceAll('"', '""')}"` : title;
    movieLines.push(`${movie},${quoted},${movie % 2 === 0 ? 'Comedy|Drama' : 'Action'}`);
  }
  writeFileSync(join(dir, 'movies.csv'), movieLines.join('\r\n') + '\r\n');
  const links = ['movieId,imdbId,tmdbId'];
  for (let movie = 1; movie <= FIXTURE_MOVIES + 2; movie++) {
    links.push(
      `${movie},${String(100000 + movie).padStart(7, '0')},${movie === 5 ? '' : movie * 11}`,
    );
  }
  writeFileSync(join(dir, 'links.csv'), links.join('\n') + '\n');
  const tagLines = [
    'userId,movieId,tag,timestamp',
    '1,1,"politics, romance",1100000000',
    '2,1,politics,1100000001',
    '3,2,Paris,1100000002',
    '4,2,très charmant,1100000003',
    '4,2,très charmant,1100000003',
  ];
  writeFileSync(join(dir, 'tags.csv'), tagLines.join('\n') + '\n');
  return {
    dir,
    expectedRatings,
    expectedRejects,
    blankLines,
    movies: FIXTURE_MOVIES + 2,
    // The exact duplicate tag line collapses to one row: same (movie, user, time, tag).
    tags: 4,
    ratingsFileBytes: Buffer.byteLength(text),
    titles,
  };
}
