import {
  Duration,
  aws_events as events,
  aws_events_targets as targets,
  aws_lambda as lambda,
  aws_lambda_nodejs as nodejs,
  aws_s3 as s3,
  aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { grantKeyspaces, recsysFunction, type DataTarget } from './recsys-function.ts';
import { pipelineStateMachine } from './pipeline-state-machine.ts';
import { INGEST_DEFINITION, INGEST_HANDLERS } from '../../scripts/ingest/ingest-handlers.ts';

export interface IngestionProps {
  readonly bucket: s3.IBucket;
  readonly keyspaceName: string;
  readonly target?: DataTarget;
  /** MaxConcurrency of the chunk Map: Validate puts it into the layout the Map reads it from. */
  readonly chunkConcurrency?: number;
  /**
   * Write units per second each ratings table sustains (Keyspaces only): Validate sizes chunks,
   * chunks in flight and each writer's pace to it (lambdas/core/ingest/write-budget.ts).
   */
  readonly tableWriteUnits?: number;
  readonly maxMemoryMb?: number;
  readonly retainData?: boolean;
}

/** What each ingest Lambda may touch: S3 prefixes and Keyspaces tables, nothing more. */
interface Access {
  readonly readPrefixes: readonly string[];
  readonly writePrefixes: readonly string[];
  readonly deletePrefixes: readonly string[];
  readonly selectTables: readonly string[];
  readonly modifyTables: readonly string[];
  readonly memoryMb: number;
}

const ACCESS: Readonly<Record<string, Access>> = {
  ValidateFunctionArn: {
    readPrefixes: ['datasets/*', 'quarantine/*'],
    writePrefixes: [],
    deletePrefixes: ['quarantine/*'],
    selectTables: ['datasets'],
    modifyTables: ['datasets'],
    memoryMb: 512,
  },
  PlanFunctionArn: {
    readPrefixes: ['datasets/*'],
    writePrefixes: [],
    deletePrefixes: [],
    selectTables: [],
    modifyTables: [],
    memoryMb: 256,
  },
  ChunkFunctionArn: {
    readPrefixes: ['datasets/*'],
    writePrefixes: ['quarantine/*'],
    deletePrefixes: [],
    selectTables: [],
    modifyTables: ['ratings_by_user', 'ratings_by_movie'],
    memoryMb: 2048,
  },
  CatalogueFunctionArn: {
    readPrefixes: ['datasets/*'],
    writePrefixes: [],
    deletePrefixes: [],
    selectTables: [],
    modifyTables: ['movies', 'tags'],
    memoryMb: 2048,
  },
  AggregateFunctionArn: {
    readPrefixes: ['quarantine/*'],
    writePrefixes: ['quarantine/*'],
    deletePrefixes: [],
    selectTables: ['ratings_by_user', 'movies', 'tags'],
    modifyTables: ['users', 'movies', 'dataset_stats'],
    memoryMb: 2048,
  },
  FinishFunctionArn: {
    readPrefixes: [],
    writePrefixes: [],
    deletePrefixes: [],
    selectTables: [],
    modifyTables: ['datasets'],
    memoryMb: 256,
  },
};

/**
 * The ingestion pipeline: one Lambda per ingest state, the state machine from
 * statemachines/ingest.asl.json (the file `recsys ingest` runs locally), and the EventBridge rule
 * that starts it when a data set's manifest lands in the bucket (written last by `recsys upload`).
 */
export class Ingestion extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: Record<string, nodejs.NodejsFunction> = {};

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    for (const [substitution, binding] of Object.entries(INGEST_HANDLERS)) {
      const access = ACCESS[substitution];
      if (!access) throw new Error(`no access rules for ${substitution}`);
      const name = substitution.replace(/FunctionArn$/, '');
      const fn = recsysFunction(this, name, {
        entry: binding.module,
        handler: binding.export ?? 'handler',
        memoryMb: access.memoryMb,
        timeout: Duration.seconds(binding.timeoutSeconds ?? 900),
        service: 'recsys-ingest',
        bucket: props.bucket,
        keyspaceName: props.keyspaceName,
        ...(props.target ? { target: props.target } : {}),
        ...(props.maxMemoryMb ? { maxMemoryMb: props.maxMemoryMb } : {}),
        ...(props.retainData ? { retainData: true } : {}),
        ...(substitution === 'ValidateFunctionArn'
          ? { environment: validateEnvironment(props) }
          : {}),
      });
      grantS3(fn, props.bucket, access);
      grantKeyspaces(fn, props.keyspaceName, access);
      this.functions[substitution] = fn;
    }

    this.stateMachine = pipelineStateMachine(this, {
      nameSuffix: 'ingest',
      definitionFile: INGEST_DEFINITION,
      functions: this.functions,
    });

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
          }),
        }),
      ],
    });
  }
}

/** What Validate reads from its environment: the deployment's concurrency and the tables' rate. */
function validateEnvironment(props: IngestionProps): Record<string, string> {
  return {
    ...(props.chunkConcurrency ? { RECSYS_CHUNK_CONCURRENCY: String(props.chunkConcurrency) } : {}),
    // A local Cassandra has no write rate to keep to.
    ...(props.tableWriteUnits && props.target?.mode !== 'local'
      ? { RECSYS_TABLE_WRITE_UNITS: String(props.tableWriteUnits) }
      : {}),
  };
}

function grantS3(fn: lambda.IFunction, bucket: s3.IBucket, access: Access): void {
  for (const prefix of access.readPrefixes) bucket.grantRead(fn, prefix);
  for (const prefix of access.writePrefixes) bucket.grantPut(fn, prefix);
  for (const prefix of access.deletePrefixes) bucket.grantDelete(fn, prefix);
}
