import type { AlsModel } from '../../core/als/index.ts';
import { narrowToSupportedItems, type NarrowedModel } from '../../core/train/candidate-items.ts';
import type { Checkpoint, RunPlan } from '../../core/train/workflow-types.ts';
import type { TrainingRun } from './run-state.ts';

export interface FinalModel {
  readonly plan: RunPlan;
  readonly checkpoint: Checkpoint | undefined;
  /** The last complete iteration (0 when the run asked for no iterations). */
  readonly iteration: number;
  readonly model: AlsModel;
  /** The model narrowed to movies with at least `plan.minRatings` ratings: what outputs rank. */
  readonly candidates: NarrowedModel;
  /** Ratings per dense item of `model` in the training data. */
  readonly support: Int32Array;
}

/** The trained model as the outputs (top-N, similar movies) and Publish see it. */
export async function finalModel(run: TrainingRun): Promise<FinalModel> {
  const [plan, checkpoint, support] = await Promise.all([
    run.plan(),
    run.checkpoint(),
    run.itemSupport(),
  ]);
  const iteration = checkpoint?.iteration ?? 0;
  const model = await run.model(iteration);
  return {
    plan,
    checkpoint,
    iteration,
    model,
    candidates: narrowToSupportedItems(model, support, plan.minRatings),
    support,
  };
}
