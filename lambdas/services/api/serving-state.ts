import type { AlsModel, FoldInOptions } from '../../core/als/index.ts';
import { computeGram, itemNorms } from '../../core/als/index.ts';
import { Catalogue } from '../../core/serving/catalogue.ts';
import {
  MODEL_ONLY_POLICY,
  rankingPolicyFor,
  supportByItem,
  type RankingPolicy,
} from '../../core/serving/ranking.ts';
import { logger } from '../logger.ts';
import {
  activeModelId,
  getModelRecord,
  loadModelArtifact,
  type ModelRecord,
} from '../models/registry.ts';
import type { Stores } from '../runtime.ts';
import { loadCatalogue } from './catalogue-loader.ts';

/** The active model with what serving derives from it once, not per request. */
export interface ServingModel {
  readonly record: ModelRecord;
  readonly model: AlsModel;
  /** Ratings per dense item (the catalogue's counts) for the ranking policy. */
  readonly support: Int32Array;
  readonly policy: RankingPolicy;
  /** Cosine denominators for on-line similar movies, computed on first use. */
  norms(): Float32Array;
  /** YᵀY of the item factors, which every implicit fold-in needs: computed once, not per request. */
  foldInOptions(): FoldInOptions;
}

export interface ServingSettings {
  /** How often a warm container asks which model is active (one single-row read). */
  readonly modelCheckMs: number;
  /** How long the in-memory catalogue is trusted before it is read again. */
  readonly catalogueTtlMs: number;
}

export function servingSettingsFromEnv(env: NodeJS.ProcessEnv): ServingSettings {
  const seconds = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    return Number.isFinite(value) && value >= 0 ? value * 1000 : fallback * 1000;
  };
  return {
    modelCheckMs: seconds('RECSYS_MODEL_CHECK_SECONDS', 30),
    catalogueTtlMs: seconds('RECSYS_CATALOGUE_TTL_SECONDS', 600),
  };
}

/**
 * What one Lambda container (or one local server) keeps between requests: the catalogue and the
 * active model's factors. Each is loaded at most once at a time (concurrent requests share the
 * promise) and refreshed in the background of a request when stale: the active model when the
 * `active_model` row names another model, the catalogue after its TTL. A failed refresh keeps
 * serving what was loaded before.
 */
export class ServingState {
  private catalogueCache: { value: Catalogue; loadedAt: number } | undefined;
  private catalogueLoad: Promise<Catalogue> | undefined;
  private modelCache: { value: ServingModel | undefined; checkedAt: number } | undefined;
  private modelLoad: Promise<ServingModel | undefined> | undefined;

  constructor(
    private readonly stores: () => Stores,
    private readonly settings: ServingSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async catalogue(): Promise<Catalogue> {
    const cached = this.catalogueCache;
    if (cached && this.now() - cached.loadedAt < this.settings.catalogueTtlMs) return cached.value;
    this.catalogueLoad ??= loadCatalogue(this.stores().db)
      .then((movies) => {
        const value = new Catalogue(movies);
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

  /** The active model, or undefined while none is published. */
  async activeModel(): Promise<ServingModel | undefined> {
    const cached = this.modelCache;
    if (cached && this.now() - cached.checkedAt < this.settings.modelCheckMs) return cached.value;
    this.modelLoad ??= this.refreshModel(cached?.value)
      .then((value) => {
        this.modelCache = { value, checkedAt: this.now() };
        return value;
      })
      .catch((error: unknown) => {
        if (!cached) throw error;
        logger.warn('model refresh failed; serving the previous one', { error: String(error) });
        this.modelCache = { value: cached.value, checkedAt: this.now() };
        return cached.value;
      })
      .finally(() => (this.modelLoad = undefined));
    return this.modelLoad;
  }

  private async refreshModel(current: ServingModel | undefined): Promise<ServingModel | undefined> {
    const { db, s3 } = this.stores();
    const id = await activeModelId(db);
    if (id === undefined) return undefined;
    if (current?.record.modelId === id) return current;
    const started = performance.now();
    const record = await getModelRecord(db, id);
    if (!record) throw new Error(`active model ${id} has no models row`);
    const [model, catalogue] = await Promise.all([
      loadModelArtifact(s3, record.artifactsPrefix),
      this.catalogue(),
    ]);
    const support = supportByItem(model, (movieId) => catalogue.get(movieId)?.ratingCount);
    // Without ingestion's rating counts every movie would fail the support filter.
    const hasCounts = support.some((count) => count > 0);
    let norms: Float32Array | undefined;
    let foldIn: FoldInOptions | undefined;
    const loaded: ServingModel = {
      record,
      model,
      support,
      policy: hasCounts ? rankingPolicyFor(model) : MODEL_ONLY_POLICY,
      norms: () => (norms ??= itemNorms(model)),
      foldInOptions: () =>
        (foldIn ??= model.options.implicit
          ? { gram: computeGram(model.itemFactors, model.rank) }
          : {}),
    };
    // Pay the one-off costs while loading rather than in the first request that needs them.
    loaded.foldInOptions();
    logger.info('model loaded', {
      modelId: id,
      users: model.userIds.size,
      movies: model.itemIds.size,
      rank: model.rank,
      ms: Math.round(performance.now() - started),
    });
    return loaded;
  }
}
