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
import { recsysFunction } from './recsys-function.ts';
import { WebHosting } from './web-hosting.ts';

/** Every table the API reads, and nothing it could write: serving is read-only. */
export const API_READ_TABLES = [
  'movies',
  'ratings_by_user',
  'ratings_by_movie',
  'users',
  'datasets',
  'dataset_stats',
  'models',
  'active_model',
  'recommendations',
  'similar_movies',
] as const;

export interface ApiProps {
  readonly bucket: s3.IBucket;
  readonly keyspaceName: string;
  readonly retainData?: boolean;
  /** Requests per second per key, and the burst above it (usage plan throttling). */
  readonly rateLimit?: number;
  readonly burstLimit?: number;
  /** Serve the web console from S3 + CloudFront (default true). */
  readonly webHosting?: boolean;
}

/**
 * The HTTPS recommendation endpoint: an API Gateway REST API whose every data route needs an API
 * key (usage plan with throttling and a daily quota), proxying to one Lambda (lambdas/api/handler.ts)
 * that may only read the serving tables and the model files.
 */
export class Api extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly restApi: apigw.RestApi;
  readonly apiKey: apigw.IApiKey;
  readonly web?: WebHosting;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.function = recsysFunction(this, 'Handler', {
      entry: 'lambdas/api/handler.ts',
      // Fold-in and on-line scoring hold the item factors in memory; CPU scales with memory.
      memoryMb: 1024,
      // API Gateway gives up after 29 s.
      timeout: Duration.seconds(29),
      service: 'recsys-api',
      bucket: props.bucket,
      keyspaceName: props.keyspaceName,
      // API Gateway has checked the key before the Lambda runs.
      environment: { RECSYS_API_KEY_SOURCE: 'gateway' },
      logGroup: new logs.LogGroup(this, 'HandlerLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      externalModules: ['@aws-sdk/*'],
    });
    grantServingReads(this.function, props.bucket, props.keyspaceName);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const integration = new apigw.LambdaIntegration(this.function, { proxy: true });
    this.restApi = new apigw.RestApi(this, 'RestApi', {
      restApiName: `${Aws.STACK_NAME}-api`,
      description: 'MovieLens recommendations (API key in x-api-key)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        metricsEnabled: true,
        throttlingRateLimit: 200,
        throttlingBurstLimit: 400,
      },
      defaultMethodOptions: { apiKeyRequired: true },
      defaultCorsPreflightOptions: {
        allowOrigins: apigw.Cors.ALL_ORIGINS,
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        allowHeaders: ['content-type', 'x-api-key'],
        maxAge: Duration.minutes(10),
      },
    });
    this.restApi.root.addProxy({ defaultIntegration: integration, anyMethod: true });
    this.restApi.root
      .addResource('health')
      .addMethod('GET', integration, { apiKeyRequired: false });
    jsonGatewayResponses(this.restApi);

    const plan = this.restApi.addUsagePlan('UsagePlan', {
      description: 'Throttling and quota for console and client keys',
      throttle: { rateLimit: props.rateLimit ?? 50, burstLimit: props.burstLimit ?? 100 },
      quota: { limit: 100_000, period: apigw.Period.DAY },
    });
    plan.addApiStage({ stage: this.restApi.deploymentStage });
    this.apiKey = this.restApi.addApiKey('ConsoleKey', { description: 'recsys operator console' });
    plan.addApiKey(this.apiKey);

    new CfnOutput(this, 'ApiUrl', { value: this.restApi.url });
    new CfnOutput(this, 'ApiKeyId', {
      value: this.apiKey.keyId,
      description: 'aws apigateway get-api-key --include-value --api-key <id> prints the key',
    });

    if (props.webHosting ?? true) {
      this.web = new WebHosting(this, 'Web', {
        apiUrl: this.restApi.url,
        retainData: props.retainData ?? false,
      });
      new CfnOutput(this, 'ConsoleUrl', {
        value: `https://${this.web.distribution.distributionDomainName}/`,
      });
    }
  }
}

/** cassandra:Select on the serving tables (and the system tables the driver reads on connect), s3:GetObject on models/*. */
function grantServingReads(fn: lambda.IFunction, bucket: s3.IBucket, keyspace: string): void {
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
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects('models/*')],
    }),
  );
}

/** API Gateway's own refusals (bad key, throttling, quota) in the JSON shape the Lambda uses. */
function jsonGatewayResponses(api: apigw.RestApi): void {
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
      responseHeaders: { 'Access-Control-Allow-Origin': "'*'" },
      templates: {
        'application/json': JSON.stringify({
          error: { ...(status ? { status } : {}), code, message },
          requestId: '$context.requestId',
        }),
      },
    });
  }
}
