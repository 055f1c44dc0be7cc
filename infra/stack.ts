import { Aspects, Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_ALS_OPTIONS } from '../lambdas/core/als/index.ts';
import { NEW_TABLE_WRITE_UNITS_PER_SECOND } from '../lambdas/core/ingest/write-budget.ts';
import {
  DEFAULT_RETRAIN_SCHEDULE,
  MAX_DEFAULT_CONCURRENCY,
  NEW_ACCOUNT_MAX_MEMORY_MB,
  type RecsysConfig,
} from './config.ts';
import { Api } from './constructs/api.ts';
import { ConsoleAuth } from './constructs/console-auth.ts';
import { CdkHandlerLogs } from './constructs/handler-logs.ts';
import { Ingestion } from './constructs/ingestion.ts';
import { Alarms } from './constructs/observability.ts';
import { KEYSPACES, type DataTarget } from './constructs/recsys-function.ts';
import { Storage } from './constructs/storage.ts';
import { Training } from './constructs/training.ts';
import { WebHosting } from './constructs/web-hosting.ts';
import { acknowledgeFindings } from './nag.ts';

export type RecsysStackProps = StackProps &
  Pick<RecsysConfig, 'envName' | 'keyspaceName' | 'retainData'> &
  Partial<RecsysConfig>;

/**
 * The whole recommender in one stack: storage (bucket + Keyspaces), ingestion (S3 manifest →
 * EventBridge → state machine), training (state machine, optionally chained after ingestion), the
 * API (API Gateway + Lambda, API key) and the web console (CloudFront), with alarms and outputs.
 * The `local` profile leaves out what LocalStack's free tier lacks (Keyspaces, CloudFront) and
 * points the Lambdas at the compose file's Cassandra container instead.
 */
export class RecsysStack extends Stack {
  readonly storage: Storage;
  readonly api: Api;
  readonly ingestion: Ingestion;
  readonly training: Training;
  readonly web?: WebHosting;
  /** The console's sign-in for writes (Cognito); absent in the local profile (no console). */
  readonly consoleAuth?: ConsoleAuth;

  constructor(scope: Construct, id: string, props: RecsysStackProps) {
    super(scope, id, props);
    const local = props.profile === 'local';
    const target: DataTarget = local
      ? {
          mode: 'local',
          cassandraContactPoints: props.cassandraContactPoints ?? 'cassandra:9042',
          s3Endpoint: props.s3Endpoint ?? 'http://localstack:4566',
        }
      : KEYSPACES;
    const common = {
      keyspaceName: props.keyspaceName,
      target,
      maxMemoryMb: props.maxMemoryMb ?? NEW_ACCOUNT_MAX_MEMORY_MB,
      ...(props.retainData ? { retainData: true } : {}),
    };

    const ingestWriteUnits = props.ingestWriteUnits ?? NEW_TABLE_WRITE_UNITS_PER_SECOND;
    this.storage = new Storage(this, 'Storage', {
      keyspaceName: props.keyspaceName,
      retainData: props.retainData,
      keyspaces: !local,
      // A provisioned load's WCU is the ingest's to set (RaiseCapacity): the tables are created
      // on-demand and not pre-warmed.
      ...(props.ingestCapacity === 'provisioned' ? {} : { ratingsWriteUnits: ingestWriteUnits }),
    });
    const bucket = this.storage.bucket;
    if (!local) {
      this.web = new WebHosting(this, 'Web', {
        retainData: props.retainData,
        logBucket: this.storage.accessLogs,
      });
    }
    const corsOrigins = props.corsOrigins ?? (this.web ? [this.web.origin] : undefined);
    if (!corsOrigins) throw new Error('corsOrigins must be set when the stack has no web console');
    this.api = new Api(this, 'Api', {
      ...common,
      bucket,
      corsOrigins,
      reservedConcurrency: props.apiReservedConcurrency ?? 0,
      signedWritesOnly: !local,
      cloudWatchRole: props.apiCloudWatchRole ?? true,
    });
    if (this.web) {
      this.consoleAuth = new ConsoleAuth(this, 'ConsoleAuth', {
        consoleOrigin: this.web.origin,
        writePolicy: this.api.writePolicy,
        // Unique per account and environment; Cognito wants it unique in the Region.
        domainPrefix: `recsys-${props.envName.toLowerCase()}-${Aws.ACCOUNT_ID}`,
        ...(props.retainData ? { retainData: true } : {}),
      });
      this.web.deploySite(this.api.restApi.url, this.consoleAuth.config);
    }

    const concurrency = props.concurrency ?? MAX_DEFAULT_CONCURRENCY;
    const trainRequest = {
      // The rating model's rank under the request's older name for `rating`, which the Plan step
      // still reads: the new name would change the input of every deployed rule and schedule.
      options: { rank: props.rank ?? DEFAULT_ALS_OPTIONS.rank },
      ...(props.blocks !== undefined ? { blocks: props.blocks } : {}),
      concurrency,
    };
    this.ingestion = new Ingestion(this, 'Ingestion', {
      ...common,
      bucket,
      chunkConcurrency: concurrency,
      tableWriteUnits: ingestWriteUnits,
      ...(props.ingestCapacity ? { ratingsCapacity: props.ingestCapacity } : {}),
      // Each ingestion the manifest starts then starts training itself (StartTraining).
      ...((props.trainAfterIngest ?? true) ? { trainAfter: trainRequest } : {}),
    });
    const retrainSchedule =
      props.retrainSchedule === undefined ? DEFAULT_RETRAIN_SCHEDULE : props.retrainSchedule;
    this.training = new Training(this, 'Training', {
      ...common,
      bucket,
      maxConcurrency: concurrency,
      ...(retrainSchedule
        ? {
            schedule: {
              expression: retrainSchedule,
              request: { ...trainRequest, ifNewData: true, warmStart: true },
            },
          }
        : {}),
    });

    new Alarms(this, 'Alarms', {
      stateMachines: {
        Ingest: this.ingestion.stateMachine,
        Train: this.training.stateMachine,
      },
      functions: {
        Ingest: Object.values(this.ingestion.functions),
        Train: Object.values(this.training.functions),
        Api: [this.api.function],
      },
      restApi: this.api.restApi,
    });

    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'KeyspaceName', { value: props.keyspaceName });
    new CfnOutput(this, 'IngestStateMachineArn', {
      value: this.ingestion.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'TrainStateMachineArn', {
      value: this.training.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'CorsOrigins', { value: corsOrigins.join(',') });
    if (this.web) new CfnOutput(this, 'ConsoleUrl', { value: `${this.web.origin}/` });
    // aws-cdk-lib's own handlers (auto-delete, bucket notifications) log with a retention too.
    Aspects.of(this).add(
      new CdkHandlerLogs(this, 'CdkHandlerLogs', props.retainData ? { retainData: true } : {}),
    );
    acknowledgeFindings(this);
  }
}
