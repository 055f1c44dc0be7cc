import type { PipelineFunctions } from './pipeline-function.ts';

/** The train state machine, relative to the repository root: deployed and run locally alike. */
export const TRAIN_DEFINITION = 'statemachines/train.asl.json';

const step = (name: string) => `lambdas/train-${name}/handler.ts`;
const RUNS = 'runs/*';
const MODELS = 'models/*';
/** The run's own files (runs/<id>/…), which most steps read and write. */
const RUN_FILES = { read: [RUNS], write: [RUNS] };
const READ_RUN_FILES = { read: [RUNS] };
// 1,769 MB buys one full vCPU: the block solves are single-threaded by design.
const FULL_VCPU_MB = 1769;

/** Every function train.asl.json substitutes: its handler, size, and what it may touch. */
export const TRAIN_FUNCTIONS = {
  // `ifNewData` compares the active model's time with the API's rating changes and the latest
  // ingestion; `warmStart` names the active model.
  TrainPlanFunctionArn: {
    module: step('plan'),
    timeoutSeconds: 120,
    memoryMb: 512,
    s3: RUN_FILES,
    tables: { select: ['datasets', 'models', 'active_model', 'data_changes'], modify: ['models'] },
  },
  TrainScanRangeFunctionArn: {
    module: step('scan-range'),
    timeoutSeconds: 900,
    memoryMb: 2048,
    s3: RUN_FILES,
    tables: { select: ['ratings_by_user'] },
  },
  TrainBuildIndexFunctionArn: {
    module: step('build-index'),
    timeoutSeconds: 300,
    memoryMb: 1024,
    s3: RUN_FILES,
  },
  TrainAssembleBlockFunctionArn: {
    module: step('assemble-block'),
    timeoutSeconds: 900,
    memoryMb: 2048,
    s3: RUN_FILES,
  },
  // A tuning point trains the whole matrix (both models of the ranking) in one Lambda: it wants
  // 4,096 MB, and gets it where the account's memory quota allows (-c maxMemoryMb).
  TrainTuneCandidateFunctionArn: {
    module: step('tune-candidate'),
    timeoutSeconds: 900,
    memoryMb: 4096,
    s3: READ_RUN_FILES,
  },
  TrainTuneSelectFunctionArn: {
    module: step('tune-select'),
    timeoutSeconds: 60,
    memoryMb: 256,
    s3: RUN_FILES,
  },
  // A warm start reads the active model's bundle (models/<id>/) for its factors.
  TrainInitFunctionArn: {
    module: step('init'),
    timeoutSeconds: 300,
    memoryMb: 1024,
    s3: { read: [RUNS, MODELS], write: [RUNS] },
  },
  TrainSolveBlockFunctionArn: {
    module: step('solve-block'),
    timeoutSeconds: 900,
    memoryMb: FULL_VCPU_MB,
    s3: RUN_FILES,
  },
  TrainCombineFactorsFunctionArn: {
    module: step('combine-factors'),
    timeoutSeconds: 300,
    memoryMb: 1024,
    s3: RUN_FILES,
  },
  TrainEvaluateBlockFunctionArn: {
    module: step('evaluate-block'),
    timeoutSeconds: 900,
    memoryMb: FULL_VCPU_MB,
    s3: READ_RUN_FILES,
  },
  TrainCheckpointFunctionArn: {
    module: step('checkpoint'),
    timeoutSeconds: 120,
    memoryMb: 256,
    s3: RUN_FILES,
  },
  // A user block's CSR plus one M × M partial (M = 2,000: 32 MB in float64).
  TrainNeighbourGramFunctionArn: {
    module: step('neighbour-gram'),
    timeoutSeconds: 900,
    memoryMb: FULL_VCPU_MB,
    s3: RUN_FILES,
  },
  // XᵀX, its factor and the inverse rows: 3 × M² doubles (M = 2,000: 96 MB) plus the partials.
  TrainNeighbourSolveFunctionArn: {
    module: step('neighbour-solve'),
    timeoutSeconds: 900,
    memoryMb: FULL_VCPU_MB,
    s3: RUN_FILES,
  },
  TrainTopNFunctionArn: {
    module: step('top-n'),
    timeoutSeconds: 900,
    memoryMb: FULL_VCPU_MB,
    s3: READ_RUN_FILES,
    tables: { modify: ['recommendation_lists'] },
  },
  TrainSimilarMoviesFunctionArn: {
    module: step('similar-movies'),
    timeoutSeconds: 900,
    memoryMb: FULL_VCPU_MB,
    s3: READ_RUN_FILES,
    tables: { modify: ['similar_movie_lists'] },
  },
  // Publish reads the catalogue (genres, year, tags) to fit the bundle's content model.
  TrainPublishFunctionArn: {
    module: step('publish'),
    timeoutSeconds: 300,
    memoryMb: 1024,
    s3: { read: [RUNS], write: [MODELS] },
    tables: { select: ['models', 'movies'], modify: ['models', 'active_model'] },
  },
  TrainMarkFailedFunctionArn: {
    module: step('mark-failed'),
    timeoutSeconds: 120,
    memoryMb: 256,
    tables: { select: ['models'], modify: ['models'] },
  },
} as const satisfies PipelineFunctions;
