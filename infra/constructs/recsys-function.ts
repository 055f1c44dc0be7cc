import {
  Aws,
  Duration,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_lambda_nodejs as nodejs,
  type aws_s3 as s3,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RecsysFunctionProps {
  /** Handler module, relative to the repository root. */
  readonly entry: string;
  readonly handler?: string;
  readonly memoryMb: number;
  readonly timeout: Duration;
  /** Powertools service name (log and metric dimension). */
  readonly service: string;
  readonly bucket: s3.IBucket;
  readonly keyspaceName: string;
  readonly environment?: Record<string, string>;
  readonly logGroup?: nodejs.NodejsFunctionProps['logGroup'];
  readonly externalModules?: string[];
}

/** Every recsys Lambda: Node 22 on arm64, an ESM bundle built locally by esbuild, Keyspaces config. */
export function recsysFunction(
  scope: Construct,
  id: string,
  props: RecsysFunctionProps,
): nodejs.NodejsFunction {
  return new nodejs.NodejsFunction(scope, id, {
    entry: `${ROOT}${props.entry}`,
    handler: props.handler ?? 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memoryMb,
    timeout: props.timeout,
    projectRoot: ROOT,
    depsLockFilePath: `${ROOT}package-lock.json`,
    environment: {
      RECSYS_BUCKET: props.bucket.bucketName,
      RECSYS_DB: 'keyspaces',
      RECSYS_KEYSPACE: props.keyspaceName,
      ...props.environment,
      POWERTOOLS_SERVICE_NAME: props.service,
      NODE_OPTIONS: '--enable-source-maps',
    },
    ...(props.logGroup ? { logGroup: props.logGroup } : {}),
    bundling: {
      format: nodejs.OutputFormat.ESM,
      target: 'node22',
      mainFields: ['module', 'main'],
      // cassandra-driver is CommonJS and calls require(); ESM bundles have none of their own.
      banner:
        "import { createRequire as __recsysCreateRequire } from 'node:module'; " +
        'const require = __recsysCreateRequire(import.meta.url);',
      minify: true,
      sourceMap: true,
      ...(props.externalModules ? { externalModules: props.externalModules } : {}),
      // esbuild is a devDependency: bundle on this machine, never in a Docker container.
      forceDockerBundling: false,
    },
  });
}

export interface TableAccess {
  readonly selectTables: readonly string[];
  readonly modifyTables: readonly string[];
}

/** cassandra:Select / Modify on exactly the named tables of the keyspace. */
export function grantKeyspaces(fn: lambda.IFunction, keyspace: string, access: TableAccess): void {
  if (access.selectTables.length === 0 && access.modifyTables.length === 0) return;
  const tableArn = (table: string) =>
    `arn:${Aws.PARTITION}:cassandra:${Aws.REGION}:${Aws.ACCOUNT_ID}:/keyspace/${keyspace}/table/${table}`;
  // The driver reads the system keyspaces on connect (peers, schema) whatever the queries are.
  const systemArn = `arn:${Aws.PARTITION}:cassandra:${Aws.REGION}:${Aws.ACCOUNT_ID}:/keyspace/system*`;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['cassandra:Select'],
      resources: [systemArn, ...access.selectTables.map(tableArn)],
    }),
  );
  if (access.modifyTables.length > 0) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cassandra:Modify'],
        resources: access.modifyTables.map(tableArn),
      }),
    );
  }
}
