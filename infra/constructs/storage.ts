import { Duration, RemovalPolicy, aws_cassandra as keyspaces, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  NEW_TABLE_WRITE_UNITS_PER_SECOND,
  RATINGS_TABLES,
} from '../../lambdas/core/ingest/write-budget.ts';
import { TABLES } from '../../lambdas/core/schema/tables.ts';
import { keyspacesTableProps } from '../keyspaces-schema.ts';

export interface StorageProps {
  readonly keyspaceName: string;
  /** Keep the bucket and its data when the stack is deleted. */
  readonly retainData: boolean;
  /** False for the local profile: LocalStack has no Keyspaces, the Cassandra container is used. */
  readonly keyspaces?: boolean;
  /**
   * Write units per second the ratings tables must sustain from the first ingestion on: above a new
   * table's 4,000 they are pre-warmed to it (warm throughput).
   */
  readonly ratingsWriteUnits?: number;
}

/**
 * The data set bucket (uploads, run artefacts, quarantine), the access-log bucket, and the
 * Keyspaces keyspace + tables rendered from the shared schema (lambdas/core/schema).
 */
export class Storage extends Construct {
  readonly bucket: s3.Bucket;
  /** S3 server access logs and CloudFront logs (CloudFront's legacy logging needs ACLs). */
  readonly accessLogs: s3.Bucket;
  readonly keyspace?: keyspaces.CfnKeyspace;
  readonly tables: Record<string, keyspaces.CfnTable> = {};

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      enforceSSL: true,
      removalPolicy,
      autoDeleteObjects: !props.retainData,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy,
      autoDeleteObjects: !props.retainData,
      eventBridgeEnabled: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'data-bucket/',
      lifecycleRules: [
        // Training shuffles, CSR blocks and per-iteration checkpoints are only needed for a while.
        { prefix: 'runs/', expiration: Duration.days(14) },
        { abortIncompleteMultipartUploadAfter: Duration.days(2) },
      ],
    });

    if (props.keyspaces === false) return;
    const keyspace = new keyspaces.CfnKeyspace(this, 'Keyspace', {
      keyspaceName: props.keyspaceName,
    });
    keyspace.applyRemovalPolicy(removalPolicy);
    this.keyspace = keyspace;

    // Every table is on-demand: a provisioned bulk load is switched by the ingest itself
    // (statemachines/ingest.asl.json), so CloudFormation's view is the state between loads.
    const writeUnits = props.ratingsWriteUnits ?? NEW_TABLE_WRITE_UNITS_PER_SECOND;
    const warm = writeUnits > NEW_TABLE_WRITE_UNITS_PER_SECOND;
    for (const table of TABLES) {
      const ratings = (RATINGS_TABLES as readonly string[]).includes(table.name)
        ? (table.name as (typeof RATINGS_TABLES)[number])
        : undefined;
      const cfnTable = new keyspaces.CfnTable(
        this,
        `Table-${table.name}`,
        keyspacesTableProps(props.keyspaceName, table, {
          ...(ratings && warm ? { warmWriteUnits: writeUnits } : {}),
        }),
      );
      cfnTable.node.addDependency(keyspace);
      cfnTable.applyRemovalPolicy(removalPolicy);
      this.tables[table.name] = cfnTable;
    }
  }
}
