/**
 * Cold items (issue 14, item 5): can movies nobody has rated be recommended from their content?
 *
 *   npm run bench -- --only cold-items
 *   npx tsx scripts/bench/cold-items.ts [--seeds 0,1,2,3,4] [--keep 0,1,3,5,10]
 *       [--regs 1,3,10] [--min-ratings 1,3,5] [--own-weights 0.25,0.5,0.75]
 *
 * Protocol (lambdas/core/eval/cold-items.ts): per seed, 10 % of the movies (by hash) leave
 * training with every rating (`--keep n`: all but n of them); the product's ranking ALS
 * (DEFAULT_RECOMMENDER_OPTIONS.als) is fitted on the rest, and the content model
 * (lambdas/core/content/) on the training movies with ≥ minRatings ratings, from ml-latest-small's
 * genres, years and top tags (the 5 most used per movie: what ingestion stores as top_tags). Each
 * user with training ratings who rated a cold movie ≥ 4 ranks ALL cold movies (those with a
 * rating, minus any they rated in training); Recall@20 = hits ÷ min(20, liked). Systems:
 * - random: the exact expectation of a uniformly random order;
 * - genre popularity: a cold movie's score is the mean number of training ratings per movie of
 *   each of its genres, averaged over its genres (the same list for everyone);
 * - user's genres: the user's share of training ratings in each of the movie's genres, averaged
 *   over its genres (personal, no model);
 * - content → factors: x_u · ŷ_j with ŷ_j = Wᵀf_j (the product's cold-start vector), and the same
 *   regression from genres and year alone (a movie added without tags);
 * - with `--keep n`: the movie's own ALS factors from its n ratings, and the serving mix
 *   w·y + (1 − w)·ŷ for each `--own-weights` w.
 * Grids (`--regs`, `--min-ratings`): every point is reported as its own system; the defaults
 * (DEFAULT_CONTENT_SETTINGS) were chosen with the grids on seeds 100–104 (other held-out movies)
 * and are reported on seeds 0–4 (`--seeds 100,101,102,103,104 --regs 1,3,10 --min-ratings 1,3,5
 * --keep 0,1,3,5,10,20 --out cold-items-sweep.json` reproduces the choice). Writes
 * bench/results/cold-items.json (or `--out`).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { trainAls, type AlsModel } from '../../lambdas/core/als/index.ts';
import {
  coldItemVector,
  contentVector,
  DEFAULT_CONTENT_SETTINGS,
  FeatureEncoder,
  fitContentModel,
  type ContentSettings,
  type MovieContent,
} from '../../lambdas/core/content/content-model.ts';
import {
  coldItemMetrics,
  coldItemSplit,
  coldItemUsers,
  randomColdItemMetrics,
  type ColdItemMetrics,
  type ColdItemUser,
} from '../../lambdas/core/eval/cold-items.ts';
import {
  readMoviesFile,
  readRatingsFile,
  readTagsFile,
} from '../../lambdas/adapters/local-files.ts';
import { mostFrequentTags } from '../../lambdas/core/ingest/top-tags.ts';
import type { RatingsTable } from '../../lambdas/core/ratings.ts';
import { DEFAULT_RECOMMENDER_OPTIONS } from '../../lambdas/core/recommender/options.ts';
import { commandLine, loadAverage, resultsDir, runStamp } from './machine.ts';
import { ML_LATEST_SMALL_RATINGS } from './movielens-fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const log = (line: string) => void process.stderr.write(`bench:cold-items ${line}\n`);
const numbers = (text: string) => text.split(',').filter(Boolean).map(Number);

const defaults = DEFAULT_CONTENT_SETTINGS;
const program = new Command('cold-items')
  .description(
    'Recall@20 of held-out (cold) movies from their content; bench/results/cold-items.json',
  )
  .option('--seeds <list>', 'split seeds', '0,1,2,3,4')
  .option('--keep <list>', 'ratings each cold movie keeps in training (0: none)', '0,1,3,5,10')
  .option('--regs <list>', 'ridge λ grid', String(defaults.reg))
  .option(
    '--min-ratings <list>',
    'ratings a movie needs to take part in the fit',
    String(defaults.minRatings),
  )
  .option('--own-weights <list>', 'mix weights of a kept movie’s own factors', '0.25,0.5,0.75')
  .option('--out <file>', 'results file name in the results folder', 'cold-items.json')
  .option(
    '--iterations <n>',
    'ranking ALS iterations',
    String(DEFAULT_RECOMMENDER_OPTIONS.als.iterations),
  )
  .parse();
const opts = program.opts<{
  seeds: string;
  keep: string;
  regs: string;
  minRatings: string;
  ownWeights: string;
  iterations: string;
  out: string;
}>();

const TOP_TAGS = 5;
const K = 20;
const NO_CONTENT: MovieContent = { genres: [], year: null, tags: [] };

async function load(): Promise<{ table: RatingsTable; content: Map<number, MovieContent> }> {
  const dir = dirname(ML_LATEST_SMALL_RATINGS);
  const [table, movies, tags] = await Promise.all([
    readRatingsFile(ML_LATEST_SMALL_RATINGS),
    readMoviesFile(join(dir, 'movies.csv')),
    readTagsFile(join(dir, 'tags.csv')),
  ]);
  const top = mostFrequentTags(tags, TOP_TAGS);
  const content = new Map<number, MovieContent>();
  for (const movie of movies) {
    content.set(movie.movieId, {
      genres: movie.genres,
      year: movie.year,
      tags: top.get(movie.movieId) ?? [],
    });
  }
  return { table, content };
}

/** Ratings per dense item of the model. */
function supportOf(model: AlsModel, train: RatingsTable): Int32Array {
  const support = new Int32Array(model.itemIds.size);
  for (let i = 0; i < train.length; i++) support[model.itemIds.indexOf(train.movieIds[i]!)]!++;
  return support;
}

/** The regression on the model's movies with ≥ minRatings ratings that are not cold. */
function contentVectors(
  model: AlsModel,
  support: Int32Array,
  contentOf: (movieId: number) => MovieContent,
  settings: ContentSettings,
  cold: ReadonlySet<number>,
  candidates: Int32Array,
): Float32Array[] {
  const movies: MovieContent[] = [];
  const factors: number[] = [];
  const { rank, itemFactors, itemIds } = model;
  for (let i = 0; i < itemIds.size; i++) {
    const movieId = itemIds.ids[i]!;
    if (support[i]! < settings.minRatings || cold.has(movieId)) continue;
    movies.push(contentOf(movieId));
    for (let k = 0; k < rank; k++) factors.push(itemFactors[i * rank + k]!);
  }
  const fitted = fitContentModel(movies, Float32Array.from(factors), rank, settings);
  const encoder = new FeatureEncoder(fitted.space);
  return Array.from(candidates, (id) => contentVector(fitted, encoder, contentOf(id)));
}

/** x_u · v_j for every candidate (null: the movie scores −∞). */
function dotScorer(model: AlsModel, vectors: readonly (Float32Array | null)[]) {
  const { rank, userFactors, userIds } = model;
  return (user: ColdItemUser) => {
    const u = userIds.indexOf(user.userId);
    const out = new Float64Array(vectors.length);
    for (let c = 0; c < vectors.length; c++) {
      const v = vectors[c];
      if (!v || u < 0) {
        out[c] = -Infinity;
        continue;
      }
      let s = 0;
      for (let k = 0; k < rank; k++) s += userFactors[u * rank + k]! * v[k]!;
      out[c] = s;
    }
    return out;
  };
}

function genreScorers(
  train: RatingsTable,
  content: Map<number, MovieContent>,
  candidates: Int32Array,
) {
  const ratingsPerGenre = new Map<string, number>();
  const moviesPerGenre = new Map<string, Set<number>>();
  const userGenre = new Map<number, Map<string, number>>();
  const userTotal = new Map<number, number>();
  for (let i = 0; i < train.length; i++) {
    const userId = train.userIds[i]!;
    const movieId = train.movieIds[i]!;
    userTotal.set(userId, (userTotal.get(userId) ?? 0) + 1);
    let mine = userGenre.get(userId);
    if (!mine) userGenre.set(userId, (mine = new Map()));
    for (const genre of content.get(movieId)?.genres ?? []) {
      ratingsPerGenre.set(genre, (ratingsPerGenre.get(genre) ?? 0) + 1);
      let set = moviesPerGenre.get(genre);
      if (!set) moviesPerGenre.set(genre, (set = new Set()));
      set.add(movieId);
      mine.set(genre, (mine.get(genre) ?? 0) + 1);
    }
  }
  const popularity = (genre: string) =>
    (ratingsPerGenre.get(genre) ?? 0) / Math.max(1, moviesPerGenre.get(genre)?.size ?? 0);
  const mean = (values: number[]) =>
    values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
  const genresOf = Array.from(candidates, (id) => content.get(id)?.genres ?? []);
  const popular = Float64Array.from(genresOf, (genres) => mean(genres.map(popularity)));
  return {
    genrePopularity: () => popular,
    userGenres: (user: ColdItemUser) => {
      const mine = userGenre.get(user.userId) ?? new Map<string, number>();
      const total = userTotal.get(user.userId) ?? 1;
      return Float64Array.from(genresOf, (genres) =>
        mean(genres.map((g) => (mine.get(g) ?? 0) / total)),
      );
    },
  };
}

interface SeedResult {
  seed: number;
  keep: number;
  coldMovies: number;
  trainRatings: number;
  testRatings: number;
  users: number;
  systems: Record<string, ColdItemMetrics>;
  alsSeconds: number;
}

function runSeed(
  data: { table: RatingsTable; content: Map<number, MovieContent> },
  seed: number,
  keep: number,
): SeedResult {
  const split = coldItemSplit(data.table, { fraction: 0.1, seed, keep });
  const users = coldItemUsers(split);
  const candidates = split.coldMovies;
  const started = performance.now();
  const model = trainAls(split.train, {
    ...DEFAULT_RECOMMENDER_OPTIONS.als,
    iterations: Number(opts.iterations),
    trackTrainRmse: false,
  });
  const alsSeconds = (performance.now() - started) / 1000;
  const support = supportOf(model, split.train);
  const cold = new Set(candidates);
  const contentOf = (id: number) => data.content.get(id) ?? NO_CONTENT;
  const withoutTags = (id: number) => ({ ...contentOf(id), tags: [] });

  const genres = genreScorers(split.train, data.content, candidates);
  const systems: Record<string, ColdItemMetrics> = {
    random: randomColdItemMetrics(users, candidates, K),
    'genre popularity': coldItemMetrics(users, candidates, genres.genrePopularity, K),
    "user's genres": coldItemMetrics(users, candidates, genres.userGenres, K),
  };
  const score = (vectors: readonly (Float32Array | null)[]) =>
    coldItemMetrics(users, candidates, dotScorer(model, vectors), K);
  const predicted = contentVectors(model, support, contentOf, defaults, cold, candidates);
  systems['content → factors'] = score(predicted);
  systems['content → factors, genres + year only'] = score(
    contentVectors(model, support, withoutTags, defaults, cold, candidates),
  );
  const regs = numbers(opts.regs);
  const mins = numbers(opts.minRatings);
  if (
    regs.length > 1 ||
    mins.length > 1 ||
    regs[0] !== defaults.reg ||
    mins[0] !== defaults.minRatings
  ) {
    for (const reg of regs) {
      for (const minRatings of mins) {
        const settings = { ...defaults, reg, minRatings };
        systems[`content → factors, λ ${reg}, ≥ ${minRatings} ratings`] = score(
          contentVectors(model, support, contentOf, settings, cold, candidates),
        );
      }
    }
  }
  if (keep > 0) {
    const own = Array.from(candidates, (id) => {
      const i = model.itemIds.indexOf(id);
      return i < 0 ? null : model.itemFactors.slice(i * model.rank, (i + 1) * model.rank);
    });
    systems[`own factors (${keep} ratings)`] = score(own);
    for (const w of numbers(opts.ownWeights)) {
      systems[`mix, own weight ${w}`] = score(
        predicted.map((p, c) => coldItemVector(p, own[c] ?? null, w)),
      );
    }
  }
  return {
    seed,
    keep,
    coldMovies: candidates.length,
    trainRatings: split.train.length,
    testRatings: split.test.length,
    users: users.length,
    systems,
    alsSeconds: round(alsSeconds),
  };
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function meanOf(results: SeedResult[]): Record<string, { recall: number; ndcg: number }> {
  const out: Record<string, { recall: number; ndcg: number }> = {};
  for (const name of Object.keys(results[0]!.systems)) {
    const rs = results.map((r) => r.systems[name]!);
    out[name] = {
      recall: round(rs.reduce((s, m) => s + m.recall, 0) / rs.length),
      ndcg: round(rs.reduce((s, m) => s + m.ndcg, 0) / rs.length),
    };
  }
  return out;
}

const before = loadAverage();
const started = performance.now();
const data = await load();
log(`${data.table.length} ratings, ${data.content.size} movies`);
const byKeep: Record<string, { mean: ReturnType<typeof meanOf>; seeds: SeedResult[] }> = {};
for (const keep of numbers(opts.keep)) {
  const seeds: SeedResult[] = [];
  for (const seed of numbers(opts.seeds)) {
    const result = runSeed(data, seed, keep);
    seeds.push(result);
    log(
      `keep ${keep} seed ${seed}: ${result.users} users, ${result.coldMovies} cold movies: ` +
        Object.entries(result.systems)
          .map(([name, m]) => `${name} ${m.recall.toFixed(3)}`)
          .join(' · '),
    );
  }
  byKeep[String(keep)] = { mean: meanOf(seeds), seeds };
}
const report = {
  run: runStamp(
    commandLine('npx tsx scripts/bench/cold-items.ts'),
    before,
    Math.round((performance.now() - started) / 100) / 10,
  ),
  dataset: relative(ROOT, dirname(ML_LATEST_SMALL_RATINGS)),
  protocol: {
    coldFraction: 0.1,
    k: K,
    relevance: 'rating ≥ 4',
    candidates: 'every cold movie with a rating, minus the ones the user rated in training',
    recall: 'hits in the top 20 ÷ min(20, liked cold movies)',
    contentSettings: defaults,
    topTagsPerMovie: TOP_TAGS,
    rankingAls: DEFAULT_RECOMMENDER_OPTIONS.als,
  },
  byKeep,
};
const file = join(resultsDir(), opts.out);
writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
log(`wrote ${relative(ROOT, file)}`);
