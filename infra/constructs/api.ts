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
import { recsysFunction, type DataTarget } from './recsys-function.ts';

/** Every table the API reads. */
export const API_READ_TABLES = [
  'movies',
  'ratings_by_user',
  'ratings_by_movie',
  'users',
  'datasets',
  'dataset_stats',
  'models',
  'active_model',
  'recommendation_lists',
  'similar_movie_lists',
  'user_rating_changes',
  'user_likes',
  'events',
  'served_lists',
] as const;

/**
 * The only tables the API writes: run-time ratings (both orientations), the per-user change
 * marker, likes, feedback events, the served-list sample, and the movies table (`PUT /movies`
 * adds or updates a movie). Models and stored lists stay read-only to it.
 */
export const API_WRITE_TABLES = [
  'movies',
  'ratings_by_user',
  'ratings_by_movie',
  'user_rating_changes',
  'user_likes',
  'events',
  'served_lists',
] as const;

/** The API Lambda's handler module, relative to the repository root. */
export const API_ENTRY = 'lambdas/api/handler.ts';

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
}

/**
 * The HTTPS recommendation endpoint: an API Gateway REST API whose every data route needs an API
 * key (usage plan with throttling and a daily quota), proxying to one Lambda (lambdas/api/handler.ts)
 * that reads the serving tables and the model files and writes only the feedback tables.
 */
export class Api extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly restApi: apigw.RestApi;
  readonly apiKey: apigw.IApiKey;

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
      // API Gateway has checked the key before the Lambda runs.
      environment: {
        RECSYS_API_KEY_SOURCE: 'gateway',
        RECSYS_CORS_ORIGINS: props.corsOrigins.join(','),
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
        // Execution logs for failed requests only; the access log has every request.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        throttlingRateLimit: 200,
        throttlingBurstLimit: 400,
      },
      defaultMethodOptions: { apiKeyRequired: true },
      defaultCorsPreflightOptions: {
        allowOrigins: [...props.corsOrigins],
        allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
        allowHeaders: ['content-type', 'x-api-key'],
        maxAge: Duration.minutes(10),
      },
    });
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
    new CfnOutput(this, 'ApiKeyId', {
      value: this.apiKey.keyId,
      description: 'aws apigateway get-api-key --include-value --api-key <id> prints the key',
    });
  }
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
