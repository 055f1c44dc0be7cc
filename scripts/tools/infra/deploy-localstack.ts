import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DeployArgsError,
  patchNodeRuntimes,
  planLocalStackDeploy,
  type LocalStackDeployPlan,
} from './localstack-deploy-plan.ts';

/**
 * The one way the `local` profile goes into a LocalStack, whoever started it:
 *  - `npm run deploy:compose`: the compose file's LocalStack and Cassandra (the defaults,
 *    http://localhost:4566 and 127.0.0.1:9042; the Lambdas use the profile's compose names);
 *  - `scripts/tools/local-aws/deploy.sh` (`npm run deploy:local`, `npm run test:deployed`): the
 *    host-mode LocalStack and Cassandra container of local-aws.sh, passed as flags.
 * Steps: both services answer → `recsys db migrate` → cdklocal bootstrap → cdk synth → the runtime
 * patch → cdklocal deploy of that assembly → the bucket's EventBridge notifications. Fails with
 * one line naming the step.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');

function fail(reason: string): never {
  console.error(`deploy-localstack: ${reason}`);
  process.exit(1);
}

function log(line: string): void {
  console.error(`deploy-localstack: ${line}`);
}

async function localStackProblem(endpoint: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${endpoint}/_localstack/health`, {
      signal: AbortSignal.timeout(3000),
    });
    if (response.ok) return undefined;
    // moto (`recsys s3 start`) can listen on the same port and has no health route.
    return `${endpoint} answers HTTP ${response.status} to /_localstack/health, so it is not LocalStack (is \`recsys s3\`'s moto on that port?)`;
  } catch (error) {
    return `LocalStack does not answer at ${endpoint} (${(error as Error).message})`;
  }
}

function portAnswers(hostPort: string): Promise<boolean> {
  const at = hostPort.lastIndexOf(':');
  return new Promise((done) => {
    const socket = new Socket();
    const finish = (ok: boolean): void => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(3000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.connect(Number(hostPort.slice(at + 1)), hostPort.slice(0, at), () => finish(true));
  });
}

function run(step: string, command: string, args: string[], env: NodeJS.ProcessEnv): void {
  const started = performance.now();
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env,
  });
  if (result.error) fail(`${step}: cannot run ${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`${step}: ${command} exited with ${result.status}`);
  log(`${step} ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

function patchAssembly(cdkOut: string): void {
  for (const name of readdirSync(cdkOut).filter((n) => n.endsWith('.template.json'))) {
    const path = join(cdkOut, name);
    const { text, changed } = patchNodeRuntimes(readFileSync(path, 'utf8'));
    if (changed === 0) continue;
    writeFileSync(path, text);
    log(`${name}: ${changed} × nodejs24.x -> nodejs22.x (LocalStack 4.9 lacks nodejs24.x)`);
  }
}

/**
 * Community LocalStack skips custom resources, so CDK's Custom::S3BucketNotifications never turns
 * on the bucket's EventBridge notifications and an upload would start nothing: do what it would.
 */
async function enableBucketEvents(plan: LocalStackDeployPlan, env: NodeJS.ProcessEnv) {
  const stacks = JSON.parse(readFileSync(resolve(ROOT, plan.outputsFile), 'utf8')) as Record<
    string,
    Record<string, string>
  >;
  const bucket = Object.values(stacks)[0]?.BucketName;
  if (!bucket) fail(`no BucketName output in ${plan.outputsFile}`);
  const s3 = new S3Client({
    endpoint: plan.endpoint,
    region: env.AWS_REGION,
    forcePathStyle: true,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
    },
  });
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    }),
  );
  log(`EventBridge notifications on for s3://${bucket}`);
}

let plan: LocalStackDeployPlan;
try {
  plan = planLocalStackDeploy(process.argv.slice(2), process.env);
} catch (error) {
  if (error instanceof DeployArgsError) fail(error.message);
  throw error;
}

const down = await localStackProblem(plan.endpoint);
if (down) fail(`${down}: start it first (docker compose up -d --wait, or npm run deploy:local)`);
if (!(await portAnswers(plan.cassandra))) {
  fail(`Cassandra does not answer at ${plan.cassandra} (docker compose up -d --wait starts one)`);
}
log(
  `LocalStack ${plan.endpoint}, Cassandra ${plan.cassandra} (migrated); the Lambdas use ` +
    `S3 ${plan.lambdaS3 ?? "the profile's"} and Cassandra ${plan.lambdaCassandra ?? "the profile's"}`,
);

const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
const env: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_ENDPOINT_URL: plan.endpoint,
  AWS_ENDPOINT_URL_S3: plan.endpoint,
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test',
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
  AWS_DEFAULT_REGION: region,
  AWS_REGION: region,
  CDK_DISABLE_VERSION_CHECK: '1',
  CDK_DISABLE_CLI_TELEMETRY: '1',
  CASSANDRA_CONTACT_POINTS: plan.cassandra,
  RECSYS_DB: 'local',
  RECSYS_KEYSPACE: plan.keyspace,
};
// The local profile has no Keyspaces tables for CloudFormation to create: the schema and the
// per-function roles go into Cassandra the way they go into any local one.
run('migrate', process.execPath, [join(ROOT, 'bin/recsys.mjs'), 'db', 'migrate'], env);
// With test credentials the CLI pins the stack to account 000000000000, as a real deploy pins it
// to the caller's (infra/nag.ts matches literal ARNs).
run('bootstrap', join(BIN, 'cdklocal'), ['bootstrap', `aws://000000000000/${region}`], env);
run('synth', join(BIN, 'cdk'), ['synth', '--quiet', ...plan.context, '--output', plan.cdkOut], env);
patchAssembly(resolve(ROOT, plan.cdkOut));
run(
  'deploy',
  join(BIN, 'cdklocal'),
  [
    'deploy',
    '--app',
    plan.cdkOut,
    '--require-approval',
    'never',
    '--outputs-file',
    plan.outputsFile,
    ...plan.deployArgs,
  ],
  env,
);
await enableBucketEvents(plan, env);
log(`done; outputs in ${plan.outputsFile}`);
