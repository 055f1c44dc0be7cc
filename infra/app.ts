import { App } from 'aws-cdk-lib';
import { ConfigError, readConfig } from './config.ts';
import { addNagChecks } from './nag.ts';
import { RecsysStack } from './stack.ts';

const app = new App();
let config;
try {
  config = readConfig((key) => app.node.tryGetContext(key));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`recsys infra: ${error.message}`);
  process.exit(2);
}
// AwsSolutions checks on every synth and deploy: an unacknowledged finding fails the synth.
addNagChecks(app);

new RecsysStack(app, `Recsys-${config.envName}`, {
  ...config,
  description: `Serverless MovieLens recommender (ALS on Step Functions + Lambda + ${
    config.profile === 'local' ? 'Cassandra, LocalStack profile' : 'Keyspaces'
  })`,
  ...(process.env.CDK_DEFAULT_ACCOUNT
    ? { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } }
    : {}),
});
