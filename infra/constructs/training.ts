import {
  Duration,
  aws_events as events,
  aws_events_targets as targets,
  aws_lambda_nodejs as nodejs,
  aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { TRAIN_DEFINITION, TRAIN_FUNCTIONS } from '../../statemachines/train.functions.ts';
import { pipelineFunctions, type PipelineDataProps } from './pipeline-functions.ts';
import { pipelineStateMachine } from './pipeline-state-machine.ts';
import { BULK_TABLE_WRITE_UNITS_PER_SECOND } from '../../lambdas/core/ingest/write-budget.ts';
import type { TrainRequest } from '../../lambdas/core/train/workflow-types.ts';

/**
 * Training after each ingestion is started by the ingest state machine itself (its StartTraining
 * state, ingestion.ts `trainAfter`), not by an EventBridge rule on its status-change events: those
 * are delivered best effort, and a lost one silently skipped the run.
 */
export interface TrainingProps extends PipelineDataProps {
  /**
   * Automatic retraining: an EventBridge schedule (`rate(1 day)`, `cron(…)`) that starts a run
   * with this input, an `ifNewData` request (Plan ends it at once, a success, unless ratings
   * changed since the active model) that warm-starts from the active model.
   */
  readonly schedule?: { readonly expression: string; readonly request: TrainRequest };
  /** The most Lambdas a run may use (Plan refuses a request above it and caps its default). */
  readonly maxConcurrency?: number;
}

/**
 * The training pipeline: one Lambda per row of statemachines/train.functions.ts and the state
 * machine from statemachines/train.asl.json (the files `recsys train` runs locally), its block Maps
 * running as DISTRIBUTED child executions so a large block count is not capped at 40 in flight.
 */
export class Training extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: Record<string, nodejs.NodejsFunction>;

  constructor(scope: Construct, id: string, props: TrainingProps) {
    super(scope, id);
    this.functions = pipelineFunctions(this, TRAIN_FUNCTIONS, {
      ...props,
      service: 'recsys-train',
      // Plan sizes the run: its concurrency, the block count that fits the memory, and the pace
      // of the output writers.
      environment: {
        TrainPlanFunctionArn: {
          ...(props.maxConcurrency ? { RECSYS_MAX_CONCURRENCY: String(props.maxConcurrency) } : {}),
          ...(props.maxMemoryMb ? { RECSYS_MAX_MEMORY_MB: String(props.maxMemoryMb) } : {}),
          // The lists tables are on-demand and never pre-warmed: the output writers share a new
          // table's rate (write-budget.ts). A local Cassandra has no rate to keep to.
          ...(props.target?.mode !== 'local'
            ? { RECSYS_OUTPUT_TABLE_WRITE_UNITS: String(BULK_TABLE_WRITE_UNITS_PER_SECOND) }
            : {}),
        },
      },
    });

    this.stateMachine = pipelineStateMachine(this, {
      nameSuffix: 'train', // ingestion.ts starts it by this name
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
  }
}
