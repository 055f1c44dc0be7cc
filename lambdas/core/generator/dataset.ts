import { RatingsTableBuilder, type RatingsTable } from '../ratings.ts';
import { catalogueMovie, genresFromFactors, linkFor } from './catalogue.ts';
import {
  csvField,
  LINKS_HEADER,
  MOVIES_HEADER,
  RATING_TEXT,
  RATINGS_HEADER,
  TAGS_HEADER,
} from './csv-text.ts';
import { resolveGeneratorParams, type GeneratorOptions, type GeneratorParams } from './params.ts';
import { plantMovies, type PlantedMovies } from './planted-movies.ts';
import { PopularitySampler, userActivityCounts } from './popularity.ts';
import { Rng, STREAM } from './random.ts';
import { UserRatingsGenerator, type UserRatings } from './user-ratings.ts';

export interface RatingsChunk {
  /** ratings.csv text (the header is in the first chunk). */
  ratings: string;
  /** tags.csv text for the same users. */
  tags: string;
  rows: number;
}

export interface GenerationStats {
  rows: number;
  tags: number;
  /** RMSE of clamp(planted score) against the written ratings: the floor for any model. */
  oracleRmse: number;
}

/** What `generator.json` records, so tests and benchmarks know the truth behind the data. */
export interface GeneratorMetadata extends GeneratorParams {
  generator: 'recsys generate';
  formatVersion: 1;
  tags: number;
  oracleRmse: number;
}

// Chunks of ~1 MB amortize write calls while keeping memory flat.
const CHUNK_BYTES = 1 << 20;

/**
 * A MovieLens-shaped data set with a planted low-rank structure, produced as text chunks in file order
 * (users ascending, each user's ratings in time order). Nothing here touches the file system, and
 * memory is O(users + movies × rank) however many ratings are generated.
 */
export class MovieLensGenerator {
  readonly params: GeneratorParams;
  private readonly movies: PlantedMovies;
  private readonly popularity: PopularitySampler;
  private readonly activity: Int32Array;

  constructor(options: GeneratorOptions) {
    this.params = resolveGeneratorParams(options);
    this.movies = plantMovies(this.params);
    this.popularity = new PopularitySampler(this.params);
    this.activity = userActivityCounts(this.params);
  }

  /** Generates every user in id order; the buffer passed to `visit` is reused for the next user. */
  forEachUser(visit: (user: UserRatings) => void): GenerationStats {
    const users = new UserRatingsGenerator(this.params, this.movies, this.popularity);
    let tags = 0;
    for (let u = 0; u < this.params.users; u++) {
      const user = users.generate(u, this.activity[u]!);
      tags += user.tags.length;
      visit(user);
    }
    return { rows: this.params.ratings, tags, oracleRmse: users.oracleRmse };
  }

  /**
   * ratings.csv and tags.csv text in ~1 MB chunks. Pull-based, so a writer can wait for its stream to
   * drain between chunks. `onDone` receives the statistics once the last chunk has been taken.
   */
  *ratingChunks(onDone?: (stats: GenerationStats) => void): Generator<RatingsChunk> {
    const users = new UserRatingsGenerator(this.params, this.movies, this.popularity);
    let ratings = RATINGS_HEADER;
    let tags = TAGS_HEADER;
    let rows = 0;
    let tagCount = 0;
    for (let u = 0; u < this.params.users; u++) {
      const user = users.generate(u, this.activity[u]!);
      const prefix = `${user.userId},`;
      for (let i = 0; i < user.count; i++) {
        ratings += `${prefix}${user.movieIds[i]},${RATING_TEXT[user.ratings[i]! * 2]},${user.timestamps[i]}\n`;
      }
      for (const tag of user.tags)
        tags += `${prefix}${tag.movieId},${csvField(tag.tag)},${tag.timestamp}\n`;
      rows += user.count;
      tagCount += user.tags.length;
      if (ratings.length >= CHUNK_BYTES) {
        yield { ratings, tags, rows };
        ratings = tags = '';
        rows = 0;
      }
    }
    yield { ratings, tags, rows };
    onDone?.({ rows: this.params.ratings, tags: tagCount, oracleRmse: users.oracleRmse });
  }

  /** movies.csv text in chunks: MovieLens-style titles with years, genres tied to the planted tastes. */
  *moviesCsv(): Generator<string> {
    const { seed, rank, movies } = this.params;
    let text = MOVIES_HEADER;
    for (let m = 0; m < movies; m++) {
      const id = this.movies.ids[m]!;
      const genres = genresFromFactors(
        this.movies.factors,
        m * rank,
        rank,
        Rng.for(seed, STREAM.movieGenres, id),
      );
      const movie = catalogueMovie(seed, id, m, genres);
      text += `${id},${csvField(movie.title)},${movie.genres}\n`;
      if (text.length >= CHUNK_BYTES) {
        yield text;
        text = '';
      }
    }
    yield text;
  }

  *linksCsv(): Generator<string> {
    let text = LINKS_HEADER;
    for (let m = 0; m < this.params.movies; m++) {
      const id = this.movies.ids[m]!;
      const link = linkFor(this.params.seed, id);
      text += `${id},${link.imdbId},${link.tmdbId}\n`;
      if (text.length >= CHUNK_BYTES) {
        yield text;
        text = '';
      }
    }
    yield text;
  }

  metadata(stats: GenerationStats): GeneratorMetadata {
    const { ratings, users, movies, seed, rank, noiseSd, minRatingsPerUser, model } = this.params;
    return {
      generator: 'recsys generate',
      formatVersion: 1,
      ratings,
      users,
      movies,
      seed,
      rank,
      noiseSd,
      minRatingsPerUser,
      model,
      tags: stats.tags,
      oracleRmse: stats.oracleRmse,
    };
  }
}

/** The same ratings as `ratings.csv` would hold, straight into memory (for tests and benchmarks). */
export function generateRatingsTable(options: GeneratorOptions): {
  table: RatingsTable;
  metadata: GeneratorMetadata;
} {
  const generator = new MovieLensGenerator(options);
  const builder = new RatingsTableBuilder(generator.params.ratings);
  const stats = generator.forEachUser((user) => {
    for (let i = 0; i < user.count; i++) {
      builder.push(user.userId, user.movieIds[i]!, user.ratings[i]!, user.timestamps[i]!);
    }
  });
  return { table: builder.finish(), metadata: generator.metadata(stats) };
}
