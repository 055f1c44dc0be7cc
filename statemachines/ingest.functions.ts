import type { PipelineFunctions } from './pipeline-function.ts';

/** The ingest state machine, relative to the repository root: deployed and run locally alike. */
export const INGEST_DEFINITION = 'statemachines/ingest.asl.json';

const DATASETS = 'datasets/*';
const QUARANTINE = 'quarantine/*';

/** Every function ingest.asl.json substitutes: its handler, size, and what it may touch. */
export const INGEST_FUNCTIONS = {
  // Reads the manifest; clears an earlier run's quarantine, which it must list to delete.
  ValidateFunctionArn: {
    module: 'lambdas/ingest-validate/handler.ts',
    timeoutSeconds: 300,
    memoryMb: 512,
    s3: { read: [DATASETS, QUARANTINE], delete: [QUARANTINE] },
    tables: { select: ['datasets'], modify: ['datasets'] },
  },
  PlanFunctionArn: {
    module: 'lambdas/ingest-plan/handler.ts',
    timeoutSeconds: 300,
    memoryMb: 256,
    s3: { read: [DATASETS] },
  },
  // The timeout is the one the write budget splits (CHUNK_TIMEOUT_SECONDS, core/ingest).
  ChunkFunctionArn: {
    module: 'lambdas/ingest-chunk/handler.ts',
    timeoutSeconds: 900,
    memoryMb: 2048,
    s3: { read: [DATASETS], write: [QUARANTINE] },
    tables: { modify: ['ratings_by_user'] },
  },
  CatalogueFunctionArn: {
    module: 'lambdas/ingest-catalogue/handler.ts',
    timeoutSeconds: 900,
    memoryMb: 2048,
    s3: { read: [DATASETS] },
    tables: { modify: ['movies', 'tags'] },
  },
  AggregateFunctionArn: {
    module: 'lambdas/ingest-aggregate/handler.ts',
    timeoutSeconds: 900,
    memoryMb: 2048,
    s3: { read: [QUARANTINE], write: [QUARANTINE] },
    tables: {
      select: ['ratings_by_user', 'movies', 'tags'],
      modify: ['users', 'movies', 'dataset_stats'],
    },
  },
  FinishFunctionArn: {
    module: 'lambdas/ingest-finish/handler.ts',
    timeoutSeconds: 120,
    memoryMb: 256,
    tables: { modify: ['datasets'] },
  },
} as const satisfies PipelineFunctions;

/**
 * The other `${…}` substitution of ingest.asl.json: the train state machine that StartTraining
 * starts when the execution input asks for it (`train`). The stack substitutes the deployed one.
 */
export const TRAIN_STATE_MACHINE_SUBSTITUTION = 'TrainStateMachineArn';

/** What local runs substitute for it: StartTraining is never reached there (no `train` input). */
export const LOCAL_INGEST_SUBSTITUTIONS: Readonly<Record<string, string>> = {
  [TRAIN_STATE_MACHINE_SUBSTITUTION]: 'arn:aws:states:local:000000000000:stateMachine:train',
};
