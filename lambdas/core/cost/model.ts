/**
 * The scale and cost model behind `recsys plan`: wall time and dollars on AWS for ingest, one
 * training run and a month of serving. Pure arithmetic; every constant is in prices.ts or
 * assumptions.ts. Each pipeline is priced in its own file (ingest.ts, train.ts, serving.ts); a
 * training run's time comes from task sizing (lambdas/core/train/task-sizing.ts).
 */
import { assumptionValues, type Assumptions } from './assumptions.ts';
import { estimateIngest, type IngestEstimate } from './ingest.ts';
import type { CostModelInput } from './input.ts';
import type { PhaseEstimate } from './lines.ts';
import { US_EAST_1, type Prices } from './prices.ts';
import { estimateServingMonth } from './serving.ts';
import { estimateTrain, type TrainEstimate } from './train.ts';

export interface CostEstimate {
  ingest: IngestEstimate;
  train: TrainEstimate;
  servingMonth: PhaseEstimate;
  totalDollars: number;
}

export function estimateCosts(
  input: CostModelInput,
  overrides: { assumptions?: Partial<Assumptions>; prices?: Prices } = {},
): CostEstimate {
  const a = assumptionValues(overrides.assumptions);
  const p = overrides.prices ?? US_EAST_1;
  const ingest = estimateIngest(input, a, p);
  const train = estimateTrain(input, a, p);
  const servingMonth = estimateServingMonth(input, a, p);
  return {
    ingest,
    train,
    servingMonth,
    totalDollars: ingest.dollars + train.dollars + servingMonth.dollars,
  };
}
