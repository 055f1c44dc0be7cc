import type { AlsModel } from '../../core/als/index.ts';
import { itemNorms } from '../../core/als/index.ts';
import { modelForUser, type ArmChoice } from '../../core/experiments/assignment.ts';
import { lastDays } from '../../core/feedback/keys.ts';
import { trendingMovies, type TrendingMovie } from '../../core/feedback/trending.ts';
import type { ModelBundle } from '../../core/recommender/bundle.ts';
import { Catalogue, type Movie } from '../../core/serving/catalogue.ts';
import { buildColdItems, type ColdItems } from '../../core/serving/cold-start.ts';
import type { Recommender } from '../../core/serving/recommender.ts';
import { servingRecommender, SIMILAR_MIN_RATINGS } from '../../core/serving/serving-bundle.ts';
import { runningExperiment, type ExperimentRecord } from '../experiments/registry.ts';
import { logger } from '../logger.ts';
import {
  activeModelId,
  getModelRecord,
  loadModelBundle,
  type ModelRecord,
} from '../models/registry.ts';
import { ModelRaters } from '../models/raters-index.ts';
import type { Stores } from '../runtime.ts';
import { loadCatalogue } from './catalogue-loader.ts';
import { CheckedValue } from './checked-value.ts';
import { readEvents } from './feedback-store.ts';

/** The active model version with what serving derives from it once, not per request. */
export interface ServingModel {
  readonly record: ModelRecord;
  readonly bundle: ModelBundle;
  /**
   * The bundle's ranking model, neighbour model, blend and policy, prepared once: support from
   * the catalogue's rating counts per dense item of `bundle.ranking`, YᵀY for fold-in.
   */
  readonly recommender: Recommender;
  /** The explicit model behind `predictedRating`; null when the bundle has none. */
  readonly rating: AlsModel | null;
  /** Support threshold of on-line similar movies (0 when the catalogue has no counts). */
  readonly similarMinRatings: number;
  /** Cosine denominators of the ranking model's item factors, computed on first use. */
  norms(): Float32Array;
  /**
   * Who rated a movie as the model's training read the ratings (its raters index in S3, each
   * part's directory cached with the model); null for a model published without one.
   */
  readonly raters: ModelRaters;
  /**
   * The catalogue's cold movies with their content vectors (the bundle's content model), built
   * once per catalogue version; null when the bundle has no content model.
   */
  cold(catalogue: Catalogue): ColdItems | null;
}

/** The running experiment and its candidate model, loaded like the active one. */
export interface RunningExperiment {
  readonly record: ExperimentRecord;
  readonly candidate: ServingModel;
}

/** Which model serves a user, and the experiment and arm their list is recorded under. */
export type UserModel = ArmChoice<ServingModel>;

export interface ServingSettings {
  /** How often a warm container asks which model is active (one single-row read). */
  readonly modelCheckMs: number;
  /** How long the in-memory catalogue is trusted before it is read again. */
  readonly catalogueTtlMs: number;
  /** Share of a personal list's places that go to cold movies (RECSYS_COLD_START_SHARE). */
  readonly coldStartShare: number;
  /** How long a container reuses the trending counts it read (RECSYS_TRENDING_TTL_SECONDS). */
  readonly trendingTtlMs: number;
}

export function servingSettingsFromEnv(env: NodeJS.ProcessEnv): ServingSettings {
  const seconds = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    return Number.isFinite(value) && value >= 0 ? value * 1000 : fallback * 1000;
  };
  return {
    modelCheckMs: seconds('RECSYS_MODEL_CHECK_SECONDS', 30),
    catalogueTtlMs: seconds('RECSYS_CATALOGUE_TTL_SECONDS', 600),
    coldStartShare: parseShare(env.RECSYS_COLD_START_SHARE),
    trendingTtlMs: seconds('RECSYS_TRENDING_TTL_SECONDS', 60),
  };
}

/**
 * RECSYS_COLD_START_SHARE: a fraction in [0, 1]; absent or empty → 0 (off). Exploration is opt-in:
 * giving one place in ten to cold movies cost 3 % NDCG@100 and 5 % NDCG@10 on held-out users of
 * ml-latest-small (0.391 → 0.378, 0.315 → 0.300 through `POST /recommendations`), and it would make
 * the API's lists differ from what `recsys evaluate --protocol users` measures.
 */
export function parseShare(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 0;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`RECSYS_COLD_START_SHARE must be a number from 0 to 1, got "${raw}"`);
  }
  return value;
}

/**
 * What one Lambda container (or one local server) keeps between requests: the catalogue and the
 * active model version's bundle (ranking, neighbour and rating models). Each is loaded at most once at a time (concurrent requests share the
 * promise) and refreshed in the background of a request when stale: the active model when the
 * `active_model` row names another model, the catalogue after its TTL. A failed refresh keeps
 * serving what was loaded before.
 */
export class ServingState {
  private catalogueCache: { value: Catalogue; loadedAt: number } | undefined;
  private catalogueLoad: Promise<Catalogue> | undefined;
  private readonly model = new CheckedValue<ServingModel | undefined>(
    (current) => this.refreshModel(current),
    (error, previous) => {
      if (!previous) throw error;
      logger.warn('model refresh failed; serving the previous one', { error: String(error) });
      return previous.value;
    },
    () => this.settings.modelCheckMs,
    () => this.now(),
  );
  private readonly runningExperiment = new CheckedValue<RunningExperiment | undefined>(
    (current) => this.refreshExperiment(current),
    (error, previous) => {
      logger.warn('experiment check failed; keeping the previous one', {
        error: String(error),
        experiment: previous?.value?.record.name ?? null,
      });
      return previous?.value;
    },
    () => this.settings.modelCheckMs,
    () => this.now(),
  );
  /** Movies this container wrote (PUT /movies), in order: laid over a scan that may predate them. */
  private movieWrites: { seq: number; movie: Movie }[] = [];
  private movieSeq = 0;
  private trendingCache = new Map<number, { at: number; value: Promise<TrendingMovie[]> }>();

  constructor(
    private readonly stores: () => Stores,
    private readonly settings: ServingSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get coldStartShare(): number {
    return this.settings.coldStartShare;
  }

  async catalogue(): Promise<Catalogue> {
    const cached = this.catalogueCache;
    if (cached && this.now() - cached.loadedAt < this.settings.catalogueTtlMs) return cached.value;
    const seqAtStart = this.movieSeq;
    this.catalogueLoad ??= loadCatalogue(this.stores().db)
      .then((movies) => {
        // A movie this container wrote while the scan ran may be missing from it (or older).
        let value = new Catalogue(movies);
        for (const write of this.movieWrites) {
          if (write.seq > seqAtStart) value = value.withMovie(write.movie);
        }
        this.movieWrites = this.movieWrites.filter((write) => write.seq > seqAtStart);
        this.catalogueCache = { value, loadedAt: this.now() };
        logger.info('catalogue loaded', { movies: value.size });
        return value;
      })
      .catch((error: unknown) => {
        if (!cached) throw error;
        logger.warn('catalogue refresh failed; serving the previous one', { error: String(error) });
        return cached.value;
      })
      .finally(() => (this.catalogueLoad = undefined));
    return this.catalogueLoad;
  }

  /**
   * A movie this container has just written to the movies table: its catalogue shows it at once
   * (other containers see it within their catalogue TTL).
   */
  putMovie(movie: Movie): void {
    this.movieWrites.push({ seq: ++this.movieSeq, movie });
    const cached = this.catalogueCache;
    if (cached) this.catalogueCache = { ...cached, value: cached.value.withMovie(movie) };
  }

  /**
   * The last `days` days' trending movies (core/feedback/trending.ts): the events table read once
   * per TTL per window; this container's own event writes make the next call read again.
   */
  trending(days: number): Promise<TrendingMovie[]> {
    const now = this.now();
    const cached = this.trendingCache.get(days);
    if (cached && now - cached.at < this.settings.trendingTtlMs) return cached.value;
    const value = readEvents(this.stores().db, lastDays(now, days)).then((events) =>
      trendingMovies(events, { from: now - days * 86_400_000, to: now }),
    );
    this.trendingCache.set(days, { at: now, value });
    value.catch(() => this.trendingCache.delete(days));
    return value;
  }

  /** This container stored events: trending counts read before them are stale. */
  eventsWritten(): void {
    this.trendingCache.clear();
  }

  /** The active model, or undefined while none is published. */
  async activeModel(): Promise<ServingModel | undefined> {
    return this.model.get();
  }

  /**
   * The running experiment with its candidate loaded, or undefined when none runs. Checked as
   * often as the active model (one small scan). A failed check keeps what was loaded before (a
   * user keeps their arm through a blip); a candidate that never loaded leaves the experiment out
   * (every user served by the control, no list recorded under an arm) rather than failing
   * requests, and is tried again at the next check.
   */
  async experiment(): Promise<RunningExperiment | undefined> {
    return this.runningExperiment.get();
  }

  /**
   * The model that serves `userId`: the candidate for a user in the running experiment's candidate
   * arm, else the active model; with the experiment and arm their lists are recorded under.
   */
  async modelFor(userId: number): Promise<UserModel> {
    const [active, experiment] = await Promise.all([this.activeModel(), this.experiment()]);
    return modelForUser(
      userId,
      active,
      experiment
        ? {
            name: experiment.record.name,
            share: experiment.record.share,
            candidate: experiment.candidate,
          }
        : null,
    );
  }

  private async refreshExperiment(
    current: RunningExperiment | undefined,
  ): Promise<RunningExperiment | undefined> {
    const record = await runningExperiment(this.stores().db);
    if (!record) return undefined;
    const candidate =
      current?.candidate.record.modelId === record.candidateModelId
        ? current.candidate
        : await this.loadModel(record.candidateModelId);
    return { record, candidate };
  }

  private async refreshModel(current: ServingModel | undefined): Promise<ServingModel | undefined> {
    const id = await activeModelId(this.stores().db);
    if (id === undefined) return undefined;
    if (current?.record.modelId === id) return current;
    // The candidate of an experiment being promoted is in memory already: no second load.
    const candidate = this.runningExperiment.current?.candidate;
    if (candidate?.record.modelId === id) return candidate;
    return this.loadModel(id);
  }

  private async loadModel(id: string): Promise<ServingModel> {
    const { db, s3 } = this.stores();
    const started = performance.now();
    const record = await getModelRecord(db, id);
    if (!record) throw new Error(`model ${id} has no models row`);
    const [bundle, catalogue] = await Promise.all([
      loadModelBundle(s3, record.artifactsPrefix),
      this.catalogue(),
    ]);
    // Prepared once per model version: YᵀY for fold-in and the support are paid here, while
    // loading, rather than in the first request that needs them.
    const { recommender, hasCounts } = servingRecommender(
      bundle,
      (movieId) => catalogue.get(movieId)?.ratingCount,
    );
    const { ranking } = bundle;
    let norms: Float32Array | undefined;
    const content = bundle.content ?? null;
    const coldByCatalogue = new WeakMap<Catalogue, ColdItems>();
    const loaded: ServingModel = {
      record,
      bundle,
      recommender,
      rating: bundle.rating,
      similarMinRatings: hasCounts ? SIMILAR_MIN_RATINGS : 0,
      norms: () => (norms ??= itemNorms(ranking)),
      raters: new ModelRaters(s3, record.artifactsPrefix),
      cold: (current) => {
        if (!content) return null;
        let cold = coldByCatalogue.get(current);
        if (!cold) {
          cold = buildColdItems(ranking, recommender.support, content, current.movies(), hasCounts);
          coldByCatalogue.set(current, cold);
        }
        return cold;
      },
    };
    logger.info('model loaded', {
      modelId: id,
      users: ranking.userIds.size,
      movies: ranking.itemIds.size,
      rank: ranking.rank,
      neighbours: bundle.neighbours?.movieIds.length ?? 0,
      blend: recommender.blend,
      rating: bundle.rating !== null,
      content: content ? content.fittedOn : null,
      ms: Math.round(performance.now() - started),
    });
    return loaded;
  }
}
