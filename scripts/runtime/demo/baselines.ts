import type { S3Store } from '../../../lambdas/adapters/s3.ts';
import {
  biasPredictor,
  fitBiases,
  globalMeanPredictor,
  type RatingPredictor,
} from '../../../lambdas/core/eval/baselines.ts';
import { rmse } from '../../../lambdas/core/eval/metrics.ts';
import { RatingsTableBuilder, type RatingsTable } from '../../../lambdas/core/ratings.ts';
import { runLayout } from '../../../lambdas/core/train/run-layout.ts';
import { decodeShufflePart } from '../../../lambdas/core/train/shuffle.ts';
import type { Baselines } from './demo-state.ts';

/**
 * The yardsticks on exactly the training run's split: its shuffle parts (by user block) hold every
 * rating the run scanned, already sorted into train and validation, so the baselines see the rows
 * the model saw and are scored on the rows the model's validation RMSE was.
 */
export async function baselinesOfRun(s3: S3Store, runId: string): Promise<Baselines> {
  const prefix = runLayout(runId).root + 'shuffle/by-user/';
  const train = new RatingsTableBuilder();
  const validation = new RatingsTableBuilder();
  let parts = 0;
  for await (const key of s3.listKeys(prefix)) {
    const part = decodeShufflePart(new Uint8Array(await s3.getBuffer(key)));
    append(train, part.train);
    append(validation, part.validation);
    parts++;
  }
  if (parts === 0) throw new Error(`no shuffle parts under s3://${s3.bucket}/${prefix}`);
  const trainTable = train.finish();
  const validationTable = validation.finish();
  return {
    globalMean: score(globalMeanPredictor(trainTable), validationTable),
    biasOnly: score(biasPredictor(fitBiases(trainTable)), validationTable),
    trainRatings: trainTable.length,
    validationRatings: validationTable.length,
  };
}

function append(into: RatingsTableBuilder, table: RatingsTable): void {
  for (let i = 0; i < table.length; i++) {
    into.push(table.userIds[i]!, table.movieIds[i]!, table.ratings[i]!);
  }
}

function score(predict: RatingPredictor, table: RatingsTable): number {
  const predicted = new Float64Array(table.length);
  for (let i = 0; i < table.length; i++)
    predicted[i] = predict(table.userIds[i]!, table.movieIds[i]!);
  return rmse(predicted, table.ratings);
}
