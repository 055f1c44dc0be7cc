import { describe, expect, it } from 'vitest';
import {
  parseLinksCsv,
  parseMoviesCsv,
  parseTagsCsv,
  splitTitleYear,
} from '../../lambdas/core/formats/catalogue-files.ts';

describe('movies.csv', () => {
  const text = [
    '\uFEFFmovieId,title,genres',
    '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy',
    '11,"American President, The (1995)",Comedy|Drama|Romance',
    '1225,"""Great Performances"" Cats (1998)",Musical',
    '2769,"Yards, The (2000)",(no genres listed)',
    "4454,Amélie (Fabuleux destin d'Amélie Poulain) (2001),Comedy|Romance",
    '171749,Death Note: Desu nôto (2006–2007),(no genres listed)',
    '149334,Babylon 5,Sci-Fi',
    '',
  ].join('\r\n');

  it('unquotes titles with commas and doubled quotes, keeps UTF-8, splits genres', () => {
    const movies = parseMoviesCsv(text);
    expect(movies).toHaveLength(7);
    expect(movies[0]).toEqual({
      movieId: 1,
      title: 'Toy Story (1995)',
      year: 1995,
      genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'],
    });
    expect(movies[1]!.title).toBe('American President, The (1995)');
    expect(movies[2]!.title).toBe('"Great Performances" Cats (1998)');
    expect(movies[3]!.genres).toEqual([]);
    expect(movies[4]!.title).toBe("Amélie (Fabuleux destin d'Amélie Poulain) (2001)");
    expect(movies.map((m) => m.year)).toEqual([1995, 1995, 1998, 2000, 2001, 2006, null]);
  });

  it('names file and line for a row with the wrong column count', () => {
    expect(() =>
      parseMoviesCsv('movieId,title,genres\n1,Toy Story (1995)\n', 'movies.csv'),
    ).toThrow('movies.csv:2: wrong column count (expected 3, got 2)');
    expect(() => parseMoviesCsv('movieId,title,genres\nabc,T,Drama\n', 'm.csv')).toThrow(
      'm.csv:2: non-numeric movieId',
    );
  });

  it('names file and line for broken quoting', () => {
    expect(() => parseMoviesCsv('movieId,title,genres\n1,"Toy" Story,Drama\n', 'q.csv')).toThrow(
      /^q\.csv:2: /,
    );
  });
});

describe('splitTitleYear', () => {
  it.each([
    ['Toy Story (1995)', 'Toy Story', 1995],
    [
      'City of Lost Children, The (Cité des enfants perdus, La) (1995)',
      'City of Lost Children, The (Cité des enfants perdus, La)',
      1995,
    ],
    ['Fawlty Towers (1975-1979)', 'Fawlty Towers', 1975],
    ['Death Note: Desu nôto (2006–2007)', 'Death Note: Desu nôto', 2006],
    ['Hyena Road (2015) ', 'Hyena Road', 2015],
    ['Babylon 5', 'Babylon 5', null],
    ['1984 (1956)', '1984', 1956],
    ['2001: A Space Odyssey (1968)', '2001: A Space Odyssey', 1968],
  ])('%s', (title, name, year) => {
    expect(splitTitleYear(title)).toEqual({ name, year });
  });
});

describe('tags.csv and links.csv', () => {
  it('parses tags with commas and quotes', () => {
    const tags = parseTagsCsv(
      'userId,movieId,tag,timestamp\n2,60756,funny,1445714994\n18,431,"Al Pacino, gangster",1462138765\n62,2023,"so bad it\'s ""good""",1525636847\n',
    );
    expect(tags).toEqual([
      { userId: 2, movieId: 60756, tag: 'funny', timestamp: 1445714994 },
      { userId: 18, movieId: 431, tag: 'Al Pacino, gangster', timestamp: 1462138765 },
      { userId: 62, movieId: 2023, tag: 'so bad it\'s "good"', timestamp: 1525636847 },
    ]);
  });

  it('keeps IMDb ids zero-padded and maps an empty TMDb id to null', () => {
    expect(parseLinksCsv('movieId,imdbId,tmdbId\n1,0114709,862\n791,0113610,\n')).toEqual([
      { movieId: 1, imdbId: '0114709', tmdbId: 862 },
      { movieId: 791, imdbId: '0113610', tmdbId: null },
    ]);
  });
});
