import { Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { WRITE_ROUTES } from '../lambdas/core/api/write-routes.ts';
import type { Api } from './constructs/api.ts';
import type { ConsoleAuth } from './constructs/console-auth.ts';
import type { Ingestion } from './constructs/ingestion.ts';
import type { Storage } from './constructs/storage.ts';
import type { Training } from './constructs/training.ts';
import type { WebHosting } from './constructs/web-hosting.ts';

/** Runs the cdk-nag AwsSolutions pack when `app` synthesizes; findings not acknowledged fail it. */
export function addNagChecks(app: IConstruct): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/**
 * Actions that IAM only grants on `Resource: *` (they name no resource type), and why each role
 * has them. The template test fails on any `*` resource whose actions are not listed here.
 */
export const WILDCARD_RESOURCE_ACTIONS: Readonly<Record<string, string>> = {
  'xray:PutTraceSegments': 'X-Ray tracing (Lambda, Step Functions): X-Ray has no resource ARNs',
  'xray:PutTelemetryRecords': 'X-Ray tracing: no resource ARNs',
  'xray:GetSamplingRules': 'X-Ray tracing of the state machines: no resource ARNs',
  'xray:GetSamplingTargets': 'X-Ray tracing of the state machines: no resource ARNs',
  'logs:CreateLogDelivery': 'Step Functions log delivery: the vended-logs API takes no resource',
  'logs:GetLogDelivery': 'Step Functions log delivery',
  'logs:UpdateLogDelivery': 'Step Functions log delivery',
  'logs:DeleteLogDelivery': 'Step Functions log delivery',
  'logs:ListLogDeliveries': 'Step Functions log delivery',
  'logs:PutResourcePolicy': 'Step Functions log delivery (CloudWatch Logs resource policy)',
  'logs:DescribeResourcePolicies': 'Step Functions log delivery',
  'logs:DescribeLogGroups': 'Step Functions log delivery',
  'cloudfront:CreateInvalidation':
    'aws-cdk-lib BucketDeployment invalidates the console after upload (its own policy)',
  'cloudfront:GetInvalidation': 'aws-cdk-lib BucketDeployment waits for that invalidation',
};

interface Finding {
  readonly id: string;
  readonly reason: string;
}

const logicalId = (element: IConstruct) =>
  Stack.of(element).getLogicalId(element.node.defaultChild as CfnElement);

function acknowledge(scope: IConstruct, findings: readonly Finding[]): void {
  Validations.of(scope).acknowledge(
    ...findings.map(({ id, reason }) => ({ id: `AwsSolutions-${id}`, reason })),
  );
}

/**
 * The stack whose findings are acknowledged, by the parts they are scoped to: RecsysStack has
 * them, and stack.ts calls acknowledgeFindings, so naming RecsysStack here would be a cycle.
 */
export interface NaggedStack extends Stack {
  readonly storage: Storage;
  readonly ingestion: Ingestion;
  readonly training: Training;
  readonly api: Api;
  readonly web?: WebHosting;
  readonly consoleAuth?: ConsoleAuth;
}

/**
 * How cdk-nag prints the stack's partition, region and account inside an ARN: the pseudo-parameter
 * (`<AWS::Region>`) on an environment-agnostic stack (`cdk synth`), the literal value once the stack
 * has a concrete environment (`cdk deploy` with credentials: the CLI sets CDK_DEFAULT_ACCOUNT and
 * CDK_DEFAULT_REGION, and infra/app.ts passes them on). ARNs built from `Aws.*` stay pseudo either way.
 */
function shownEnv(stack: Stack): { partition: string; region: string; account: string } {
  const shown = (value: string, pseudo: string) =>
    Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;
  return {
    partition: shown(stack.partition, 'Partition'),
    region: shown(stack.region, 'Region'),
    account: shown(stack.account, 'AccountId'),
  };
}

/**
 * Every acknowledged AwsSolutions finding, each scoped to the constructs it is about and with the
 * reason it is acceptable here. Anything else cdk-nag reports fails `cdk synth` and the nag test.
 */
export function acknowledgeFindings(stack: NaggedStack): void {
  const { partition, region, account } = shownEnv(stack);
  const bucketArn = `<${logicalId(stack.storage.bucket)}.Arn>`;
  const prefixObjects = (prefix: string): Finding => ({
    id: `IAM5[Resource::${bucketArn}/${prefix}/*]`,
    reason: `objects under ${prefix}/ only: keys are per data set or run, not known at deploy time`,
  });
  const s3ActionGroups = ['GetObject*', 'GetBucket*', 'List*', 'DeleteObject*', 'Abort*'].map(
    (group): Finding => ({
      id: `IAM5[Action::s3:${group}]`,
      reason:
        "aws-cdk-lib's grantRead/grantPut/grantDelete action groups, on the data bucket's " +
        'listed prefixes only (Abort* lets an interrupted multipart upload clean up)',
    }),
  );

  acknowledge(stack, [
    {
      id: 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'the managed basic-execution policy only lets a function write its own CloudWatch logs',
    },
    {
      id: 'IAM5[Resource::*]',
      reason: `only actions without resource types: ${Object.keys(WILDCARD_RESOURCE_ACTIONS).join(', ')} (checked by test/infra/infra-iam.test.ts)`,
    },
    {
      id: 'IAM5[Resource::arn:<AWS::Partition>:cassandra:<AWS::Region>:<AWS::AccountId>:/keyspace/system*]',
      reason:
        'the Cassandra driver reads system, system_schema and system_peers on connect; Keyspaces ' +
        'authorizes those reads as Select on the system keyspaces (Select only, no Modify); the ' +
        "ingest's capacity switch (GetTable) reads the ratings tables' metadata there too",
    },
    {
      id: 'L1',
      reason:
        'nodejs22.x is the runtime the product targets and tests (node@22 under every npm ' +
        'script); aws-cdk-lib custom resources choose their own runtime',
    },
    ...s3ActionGroups,
  ]);

  for (const [construct, prefixes] of [
    [stack.ingestion, ['datasets', 'quarantine']],
    [stack.training, ['runs', 'models']],
    [stack.api, ['models']],
  ] as const) {
    acknowledge(construct, prefixes.map(prefixObjects));
  }

  for (const { stateMachineName, functions } of [
    { stateMachineName: `${stack.stackName}-ingest`, functions: stack.ingestion.functions },
    { stateMachineName: `${stack.stackName}-train`, functions: stack.training.functions },
  ]) {
    const machine = functions === stack.ingestion.functions ? stack.ingestion : stack.training;
    acknowledge(machine, [
      ...Object.values(functions).map((fn) => ({
        id: `IAM5[Resource::<${logicalId(fn)}.Arn>:*]`,
        reason:
          "aws-cdk-lib's grantInvoke: the state machine may invoke any version of its own function",
      })),
      {
        id: `IAM5[Resource::arn:${partition}:states:${region}:${account}:execution:${stateMachineName}/*]`,
        reason:
          'DISTRIBUTED Map items run as child executions of this very state machine, named at run time',
      },
    ]);
  }

  acknowledge(stack.api, [
    {
      id: 'APIG3',
      reason:
        'no WAF by default (about $6/month idle): every data route needs an API key and the usage ' +
        'plan throttles per key; docs/deploy.md says how to add a web ACL',
    },
    ...['APIG4', 'COG4'].map((id) => ({
      id,
      reason:
        'reads need an API key with a usage plan (x-api-key); writes are IAM-authorized (SigV4: a ' +
        "backend's role, or the console's Cognito identity pool credentials), so no method uses " +
        'a Cognito user pool authorizer; /health and CORS preflights are open by design',
    })),
    ...WRITE_ROUTES.filter((route) => route.path.includes('{')).map((route) => ({
      id:
        `IAM5[Resource::arn:${partition}:execute-api:${region}:${account}:` +
        `<${logicalId(stack.api.restApi)}>/<${logicalId(stack.api.restApi.deploymentStage)}>/` +
        `${route.method}${route.path.replace(/\{[^/}]+\}/g, '*')}]`,
      reason:
        'execute-api:Invoke on one write method of this API and stage: each * is one path ' +
        'parameter (a user or movie id), not known at deploy time',
    })),
    {
      id: 'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's account-level role for execution logs: the managed policy is the documented one",
    },
  ]);

  if (stack.consoleAuth) {
    acknowledge(stack.consoleAuth, [
      {
        id: 'COG8',
        reason:
          'the console pool holds a few operators, created by an administrator (no self sign-up) ' +
          'with TOTP MFA required; the Plus plan (threat protection) is billed per user and can be ' +
          'switched on in the Cognito console',
      },
    ]);
  }

  if (stack.web) {
    acknowledge(stack.web, [
      {
        id: 'CFR1',
        reason: 'the operator console is not geo-restricted; it holds no data, the API key does',
      },
      {
        id: 'CFR2',
        reason: 'static files only; no WAF by default (cost), see docs/deploy.md',
      },
      {
        id: 'CFR4',
        reason:
          'the default *.cloudfront.net certificate fixes the policy at TLSv1; a custom domain ' +
          'with an ACM certificate and minimumProtocolVersion TLSv1.2_2021 lifts it (docs/deploy.md)',
      },
    ]);
  }

  // Custom resources that aws-cdk-lib adds (bucket notifications, auto-delete, site deployment):
  // their roles and policies are written by the library, not this project.
  for (const child of stack.node.children) {
    if (!/^(Custom::|BucketNotificationsHandler)/.test(child.node.id)) continue;
    acknowledge(child, [
      {
        id: `IAM5[Resource::arn:${partition}:s3:::cdk-hnb659fds-assets-${account}-${region}/*]`,
        reason: 'aws-cdk-lib BucketDeployment reads the site files from the CDK asset bucket',
      },
      ...(stack.web
        ? [
            {
              id: `IAM5[Resource::<${logicalId(stack.web.bucket)}.Arn>/*]`,
              reason: 'aws-cdk-lib BucketDeployment replaces the console files in the web bucket',
            },
          ]
        : []),
    ]);
  }
}
