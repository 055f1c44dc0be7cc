import { NO_GENRES } from '../formats/catalogue-files.ts';
import { Rng, STREAM } from './random.ts';

/** A word list written across lines, split on whitespace. */
const words = (text: string): string[] => text.trim().split(/\s+/);
/** A phrase list written across lines, split on '|'. */
const phrases = (text: string): string[] =>
  text.split('|').map((p) => p.replace(/\s+/g, ' ').trim());

/** The MovieLens genres: ml-100k's 18 plus IMAX (ml-latest); '(no genres listed)' is separate. */
export const GENRES: readonly string[] = words(`
  Action Adventure Animation Children Comedy Crime Documentary Drama Fantasy Film-Noir Horror
  Musical Mystery Romance Sci-Fi Thriller War Western IMAX
`);

// Accented and non-Latin words keep UTF-8 handling honest downstream.
const ADJECTIVES: readonly string[] = words(`
  Silent Crimson Broken Hidden Last Golden Frozen Wild Lonely Electric Midnight Burning Secret
  Lost Little Dark Endless Velvet Iron Paper Distant Bitter Sweet Savage Quiet Brave Hollow
  Shining Restless Fallen Café Señor Über Naïve Московский 東京
`);
const NOUNS: readonly string[] = words(`
  River Garden Empire Harbor Stranger Kingdom Summer Machine Dream Road Witness Island Mirror
  Storm Station Promise Shadow Circus Detective Planet Letter Bridge Country Ghost Hunter Voyage
  Winter Orchestra Heist Tower Affair Frontier Carnival Lighthouse Reunion Prophecy Mountain
  Sister Engine Crown
`);
const TAILS: readonly string[] = [
  '',
  ' of the North',
  ' in Paris',
  ': Part One',
  ' Returns',
  ' of Doom',
  ' & Sons',
  " of St. Mary's",
  ' Forever',
  ' at Dawn',
  ', Interrupted',
  ' "Redux"',
  ' (a.k.a. The Other One)',
];

/** Distinct title stems before sequel numbers are needed. */
const STEMS = ADJECTIVES.length * NOUNS.length * TAILS.length;
// Coprime with STEMS, so stepping by it visits every stem once in a scrambled order.
const STEM_STRIDE = firstCoprimeFrom(7919, STEMS);

function firstCoprimeFrom(start: number, n: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let candidate = start;
  while (gcd(candidate, n) !== 1) candidate++;
  return candidate;
}

export interface CatalogueMovie {
  title: string;
  genres: string;
}

/**
 * MovieLens-style title and genres for the movie at dense index `index`. Titles are unique: the stem is
 * a bijection of the index, and past the stem count a sequel number is added. Leading articles move
 * to the end ("Garden, The (1987)") as in MovieLens, which makes many titles need csv quoting.
 */
export function catalogueMovie(
  seed: number,
  movieId: number,
  index: number,
  genres: string,
): CatalogueMovie {
  const rng = Rng.for(seed, STREAM.movieTitle, movieId);
  const stem = (index * STEM_STRIDE) % STEMS;
  const adjective = ADJECTIVES[stem % ADJECTIVES.length]!;
  const noun = NOUNS[Math.floor(stem / ADJECTIVES.length) % NOUNS.length]!;
  const tail = TAILS[Math.floor(stem / (ADJECTIVES.length * NOUNS.length))]!;
  const sequel = index >= STEMS ? ` ${Math.floor(index / STEMS) + 1}` : '';
  const name = `${adjective} ${noun}${tail}${sequel}`;
  const article = rng.next() < 0.25 ? ', The' : '';
  // Recent years are more common, as in MovieLens; ~0.5% have no year, as some MovieLens titles.
  const year = 2019 - Math.min(115, Math.floor(rng.exponential(16)));
  const yearText = rng.next() < 0.005 ? '' : ` (${year})`;
  return { title: `${name}${article}${yearText}`, genres };
}

/**
 * Genres follow the planted tastes: each genre is tied to one factor dimension with a sign, and a
 * movie gets the 1–3 genres whose dimensions are strongest in its vector, so genres carry signal.
 */
export function genresFromFactors(
  factors: Float32Array,
  offset: number,
  rank: number,
  rng: Rng,
): string {
  if (rng.next() < 0.01) return NO_GENRES;
  const count = 1 + Math.floor(rng.next() * 3);
  const scores = GENRES.map((_, g) => {
    const sign = g % 2 === 0 ? 1 : -1;
    return sign * factors[offset + (g % rank)]! + 0.3 * rng.normal();
  });
  const order = GENRES.map((_, g) => g).sort((a, b) => scores[b]! - scores[a]!);
  return order
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((g) => GENRES[g])
    .join('|');
}

/** IMDb ids are 7-digit zero-padded text; ~0.2% of movies lack a TMDb id, as in MovieLens. */
export function linkFor(seed: number, movieId: number): { imdbId: string; tmdbId: string } {
  const rng = Rng.for(seed, STREAM.links, movieId);
  const imdbId = String(1 + rng.int(9_999_998)).padStart(7, '0');
  const tmdbId = rng.next() < 0.002 ? '' : String(1 + rng.int(999_999));
  return { imdbId, tmdbId };
}

/** Sparse ascending movie ids like MovieLens (ml-25m: 62,423 movies up to id 209,171). */
export function movieIdsFor(seed: number, movies: number): Int32Array {
  const rng = Rng.for(seed, STREAM.movieIds);
  const ids = new Int32Array(movies);
  let id = 0;
  for (let i = 0; i < movies; i++) {
    id += 1 + Math.floor(rng.exponential(2.35));
    ids[i] = id;
  }
  return ids;
}

/** Tag vocabulary: descriptors plus genre words; a few contain commas and quotes on purpose. */
export const TAG_WORDS: readonly string[] = phrases(`
  atmospheric | twist ending | based on a book | visually appealing | funny | dark comedy
  | thought-provoking | great soundtrack | overrated | classic | slow | quirky | cult film
  | dialogue | philosophical | romantic | violent | surreal | beautiful | predictable
  | funny, but sad | Oscar (Best Picture) | so bad it's "good" | nostalgic | mind-bending
  | sci-fi | noir | heist | time travel | dystopia | coming of age | strong female lead
`);
