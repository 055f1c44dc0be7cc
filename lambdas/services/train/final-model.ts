import type { AlsModel } from '../../core/als/index.ts';
import type { NeighbourModel } from '../../core/neighbours/model.ts';
import { narrowToSupportedItems, type NarrowedModel } from '../../core/train/candidate-items.ts';
import type { Checkpoint, RunPlan, RunSettings } from '../../core/train/workflow-types.ts';
import { prepareRecommender, type Recommender } from '../../core/serving/recommender.ts';
import { runNeighbours } from './neighbours.ts';
import type { TrainingRun } from './run-state.ts';

export interface FinalModel {
  readonly plan: RunPlan;
  readonly settings: RunSettings;
  readonly checkpoint: Checkpoint | undefined;
  /** The last complete iteration (0 when the run asked for no iterations). */
  readonly iteration: number;
  /** The explicit ALS: predicted stars and the validation RMSE. */
  readonly rating: AlsModel;
  /** The implicit ALS that ranks. */
  readonly ranking: AlsModel;
  readonly neighbours: NeighbourModel | null;
  /** Ranking and neighbours blended exactly as the API blends them. */
  readonly recommender: Recommender;
  /** The ranking model narrowed to movies with at least `plan.minRatings`: similar movies. */
  readonly candidates: NarrowedModel;
  /** Ratings per dense item of the models, train and validation. */
  readonly support: Int32Array;
}

/** The trained models as the outputs (top-N, similar movies) and Publish see them. */
export async function finalModel(run: TrainingRun): Promise<FinalModel> {
  const [plan, settings, checkpoint, support] = await Promise.all([
    run.plan(),
    run.settings(),
    run.checkpoint(),
    run.itemSupport(),
  ]);
  const iteration = checkpoint?.iteration ?? 0;
  const [rating, ranking, neighbours] = await Promise.all([
    run.model(iteration, 'rating'),
    run.model(iteration, 'ranking'),
    runNeighbours(run),
  ]);
  return {
    plan,
    settings,
    checkpoint,
    iteration,
    rating,
    ranking,
    neighbours,
    recommender: prepareRecommender({
      ranking,
      neighbours,
      blend: neighbours ? settings.blend : 0,
      support,
      policy: plan.policy,
    }),
    candidates: narrowToSupportedItems(ranking, support, plan.minRatings),
    support,
  };
}
