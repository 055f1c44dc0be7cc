import { roleEnvironment } from '../../statemachines/function-roles.ts';
import {
  Aws,
  Duration,
  RemovalPolicy,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_lambda_nodejs as nodejs,
  aws_logs as logs,
  type aws_s3 as s3,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PipelineFunction } from '../../statemachines/pipeline-function.ts';
import { NEW_ACCOUNT_MAX_MEMORY_MB } from '../config.ts';
import { PROJECT_ROOT } from '../project-root.ts';

/**
 * Where the Lambdas find their data. AWS: Keyspaces over SigV4 and the real S3. Local (LocalStack):
 * the compose file's Cassandra container and LocalStack's S3, by their names on the compose network.
 */
export type DataTarget =
  | { readonly mode: 'keyspaces' }
  | {
      readonly mode: 'local';
      readonly cassandraContactPoints: string;
      readonly s3Endpoint: string;
    };

export const KEYSPACES: DataTarget = { mode: 'keyspaces' };

/**
 * The environment that points a handler at its database and object store. On a Cassandra we run,
 * the function logs in as its own role (`cassandraRole`), granted the tables its IAM policy names
 * (statemachines/function-roles.ts), so a grant missing from the stack fails there as on Keyspaces.
 */
export function dataEnvironment(
  target: DataTarget,
  cassandraRole?: string,
): Record<string, string> {
  if (target.mode === 'keyspaces') return { RECSYS_DB: 'keyspaces' };
  return {
    RECSYS_DB: 'local',
    // Lambdas otherwise count as production (the API then never honours a listed CORS "*").
    RECSYS_ENV: 'local',
    CASSANDRA_CONTACT_POINTS: target.cassandraContactPoints,
    S3_ENDPOINT: target.s3Endpoint,
    ...(cassandraRole ? roleEnvironment(cassandraRole) : {}),
  };
}

/**
 * esbuild settings of every Lambda bundle; scripts/tools/infra/bundle-size.ts builds with the same ones.
 * ESM for top-level await and tree shaking; cassandra-driver is CommonJS and calls require(), which
 * ESM bundles lack, hence the banner. Nothing is external: the AWS SDK v3 clients (client-s3,
 * lib-storage, the credential provider) are bundled at the versions package-lock.json pins, not
 * taken from whatever the Lambda runtime ships (NodejsFunction's default for Node 18+).
 */
export const BUNDLING = {
  format: 'esm',
  target: 'node22',
  platform: 'node',
  mainFields: ['module', 'main'],
  banner:
    "import { createRequire as __recsysCreateRequire } from 'node:module'; " +
    'const require = __recsysCreateRequire(import.meta.url);',
  minify: true,
  sourcemap: true,
  externalModules: [] as readonly string[],
} as const;

/** Log retention of every function's own log group. */
export const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

export interface RecsysFunctionProps {
  /** Handler module, relative to the repository root. */
  readonly entry: string;
  readonly handler?: string;
  /** What the function wants; it gets at most `maxMemoryMb`. */
  readonly memoryMb: number;
  /** The account's Lambda memory quota (context maxMemoryMb; 3,008 MB on a new account). */
  readonly maxMemoryMb?: number;
  /** Keep the function's log group when the stack is deleted (context retainData). */
  readonly retainData?: boolean;
  /** Reserved concurrency (the API's); none by default. */
  readonly reservedConcurrency?: number;
  readonly timeout: Duration;
  /** Powertools service name (log and metric dimension). */
  readonly service: string;
  readonly bucket: s3.IBucket;
  readonly keyspaceName: string;
  readonly environment?: Record<string, string>;
  /** Default: Amazon Keyspaces. */
  readonly target?: DataTarget;
  /** The Cassandra role it logs in as where the target is a Cassandra we run. */
  readonly cassandraRole?: string;
}

/**
 * Every recsys Lambda: Node 22 on arm64, an ESM bundle built locally by esbuild (AWS SDK included),
 * Keyspaces config, memory within the account's quota, and a log group of its own with a retention,
 * deleted with the stack unless the data is retained.
 */
export function recsysFunction(
  scope: Construct,
  id: string,
  props: RecsysFunctionProps,
): nodejs.NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: LOG_RETENTION,
    removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  return new nodejs.NodejsFunction(scope, id, {
    entry: `${PROJECT_ROOT}${props.entry}`,
    handler: props.handler ?? 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: Math.min(props.memoryMb, props.maxMemoryMb ?? NEW_ACCOUNT_MAX_MEMORY_MB),
    timeout: props.timeout,
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
    environment: {
      RECSYS_BUCKET: props.bucket.bucketName,
      ...dataEnvironment(props.target ?? KEYSPACES, props.cassandraRole),
      RECSYS_KEYSPACE: props.keyspaceName,
      ...props.environment,
      POWERTOOLS_SERVICE_NAME: props.service,
      NODE_OPTIONS: '--enable-source-maps',
    },
    logGroup,
    ...(props.reservedConcurrency
      ? { reservedConcurrentExecutions: props.reservedConcurrency }
      : {}),
    // X-Ray segments join the state machine's and API Gateway's traces.
    tracing: lambda.Tracing.ACTIVE,
    bundling: {
      format: nodejs.OutputFormat.ESM,
      target: BUNDLING.target,
      mainFields: [...BUNDLING.mainFields],
      banner: BUNDLING.banner,
      minify: BUNDLING.minify,
      sourceMap: BUNDLING.sourcemap,
      externalModules: [...BUNDLING.externalModules],
      // esbuild is a devDependency: bundle on this machine, never in a Docker container.
      forceDockerBundling: false,
    },
  });
}

/** cassandra:Select / Modify on exactly the named tables of the keyspace. */
export function grantKeyspaces(
  fn: lambda.IFunction,
  keyspace: string,
  { select = [], modify = [] }: NonNullable<PipelineFunction['tables']>,
): void {
  if (select.length === 0 && modify.length === 0) return;
  const tableArn = (table: string) =>
    `arn:${Aws.PARTITION}:cassandra:${Aws.REGION}:${Aws.ACCOUNT_ID}:/keyspace/${keyspace}/table/${table}`;
  // The driver reads the system keyspaces on connect (peers, schema) whatever the queries are.
  const systemArn = `arn:${Aws.PARTITION}:cassandra:${Aws.REGION}:${Aws.ACCOUNT_ID}:/keyspace/system*`;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['cassandra:Select'],
      resources: [systemArn, ...select.map(tableArn)],
    }),
  );
  if (modify.length > 0) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cassandra:Modify'],
        resources: modify.map(tableArn),
      }),
    );
  }
}
