import {
  Aws,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_lambda_nodejs as nodejs,
  aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { RATINGS_TABLES, type IngestCapacity } from '../../lambdas/core/ingest/write-budget.ts';
import type { TrainRequest } from '../../lambdas/core/train/workflow-types.ts';
import {
  INGEST_DEFINITION,
  INGEST_FUNCTIONS,
  TRAIN_STATE_MACHINE_SUBSTITUTION,
} from '../../statemachines/ingest.functions.ts';
import { pipelineFunctions, type PipelineDataProps } from './pipeline-functions.ts';
import { pipelineStateMachine } from './pipeline-state-machine.ts';

export interface IngestionProps extends PipelineDataProps {
  /** MaxConcurrency of the chunk Map: Validate puts it into the layout the Map reads it from. */
  readonly chunkConcurrency?: number;
  /**
   * Write units per second each ratings table sustains (Keyspaces only): Validate sizes chunks,
   * chunks in flight and each writer's pace to it (lambdas/core/ingest/write-budget.ts).
   */
  readonly tableWriteUnits?: number;
  /**
   * `provisioned` (Keyspaces only): each ingestion switches the ratings tables to `tableWriteUnits`
   * WCU for its chunk Map and back to on-demand after it (statemachines/ingest.asl.json), and its
   * state machine may alter exactly those tables.
   */
  readonly ratingsCapacity?: IngestCapacity;
  /**
   * Chained training: every ingestion the manifest starts ends by starting the train state
   * machine (`<stack>-train`) with this request (its StartTraining state; the data set is the one
   * it made ready). Absent: ingestions end at MarkReady unless an execution's input has `train`.
   */
  readonly trainAfter?: TrainRequest;
}

/** The train pipeline's state machine name suffix (training.ts): what StartTraining starts. */
const TRAIN_SUFFIX = 'train';

/**
 * The ingestion pipeline: one Lambda per row of statemachines/ingest.functions.ts, the state
 * machine from statemachines/ingest.asl.json (the files `recsys ingest` runs locally), and the
 * EventBridge rule that starts it when a data set's manifest lands in the bucket (written last by `recsys upload`).
 */
export class Ingestion extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: Record<string, nodejs.NodejsFunction>;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    this.functions = pipelineFunctions(this, INGEST_FUNCTIONS, {
      ...props,
      service: 'recsys-ingest',
      environment: { ValidateFunctionArn: validateEnvironment(props) },
    });

    this.stateMachine = pipelineStateMachine(this, {
      nameSuffix: 'ingest',
      definitionFile: INGEST_DEFINITION,
      functions: this.functions,
      starts: { [TRAIN_STATE_MACHINE_SUBSTITUTION]: TRAIN_SUFFIX },
    });
    if (switchesCapacity(props)) {
      for (const statement of capacitySwitchStatements(props.keyspaceName)) {
        this.stateMachine.addToRolePolicy(statement);
      }
    }

    new events.Rule(this, 'ManifestUploaded', {
      description: 'Starts ingestion when datasets/<name>/manifest.json is written (it is last).',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.bucket.bucketName] },
          object: { key: events.Match.wildcard('datasets/*/manifest.json') },
        },
      },
      targets: [
        new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({
            manifestKey: events.EventField.fromPath('$.detail.object.key'),
            ...(props.trainAfter ? { train: props.trainAfter } : {}),
          }),
        }),
      ],
    });
  }
}

/** The ingest switches capacity on Keyspaces only, and only when the deployment asks. */
function switchesCapacity(props: IngestionProps): boolean {
  return props.ratingsCapacity === 'provisioned' && props.target?.mode !== 'local';
}

/**
 * What the capacity switch's Keyspaces SDK Tasks need, on the ratings tables alone: UpdateTable is
 * cassandra:Alter on the table; GetTable (the 24-hour check, the wait for ACTIVE) is
 * cassandra:Select on the table and on the system keyspaces its metadata comes from.
 */
export function capacitySwitchStatements(keyspace: string): iam.PolicyStatement[] {
  const arn = (resource: string) =>
    `arn:${Aws.PARTITION}:cassandra:${Aws.REGION}:${Aws.ACCOUNT_ID}:/keyspace/${resource}`;
  const tables = RATINGS_TABLES.map((table) => arn(`${keyspace}/table/${table}`));
  return [
    new iam.PolicyStatement({ actions: ['cassandra:Alter'], resources: tables }),
    new iam.PolicyStatement({
      actions: ['cassandra:Select'],
      resources: [arn('system*'), ...tables],
    }),
  ];
}

/** What Validate reads from its environment: the deployment's concurrency and the tables' rate. */
function validateEnvironment(props: IngestionProps): Record<string, string> {
  return {
    ...(props.chunkConcurrency ? { RECSYS_CHUNK_CONCURRENCY: String(props.chunkConcurrency) } : {}),
    // A local Cassandra has no write rate to keep to.
    ...(props.tableWriteUnits && props.target?.mode !== 'local'
      ? { RECSYS_TABLE_WRITE_UNITS: String(props.tableWriteUnits) }
      : {}),
    ...(switchesCapacity(props) ? { RECSYS_INGEST_CAPACITY: 'provisioned' } : {}),
  };
}
