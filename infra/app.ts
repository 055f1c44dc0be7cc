import { App } from 'aws-cdk-lib';
import { assertIdentifier } from '../lambdas/core/schema/render-cql.ts';
import { RecsysStack } from './stack.ts';

const app = new App();
const envName = String(app.node.tryGetContext('envName') ?? 'dev');
const keyspaceName = assertIdentifier(String(app.node.tryGetContext('keyspace') ?? 'recsys'));
const retainData = String(app.node.tryGetContext('retainData') ?? 'false') === 'true';

new RecsysStack(app, `Recsys-${envName}`, {
  envName,
  keyspaceName,
  retainData,
  description: 'Serverless MovieLens recommender (ALS on Step Functions + Lambda + Keyspaces)',
  ...(process.env.CDK_DEFAULT_ACCOUNT
    ? { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } }
    : {}),
});
