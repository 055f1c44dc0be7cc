import type { TrainSummary, PublishTask } from '../../core/train/workflow-types.ts';
import {
  activateModel,
  modelPrefix,
  saveModelArtifact,
  saveModelRecord,
} from '../models/registry.ts';
import type { Stores } from '../runtime.ts';
import { finalModel } from './final-model.ts';
import { TrainingRun } from './run-state.ts';

/**
 * The last step, reached only when every step before it succeeded: the model file for on-line
 * scoring (`models/<id>/model.bin`), the model row marked ready, then the active-model pointer
 * switched in one write. Until that write, serving keeps the previous model.
 */
export async function publishModel(task: PublishTask, stores: Stores): Promise<TrainSummary> {
  const run = new TrainingRun(task.runId, stores);
  const [final, index, settings] = await Promise.all([
    finalModel(run),
    run.index(),
    run.settings(),
  ]);
  const { plan, checkpoint, model } = final;
  const history = checkpoint?.history ?? [];
  const last = history[history.length - 1];
  const written = (k: number) => (task.outputs[k] ?? []).reduce((n, r) => n + r.written, 0);
  const { rank, reg, biasReg, iterations, implicit, alpha, biases, solver, cgSteps, seed } =
    settings.options;
  const params = {
    rank,
    reg,
    biasReg,
    iterations,
    implicit,
    alpha,
    biases,
    solver,
    cgSteps,
    seed,
    blocks: plan.blockCount,
    scanRanges: plan.ranges.length,
    concurrency: plan.concurrency,
    tolerance: plan.tolerance,
    validation: plan.validation,
    splitSeed: plan.splitSeed,
    topN: plan.topN,
    similarN: plan.similarN,
    minRatings: plan.minRatings,
  };
  const summary: TrainSummary = {
    modelId: task.runId,
    dataset: plan.dataset,
    status: 'ready',
    activated: plan.activate,
    rmse: last?.rmse ?? null,
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
  await saveModelArtifact(stores.s3, task.runId, model);
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
