import {
  Duration,
  aws_events as events,
  aws_events_targets as targets,
  aws_lambda_nodejs as nodejs,
  aws_s3 as s3,
  aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { grantKeyspaces, recsysFunction, type DataTarget } from './recsys-function.ts';
import { pipelineStateMachine } from './pipeline-state-machine.ts';
import { TRAIN_DEFINITION, TRAIN_HANDLERS } from '../../scripts/train/train-handlers.ts';
import type { TrainRequest } from '../../lambdas/core/train/workflow-types.ts';

export interface TrainingProps {
  readonly bucket: s3.IBucket;
  readonly keyspaceName: string;
  readonly target?: DataTarget;
  /**
   * Start a training run whenever this (ingest) state machine succeeds, with this execution input
   * (a TrainRequest: rank, blocks, concurrency; the data set defaults to the one last ingested).
   */
  readonly after?: { readonly stateMachine: sfn.IStateMachine; readonly request: TrainRequest };
  /**
   * Automatic retraining: an EventBridge schedule (`rate(1 day)`, `cron(…)`) that starts a run
   * with this input, an `ifNewData` request (Plan ends it at once, a success, unless ratings
   * changed since the active model) that warm-starts from the active model.
   */
  readonly schedule?: { readonly expression: string; readonly request: TrainRequest };
  /** The most Lambdas a run may use (Plan refuses a request above it and caps its default). */
  readonly maxConcurrency?: number;
  /** The account's Lambda memory quota: no function gets more. */
  readonly maxMemoryMb?: number;
  readonly retainData?: boolean;
}

/** What each train Lambda may touch: S3 prefixes and Keyspaces tables, and how big it is. */
interface Access {
  readonly read: readonly string[];
  readonly write: readonly string[];
  readonly selectTables: readonly string[];
  readonly modifyTables: readonly string[];
  /** 1,769 MB buys one full vCPU: the block solves are single-threaded by design. */
  readonly memoryMb: number;
}

const RUNS = 'runs/*';
const MODELS = 'models/*';
const runFiles = (memoryMb: number, write = true): Access => ({
  read: [RUNS],
  write: write ? [RUNS] : [],
  selectTables: [],
  modifyTables: [],
  memoryMb,
});

const ACCESS: Readonly<Record<string, Access>> = {
  // `ifNewData` compares the active model's time with the API's rating changes and the latest
  // ingestion; `warmStart` names the active model.
  TrainPlanFunctionArn: {
    ...runFiles(512),
    selectTables: ['datasets', 'models', 'active_model', 'data_changes'],
    modifyTables: ['models'],
  },
  TrainScanRangeFunctionArn: { ...runFiles(2048), selectTables: ['ratings_by_user'] },
  TrainBuildIndexFunctionArn: runFiles(1024),
  TrainAssembleBlockFunctionArn: runFiles(2048),
  // A tuning point trains the whole matrix (both models of the ranking) in one Lambda: it wants
  // 4,096 MB, and gets it where the account's memory quota allows (-c maxMemoryMb).
  TrainTuneCandidateFunctionArn: runFiles(4096, false),
  TrainTuneSelectFunctionArn: runFiles(256),
  // A warm start reads the active model's bundle (models/<id>/) for its factors.
  TrainInitFunctionArn: { ...runFiles(1024), read: [RUNS, MODELS] },
  TrainSolveBlockFunctionArn: runFiles(1769),
  TrainCombineFactorsFunctionArn: runFiles(1024),
  TrainEvaluateBlockFunctionArn: runFiles(1769, false),
  TrainCheckpointFunctionArn: runFiles(256),
  // A user block's CSR plus one M × M partial (M = 2,000: 32 MB in float64).
  TrainNeighbourGramFunctionArn: runFiles(1769),
  // XᵀX, its factor and the inverse rows: 3 × M² doubles (M = 2,000: 96 MB) plus the partials.
  TrainNeighbourSolveFunctionArn: runFiles(1769),
  TrainTopNFunctionArn: { ...runFiles(1769, false), modifyTables: ['recommendation_lists'] },
  TrainSimilarMoviesFunctionArn: {
    ...runFiles(1769, false),
    modifyTables: ['similar_movie_lists'],
  },
  // Publish reads the catalogue (genres, year, tags) to fit the bundle's content model.
  TrainPublishFunctionArn: {
    read: [RUNS],
    write: [MODELS],
    selectTables: ['models', 'movies'],
    modifyTables: ['models', 'active_model'],
    memoryMb: 1024,
  },
  TrainMarkFailedFunctionArn: {
    read: [],
    write: [],
    selectTables: ['models'],
    modifyTables: ['models'],
    memoryMb: 256,
  },
};

/**
 * The training pipeline: one Lambda per train step and the state machine from
 * statemachines/train.asl.json (the file `recsys train` runs locally), its block Maps running as
 * DISTRIBUTED child executions so a large block count is not capped at 40 in flight.
 */
export class Training extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: Record<string, nodejs.NodejsFunction> = {};

  constructor(scope: Construct, id: string, props: TrainingProps) {
    super(scope, id);
    for (const [substitution, binding] of Object.entries(TRAIN_HANDLERS)) {
      const access = ACCESS[substitution];
      if (!access) throw new Error(`no access rules for ${substitution}`);
      const fn = recsysFunction(this, substitution.replace(/FunctionArn$/, ''), {
        entry: binding.module,
        handler: binding.export ?? 'handler',
        memoryMb: access.memoryMb,
        timeout: Duration.seconds(binding.timeoutSeconds ?? 900),
        service: 'recsys-train',
        bucket: props.bucket,
        keyspaceName: props.keyspaceName,
        ...(props.target ? { target: props.target } : {}),
        ...(props.maxMemoryMb ? { maxMemoryMb: props.maxMemoryMb } : {}),
        ...(props.retainData ? { retainData: true } : {}),
        // Plan sizes the run: its concurrency, and the block count that fits the memory.
        ...(substitution === 'TrainPlanFunctionArn'
          ? {
              environment: {
                ...(props.maxConcurrency
                  ? { RECSYS_MAX_CONCURRENCY: String(props.maxConcurrency) }
                  : {}),
                ...(props.maxMemoryMb ? { RECSYS_MAX_MEMORY_MB: String(props.maxMemoryMb) } : {}),
              },
            }
          : {}),
      });
      for (const prefix of access.read) props.bucket.grantRead(fn, prefix);
      for (const prefix of access.write) props.bucket.grantPut(fn, prefix);
      grantKeyspaces(fn, props.keyspaceName, access);
      this.functions[substitution] = fn;
    }

    this.stateMachine = pipelineStateMachine(this, {
      nameSuffix: 'train',
      definitionFile: TRAIN_DEFINITION,
      functions: this.functions,
    });

    if (props.schedule) {
      // EventBridge assumes a role of its own that may start this state machine and nothing else.
      new events.Rule(this, 'Retrain', {
        description:
          'Automatic retraining: starts a warm-started run if ratings changed since the active model (Plan ends it otherwise).',
        schedule: events.Schedule.expression(props.schedule.expression),
        targets: [
          new targets.SfnStateMachine(this.stateMachine, {
            input: events.RuleTargetInput.fromObject(props.schedule.request),
            retryAttempts: 2,
            maxEventAge: Duration.hours(1),
          }),
        ],
      });
    }

    if (props.after) {
      new events.Rule(this, 'AfterIngestion', {
        description: 'Trains a model on the data set an ingestion has just marked ready.',
        eventPattern: {
          source: ['aws.states'],
          detailType: ['Step Functions Execution Status Change'],
          detail: {
            status: ['SUCCEEDED'],
            stateMachineArn: [props.after.stateMachine.stateMachineArn],
          },
        },
        targets: [
          new targets.SfnStateMachine(this.stateMachine, {
            input: events.RuleTargetInput.fromObject(props.after.request),
          }),
        ],
      });
    }
  }
}
