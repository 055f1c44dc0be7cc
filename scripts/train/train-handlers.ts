import type { HandlerBinding } from '../local-sfn/index.ts';

export const TRAIN_DEFINITION = 'statemachines/train.asl.json';

const handler = (name: string, timeoutSeconds = 900): HandlerBinding => ({
  module: `lambdas/train-${name}/handler.ts`,
  timeoutSeconds,
});

/** The ASL's function substitutions → the handler modules the CDK stack deploys for them. */
export const TRAIN_HANDLERS: Readonly<Record<string, HandlerBinding>> = {
  TrainPlanFunctionArn: handler('plan', 120),
  TrainScanRangeFunctionArn: handler('scan-range'),
  TrainBuildIndexFunctionArn: handler('build-index', 300),
  TrainAssembleBlockFunctionArn: handler('assemble-block'),
  TrainTuneCandidateFunctionArn: handler('tune-candidate'),
  TrainTuneSelectFunctionArn: handler('tune-select', 60),
  TrainInitFunctionArn: handler('init', 300),
  TrainSolveBlockFunctionArn: handler('solve-block'),
  TrainCombineFactorsFunctionArn: handler('combine-factors', 300),
  TrainEvaluateBlockFunctionArn: handler('evaluate-block'),
  TrainCheckpointFunctionArn: handler('checkpoint', 120),
  TrainNeighbourGramFunctionArn: handler('neighbour-gram'),
  TrainNeighbourSolveFunctionArn: handler('neighbour-solve'),
  TrainTopNFunctionArn: handler('top-n'),
  TrainSimilarMoviesFunctionArn: handler('similar-movies'),
  TrainPublishFunctionArn: handler('publish', 300),
  TrainMarkFailedFunctionArn: handler('mark-failed', 120),
};
