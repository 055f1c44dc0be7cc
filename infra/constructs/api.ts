import {
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  aws_apigateway as apigw,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_lambda_nodejs as nodejs,
  aws_logs as logs,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { API_READ_TABLES, API_WRITE_TABLES } from '../../lambdas/api/table-access.ts';
import { WRITE_ROUTES } from '../../lambdas/core/api/write-routes.ts';
import { API_ROLE } from '../../statemachines/function-roles.ts';
import { recsysFunction, type DataTarget } from './recsys-function.ts';

export { API_READ_TABLES, API_WRITE_TABLES } from '../../lambdas/api/table-access.ts';

/** The API Lambda's handler module, relative to the repository root. */
export const API_ENTRY = 'lambdas/api/handler.ts';

/** The request headers of the console's SigV4-signed calls (CORS must let a browser send them). */
export const SIGV4_HEADERS = ['authorization', 'x-amz-date', 'x-amz-security-token'] as const;

export interface ApiProps {
  readonly bucket: s3.IBucket;
  readonly keyspaceName: string;
  readonly retainData?: boolean;
  /** Requests per second per key, and the burst above it (usage plan throttling). */
  readonly rateLimit?: number;
  readonly burstLimit?: number;
  readonly target?: DataTarget;
  /**
   * Browser origins allowed to call the API (CORS): the preflight answers and the Lambda's
   * RECSYS_CORS_ORIGINS. The stack passes its CloudFront console origin unless told otherwise.
   */
  readonly corsOrigins: readonly string[];
  /** Reserved concurrency of the handler, so training can't starve it; 0 or absent: none. */
  readonly reservedConcurrency?: number;
  /** The account's Lambda memory quota. */
  readonly maxMemoryMb?: number;
  /**
   * The Lambda also refuses writes that API Gateway did not authorize with IAM (default true; the
   * local profile turns it off, since LocalStack's free tier neither checks nor names a signer).
   */
  readonly signedWritesOnly?: boolean;
  /**
   * Create API Gateway's account-level CloudWatch role for the Region (default true): execution
   * logging fails to deploy without one. It is retained on delete (see `executionLogs` below).
   */
  readonly cloudWatchRole?: boolean;
}

/** API Gateway's stage, in the URL and in the execution log group's name. */
export const API_STAGE = 'v1';

/**
 * The HTTPS recommendation endpoint: an API Gateway REST API whose every read route needs an API
 * key (usage plan with throttling and a daily quota) and whose write routes (`WRITE_ROUTES`) need
 * a SigV4 signature (IAM), proxying to one Lambda (lambdas/api/handler.ts) that reads the serving
 * tables and the model files and writes only the feedback tables.
 */
export class Api extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly restApi: apigw.RestApi;
  readonly apiKey: apigw.IApiKey;
  /** The IAM-authorized write methods, by "METHOD path". */
  readonly writeMethods: ReadonlyMap<string, apigw.Method>;
  /**
   * execute-api:Invoke on the write methods and nothing else: attach it to a backend's role to let
   * it write (SigV4); the web console's signed-in users get it through the Cognito identity pool.
   */
  readonly writePolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    if (props.corsOrigins.length === 0) throw new Error('Api: corsOrigins names no origin');
    this.function = recsysFunction(this, 'Handler', {
      entry: API_ENTRY,
      // Fold-in and on-line scoring hold the item factors in memory; CPU scales with memory.
      memoryMb: 1024,
      // API Gateway gives up after 29 s.
      timeout: Duration.seconds(29),
      service: 'recsys-api',
      bucket: props.bucket,
      keyspaceName: props.keyspaceName,
      cassandraRole: API_ROLE.role,
      // API Gateway has checked the key before the Lambda runs.
      environment: {
        RECSYS_API_KEY_SOURCE: 'gateway',
        RECSYS_CORS_ORIGINS: props.corsOrigins.join(','),
        ...((props.signedWritesOnly ?? true) ? { RECSYS_WRITE_AUTH: 'iam' } : {}),
      },
      ...(props.target ? { target: props.target } : {}),
      ...(props.retainData ? { retainData: true } : {}),
      ...(props.reservedConcurrency ? { reservedConcurrency: props.reservedConcurrency } : {}),
      ...(props.maxMemoryMb ? { maxMemoryMb: props.maxMemoryMb } : {}),
    });
    grantServingAccess(this.function, props.bucket, props.keyspaceName);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // One lambda:InvokeFunction permission for the whole API (execute-api ARN …/<api-id>/*/*/*,
    // console test invocations included) instead of two per method: with ~18 methods that was ~36
    // statements, ~16.8 KB of the 20 KB Lambda resource-policy limit, and one more route or a
    // longer stack name would fail the deploy. Every route reaches this one function anyway.
    const integration = new apigw.LambdaIntegration(this.function, {
      proxy: true,
      scopePermissionToMethod: false,
    });
    this.restApi = new apigw.RestApi(this, 'RestApi', {
      restApiName: `${Aws.STACK_NAME}-api`,
      description:
        'MovieLens recommendations (reads: API key in x-api-key; writes: SigV4-signed, IAM)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Explicit, since cdk.json sets @aws-cdk/aws-apigateway:disableCloudWatchRole. The role and
      // AWS::ApiGateway::Account are one setting per account and Region that every REST API there
      // uses; deleting them with this stack would silently stop every other API's execution logs,
      // so they are retained (CDK's default). -c apiCloudWatchRole=false where it is already set.
      ...((props.cloudWatchRole ?? true)
        ? { cloudWatchRole: true, cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN }
        : { cloudWatchRole: false }),
      deployOptions: {
        stageName: API_STAGE,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        metricsEnabled: true,
        // Execution logs for failed requests only; the access log has every request.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        throttlingRateLimit: 200,
        throttlingBurstLimit: 400,
        // Writes carry no API key, so no usage plan meters them: each has its own stage limit.
        methodOptions: Object.fromEntries(
          WRITE_ROUTES.map((route) => [
            `${route.path}/${route.method}`,
            { throttlingRateLimit: route.rateLimit, throttlingBurstLimit: route.burstLimit },
          ]),
        ),
      },
      defaultMethodOptions: { apiKeyRequired: true },
      defaultCorsPreflightOptions: {
        allowOrigins: [...props.corsOrigins],
        allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
        allowHeaders: ['content-type', 'x-api-key', ...SIGV4_HEADERS],
        maxAge: Duration.minutes(10),
      },
    });
    // Execution logs (errors only) go to the group API Gateway would create on first use, which
    // would never expire and outlive the stack: created here first, with a retention, and the
    // stage waits for it (so API Gateway cannot create it first and fail this one).
    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${API_STAGE}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY, // like the access log
    });
    this.restApi.deploymentStage.node.addDependency(executionLogs);
    // Query strings, paths and bodies are checked by the Lambda (one-line 4xx reasons); with no
    // models declared this validator only rejects requests missing declared parameters.
    const validator = this.restApi.addRequestValidator('Validator', {
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    // `/` itself goes to the Lambda too (it answers 404 route_not_found in its JSON shape). Left to
    // addProxy, the root would get an ANY method with a MOCK integration and no mapping, which
    // answers 500 and trips the 5xx alarm.
    this.restApi.root.addMethod('ANY', integration, { requestValidator: validator });
    this.restApi.root.addProxy({
      defaultIntegration: integration,
      anyMethod: true,
      defaultMethodOptions: { requestValidator: validator },
    });
    this.restApi.root
      .addResource('health')
      .addMethod('GET', integration, { apiKeyRequired: false });
    this.writeMethods = addWriteRoutes(this.restApi, integration, validator);
    this.writePolicy = new iam.ManagedPolicy(this, 'WritePolicy', {
      description: 'Call the recommender API write routes (SigV4): ratings, events, movies',
      statements: [
        new iam.PolicyStatement({
          actions: ['execute-api:Invoke'],
          resources: WRITE_ROUTES.map((route) =>
            this.restApi.arnForExecuteApi(
              route.method,
              // Path parameters are one segment each in an execute-api ARN: `*`.
              route.path.replace(/\{[^/}]+\}/g, '*'),
              this.restApi.deploymentStage.stageName,
            ),
          ),
        }),
      ],
    });
    // Gateway refusals carry one origin: they cannot echo the caller's like the preflight does.
    jsonGatewayResponses(this.restApi, props.corsOrigins[0]!);

    const plan = this.restApi.addUsagePlan('UsagePlan', {
      description: 'Throttling and quota for console and client keys',
      throttle: { rateLimit: props.rateLimit ?? 50, burstLimit: props.burstLimit ?? 100 },
      quota: { limit: 100_000, period: apigw.Period.DAY },
    });
    plan.addApiStage({ stage: this.restApi.deploymentStage });
    this.apiKey = this.restApi.addApiKey('ConsoleKey', { description: 'recsys operator console' });
    plan.addApiKey(this.apiKey);

    new CfnOutput(this, 'ApiUrl', { value: this.restApi.url });
    new CfnOutput(this, 'WritePolicyArn', {
      value: this.writePolicy.managedPolicyArn,
      description: 'attach to a backend role that writes ratings, events or movies (SigV4)',
    });
    new CfnOutput(this, 'ApiKeyId', {
      value: this.apiKey.keyId,
      description: 'aws apigateway get-api-key --include-value --api-key <id> prints the key',
    });
  }
}

/**
 * Explicit resources for the write paths, each write method IAM-authorized (no API key). Every
 * resource this creates also gets an ANY method with the key (the reads and the Lambda's JSON 404s
 * on the same paths: an explicit method wins over ANY) and, unless it has a path-parameter child,
 * a `{proxy+}` child with ANY: so every other path under it reaches the Lambda exactly as through
 * the root `{proxy+}` (e.g. GET /users/1/recommendations, GET /movies/1/similar).
 */
function addWriteRoutes(
  api: apigw.RestApi,
  integration: apigw.Integration,
  validator: apigw.IRequestValidator,
): Map<string, apigw.Method> {
  const created = new Map<string, apigw.Resource>();
  const resourceFor = (path: string): apigw.Resource => {
    let parent: apigw.IResource = api.root;
    let sofar = '';
    for (const part of path.split('/').filter(Boolean)) {
      sofar += `/${part}`;
      let resource = created.get(sofar);
      if (!resource) {
        resource = parent.addResource(part);
        resource.addMethod('ANY', integration, { requestValidator: validator });
        created.set(sofar, resource);
      }
      parent = resource;
    }
    return parent as apigw.Resource;
  };
  const methods = new Map<string, apigw.Method>();
  for (const route of WRITE_ROUTES) {
    const method = resourceFor(route.path).addMethod(route.method, integration, {
      authorizationType: apigw.AuthorizationType.IAM,
      apiKeyRequired: false,
      requestValidator: validator,
    });
    methods.set(`${route.method} ${route.path}`, method);
  }
  for (const [path, resource] of created) {
    const depth = path.split('/').length;
    // API Gateway allows one path-parameter child per resource, and {proxy+} is one.
    const hasVariableChild = [...created.keys()].some(
      (other) => other.startsWith(`${path}/{`) && other.split('/').length === depth + 1,
    );
    if (!hasVariableChild) {
      resource.addProxy({
        defaultIntegration: integration,
        anyMethod: true,
        defaultMethodOptions: { requestValidator: validator },
      });
    }
  }
  return methods;
}

/**
 * cassandra:Select on the serving tables (and the system tables the driver reads on connect),
 * cassandra:Modify on the feedback tables only, s3:GetObject on models/*.
 */
function grantServingAccess(fn: lambda.IFunction, bucket: s3.IBucket, keyspace: string): void {
  const arn = (resource: string) =>
    `arn:${Aws.PARTITION}:cassandra:${Aws.REGION}:${Aws.ACCOUNT_ID}:/keyspace/${resource}`;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['cassandra:Select'],
      resources: [arn('system*'), ...API_READ_TABLES.map((t) => arn(`${keyspace}/table/${t}`))],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['cassandra:Modify'],
      resources: API_WRITE_TABLES.map((t) => arn(`${keyspace}/table/${t}`)),
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects('models/*')],
    }),
  );
}

/** API Gateway's own refusals (bad key, throttling, quota) in the JSON shape the Lambda uses. */
function jsonGatewayResponses(api: apigw.RestApi, origin: string): void {
  const responses: [string, apigw.ResponseType, number | undefined, string, string][] = [
    [
      'InvalidKey',
      apigw.ResponseType.INVALID_API_KEY,
      403,
      'invalid_api_key',
      'send a valid API key in the x-api-key header',
    ],
    [
      'Throttled',
      apigw.ResponseType.THROTTLED,
      429,
      'throttled',
      'too many requests for this API key',
    ],
    [
      'QuotaExceeded',
      apigw.ResponseType.QUOTA_EXCEEDED,
      429,
      'quota_exceeded',
      'the daily quota of this API key is used up',
    ],
    [
      'Default4xx',
      apigw.ResponseType.DEFAULT_4XX,
      undefined,
      'gateway_error',
      '$context.error.message',
    ],
    [
      'Default5xx',
      apigw.ResponseType.DEFAULT_5XX,
      undefined,
      'gateway_error',
      '$context.error.message',
    ],
  ];
  for (const [id, type, status, code, message] of responses) {
    api.addGatewayResponse(id, {
      type,
      ...(status ? { statusCode: String(status) } : {}),
      responseHeaders: { 'Access-Control-Allow-Origin': `'${origin}'` },
      templates: {
        'application/json': JSON.stringify({
          error: { ...(status ? { status } : {}), code, message },
          requestId: '$context.requestId',
        }),
      },
    });
  }
}
