import { rankingParams, ratingParams } from '../../core/train/heads.ts';
import type { TrainSummary, PublishTask } from '../../core/train/workflow-types.ts';
import {
  activateModel,
  modelPrefix,
  saveModelBundle,
  saveModelRecord,
} from '../models/registry.ts';
import { publishRatersIndex } from '../models/raters-index.ts';
import type { Stores } from '../runtime.ts';
import { fitRunContentModel } from './content.ts';
import { finalModel } from './final-model.ts';
import { TrainingRun } from './run-state.ts';

/**
 * The last step, reached only when every step before it succeeded: the model bundle for on-line
 * scoring (`models/<id>/`: the ranking and rating ALS, the neighbour model, the content model
 * fitted here from the movies table and the final ranking factors, the manifest last), the
 * raters index (the run's by-movie parts copied under `models/<id>/raters/`), the model row marked ready, then the active-model pointer switched in one write. Until that
 * write, serving keeps the previous model.
 */
export async function publishModel(task: PublishTask, stores: Stores): Promise<TrainSummary> {
  const run = new TrainingRun(task.runId, stores);
  const [final, index, settings] = await Promise.all([
    finalModel(run),
    run.index(),
    run.settings(),
  ]);
  const content = await fitRunContentModel(stores.db, final.ranking, final.support);
  const { plan, checkpoint } = final;
  const history = checkpoint?.history ?? [];
  const last = history[history.length - 1];
  // The report: the rating model's validation RMSE when it had not seen the validation ratings.
  const fitRmse = [...history].reverse().find((h) => h.rmse !== null)?.rmse ?? null;
  const written = (k: number) => (task.outputs[k] ?? []).reduce((n, r) => n + r.written, 0);
  const params = {
    rating: ratingParams(settings.heads.rating),
    ranking: rankingParams(settings.heads.ranking),
    blocks: plan.blockCount,
    scanRanges: plan.ranges.length,
    concurrency: plan.concurrency,
    tolerance: plan.tolerance,
    validation: plan.validation,
    splitSeed: plan.splitSeed,
    topN: plan.topN,
    similarN: plan.similarN,
    minRatings: plan.minRatings,
    refitIterations: plan.refitIterations,
    // The model both ALS models started from, with the rows kept and hash-seeded (null: cold).
    warmStart: settings.warmStart ?? null,
    neighbours: settings.neighbours,
    blend: settings.blend,
    policy: plan.policy,
    content: content ? { ...content.settings, fittedOn: content.fittedOn } : null,
  };
  const summary: TrainSummary = {
    modelId: task.runId,
    dataset: plan.dataset,
    status: 'ready',
    activated: plan.activate,
    rmse: fitRmse,
    refitIterations: final.iteration - (checkpoint?.fitIterations ?? final.iteration),
    trainRmse: last?.trainRmse ?? null,
    iterations: final.iteration,
    converged: checkpoint?.converged ?? false,
    users: index.users,
    items: index.items,
    trainRatings: index.trainRatings,
    validationRatings: index.validationRatings,
    recommendationsWritten: written(0),
    similarMoviesWritten: written(1),
    params,
    tuned: settings.tuned,
    history,
    artifactsPrefix: modelPrefix(task.runId),
    seconds: (Date.now() - Date.parse(plan.createdAt)) / 1000,
  };
  await publishRatersIndex(stores.s3, run.layout, modelPrefix(task.runId), plan.blockCount);
  await saveModelBundle(stores.s3, task.runId, {
    ranking: final.ranking,
    neighbours: final.neighbours,
    rating: final.rating,
    blend: final.recommender.blend,
    policy: plan.policy,
    content,
  });
  const { modelId: _id, dataset: _dataset, status: _status, params: _params, ...metrics } = summary;
  await saveModelRecord(stores.db, {
    modelId: task.runId,
    dataset: plan.dataset,
    status: 'ready',
    createdAt: new Date(plan.createdAt),
    params,
    metrics,
    artifactsPrefix: summary.artifactsPrefix,
  });
  if (plan.activate) await activateModel(stores.db, task.runId);
  return summary;
}
