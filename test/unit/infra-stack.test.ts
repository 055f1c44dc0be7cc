import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../lambdas/core/schema/tables.ts';
import { RecsysStack } from '../../infra/stack.ts';

let template: Template;

beforeAll(() => {
  const app = new App();
  const stack = new RecsysStack(app, 'Test', {
    envName: 'test',
    keyspaceName: 'recsys',
    retainData: false,
  });
  template = Template.fromStack(stack);
});

describe('RecsysStack', () => {
  it('creates the keyspace and one on-demand, PITR-enabled table per schema table', () => {
    template.resourceCountIs('AWS::Cassandra::Keyspace', 1);
    template.resourceCountIs('AWS::Cassandra::Table', TABLES.length);
    template.allResourcesProperties('AWS::Cassandra::Table', {
      KeyspaceName: 'recsys',
      BillingMode: { Mode: 'ON_DEMAND' },
      PointInTimeRecoveryEnabled: true,
    });
  });

  it('spreads ratings of one movie over bucketed partitions', () => {
    template.hasResourceProperties('AWS::Cassandra::Table', {
      TableName: 'ratings_by_movie',
      PartitionKeyColumns: [
        { ColumnName: 'movie_id', ColumnType: 'int' },
        { ColumnName: 'bucket', ColumnType: 'int' },
      ],
      ClusteringKeyColumns: [
        { Column: { ColumnName: 'user_id', ColumnType: 'int' }, OrderBy: 'ASC' },
      ],
    });
  });

  it('creates tables only after the keyspace exists', () => {
    const tables = template.findResources('AWS::Cassandra::Table');
    const keyspaceId = Object.keys(template.findResources('AWS::Cassandra::Keyspace'))[0];
    for (const table of Object.values(tables)) expect(table.DependsOn).toContain(keyspaceId);
  });

  it('keeps the bucket private, encrypted, TLS-only and emitting EventBridge events', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});
