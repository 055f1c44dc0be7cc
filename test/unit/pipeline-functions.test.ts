import { describe, expect, it } from 'vitest';
import { ASSUMPTIONS } from '../../lambdas/core/cost/assumptions.ts';
import { INGEST_FUNCTIONS } from '../../statemachines/ingest.functions.ts';
import type { PipelineFunctions } from '../../statemachines/pipeline-function.ts';
import { TRAIN_FUNCTIONS } from '../../statemachines/train.functions.ts';

const memoryOf = (functions: PipelineFunctions, substitutions: readonly string[]) =>
  substitutions.map((substitution) => functions[substitution]?.memoryMb);

// The cost model prices each kind of Lambda at an assumed memory size; it must be the size the
// function tables deploy, or `recsys plan` quotes GB-seconds for Lambdas that do not exist.
describe('the cost model prices the memory the function tables deploy', () => {
  it('train: block steps, scans, small steps', () => {
    expect(
      memoryOf(TRAIN_FUNCTIONS, [
        'TrainSolveBlockFunctionArn',
        'TrainEvaluateBlockFunctionArn',
        'TrainTopNFunctionArn',
        'TrainSimilarMoviesFunctionArn',
        'TrainNeighbourGramFunctionArn',
        'TrainNeighbourSolveFunctionArn',
      ]),
    ).toEqual(Array(6).fill(ASSUMPTIONS.solveMemoryMb.value));
    expect(
      memoryOf(TRAIN_FUNCTIONS, ['TrainScanRangeFunctionArn', 'TrainAssembleBlockFunctionArn']),
    ).toEqual(Array(2).fill(ASSUMPTIONS.scanMemoryMb.value));
    expect(
      memoryOf(TRAIN_FUNCTIONS, [
        'TrainBuildIndexFunctionArn',
        'TrainInitFunctionArn',
        'TrainCombineFactorsFunctionArn',
        'TrainPublishFunctionArn',
      ]),
    ).toEqual(Array(4).fill(ASSUMPTIONS.smallTaskMemoryMb.value));
    // Priced at the small-task size as well, which holds only while they deploy no larger.
    for (const memoryMb of memoryOf(TRAIN_FUNCTIONS, [
      'TrainPlanFunctionArn',
      'TrainCheckpointFunctionArn',
    ])) {
      expect(memoryMb).toBeLessThanOrEqual(ASSUMPTIONS.smallTaskMemoryMb.value);
    }
  });

  it('ingest: the chunk, Catalogue and Aggregate Lambdas', () => {
    expect(
      memoryOf(INGEST_FUNCTIONS, [
        'ChunkFunctionArn',
        'CatalogueFunctionArn',
        'AggregateFunctionArn',
      ]),
    ).toEqual(Array(3).fill(ASSUMPTIONS.ingestMemoryMb.value));
  });
});
