import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { aws_s3 as s3 } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_READ_TABLES, API_WRITE_TABLES, Api } from '../../infra/constructs/api.ts';
import { WRITE_ROUTES } from '../../lambdas/core/api/write-routes.ts';

let template: Template;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ApiTest');
  const bucket = new s3.Bucket(stack, 'Data');
  new Api(stack, 'Api', {
    bucket,
    keyspaceName: 'recsys',
    corsOrigins: ['https://console.example', 'http://localhost:3000'],
  });
  template = Template.fromStack(stack);
}, 120_000);

/** Statements of every inline policy attached to the API handler's role. */
function handlerStatements(): { Action: string | string[]; Resource: unknown }[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.entries(policies)
    .filter(([id]) => id.startsWith('ApiHandlerServiceRoleDefaultPolicy'))
    .flatMap(
      ([, p]) =>
        (p as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument
          .Statement,
    );
}

interface MethodProps {
  HttpMethod: string;
  ApiKeyRequired?: boolean;
  AuthorizationType?: string;
  ResourceId: unknown;
  Integration: { Type: string };
  /** The resource path, built from the Resource tree ("/" for the root). */
  path: string;
}

/** Every method with the path of its resource. */
function methodsByPath(): MethodProps[] {
  const resources = template.findResources('AWS::ApiGateway::Resource');
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string }).Ref;
    if (!id) return ''; // the root resource (Fn::GetAtt RootResourceId)
    const resource = resources[id]!.Properties as { ParentId: unknown; PathPart: string };
    return `${pathOf(resource.ParentId)}/${resource.PathPart}`;
  };
  return Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => {
    const properties = m.Properties as Omit<MethodProps, 'path'>;
    return { ...properties, path: pathOf(properties.ResourceId) || '/' };
  });
}

describe('Api construct', () => {
  it('runs the handler on Node 22 with the gateway checking keys', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Timeout: 29,
      Environment: {
        Variables: Match.objectLike({
          RECSYS_DB: 'keyspaces',
          RECSYS_KEYSPACE: 'recsys',
          RECSYS_API_KEY_SOURCE: 'gateway',
        }),
      },
    });
  });

  it('requires an API key on every method except /health, CORS preflights and the writes', () => {
    const methods = methodsByPath();
    const open = methods.filter((m) => !m.ApiKeyRequired);
    expect(
      open
        .filter((m) => m.HttpMethod !== 'OPTIONS' && m.AuthorizationType !== 'AWS_IAM')
        .map((m) => `${m.HttpMethod} ${m.path}`),
    ).toEqual(['GET /health']);
    expect(methods.filter((m) => m.HttpMethod === 'ANY').every((m) => m.ApiKeyRequired)).toBe(true);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'health' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
  });

  it('authorizes exactly the write routes with IAM (SigV4), without the key', () => {
    const methods = methodsByPath();
    const iam = methods.filter((m) => m.AuthorizationType === 'AWS_IAM');
    expect(iam.map((m) => `${m.HttpMethod} ${m.path}`).sort()).toEqual(
      WRITE_ROUTES.map((r) => `${r.method} ${r.path}`).sort(),
    );
    for (const method of iam) {
      expect(method.ApiKeyRequired).toBe(false);
      expect(method.Integration.Type).toBe('AWS_PROXY');
    }
    // Every other method: the key, no authorizer (reads unchanged).
    for (const method of methods) {
      if (method.AuthorizationType === 'AWS_IAM' || method.HttpMethod === 'OPTIONS') continue;
      expect(method.AuthorizationType ?? 'NONE', `${method.HttpMethod} ${method.path}`).toBe(
        'NONE',
      );
    }
  });

  it('still reaches the Lambda on every other path under the write resources', () => {
    const methods = methodsByPath();
    const any = new Set(methods.filter((m) => m.HttpMethod === 'ANY').map((m) => m.path));
    // Each explicit resource answers other methods (GET /users/1/ratings, GET /movies/1) and,
    // unless it has a path-parameter child, its {proxy+} carries the deeper reads.
    for (const path of [
      '/',
      '/{proxy+}',
      '/users',
      '/users/{userId}',
      '/users/{userId}/{proxy+}',
      '/users/{userId}/ratings',
      '/users/{userId}/ratings/{movieId}',
      '/users/{userId}/ratings/{movieId}/{proxy+}',
      '/users/{userId}/dislikes',
      '/users/{userId}/dislikes/{movieId}',
      '/users/{userId}/dislikes/{movieId}/{proxy+}',
      '/events',
      '/events/{proxy+}',
      '/movies',
      '/movies/{movieId}',
      '/movies/{movieId}/{proxy+}',
    ]) {
      expect(any.has(path), path).toBe(true);
    }
    const proxies = methods.filter(
      (m) => m.path.endsWith('{proxy+}') && m.HttpMethod !== 'OPTIONS',
    );
    expect(proxies.every((m) => m.Integration.Type === 'AWS_PROXY' && m.ApiKeyRequired)).toBe(true);
  });

  it('throttles each write method on the stage (writes carry no key for the usage plan)', () => {
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0]!;
    const settings = stage.Properties.MethodSettings as {
      HttpMethod: string;
      ResourcePath: string;
      ThrottlingRateLimit: number;
      ThrottlingBurstLimit: number;
    }[];
    for (const route of WRITE_ROUTES) {
      // API Gateway's method settings path: "/" → "~1" inside the resource path.
      const setting = settings.find(
        (s) =>
          s.HttpMethod === route.method && s.ResourcePath === `/${route.path.replace(/\//g, '~1')}`,
      );
      expect(setting, `${route.method} ${route.path}`).toMatchObject({
        ThrottlingRateLimit: route.rateLimit,
        ThrottlingBurstLimit: route.burstLimit,
      });
      expect(route.rateLimit).toBeLessThanOrEqual(50);
    }
  });

  it('has a write policy that invokes the write methods of this stage and nothing else', () => {
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(1);
    const statements = policies[0]!.Properties.PolicyDocument.Statement as {
      Action: string;
      Resource: unknown[];
    }[];
    expect(statements.map((s) => s.Action)).toEqual(['execute-api:Invoke']);
    const resources = statements[0]!.Resource.map((r) => JSON.stringify(r));
    expect(resources).toHaveLength(WRITE_ROUTES.length);
    for (const route of WRITE_ROUTES) {
      const path = route.path.replace(/\{[^/}]+\}/g, '*');
      expect(
        resources.some((r) => r.includes(`/${route.method}${path}"`)),
        path,
      ).toBe(true);
    }
    for (const resource of resources) expect(resource).not.toMatch(/\/\*\/\*|"\*"/);
  });

  it('lets a browser send the SigV4 headers (CORS preflight)', () => {
    const options = Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
      (m) => m.Properties.HttpMethod === 'OPTIONS',
    );
    for (const method of options) {
      const text = JSON.stringify(method.Properties.Integration);
      for (const header of ['authorization', 'x-amz-date', 'x-amz-security-token']) {
        expect(text).toContain(header);
      }
    }
  });

  it('sends / to the Lambda too: no MOCK without a mapping (it answers 500)', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map(
      (m) => (m as { Properties: Record<string, any> }).Properties, // eslint-disable-line @typescript-eslint/no-explicit-any
    );
    for (const method of methods) {
      if (method.Integration.Type !== 'MOCK') continue;
      // Only CORS preflights are mocked, each with its mapped 204 response.
      expect(method.HttpMethod).toBe('OPTIONS');
      expect(method.Integration.RequestTemplates).toBeDefined();
      expect(method.Integration.IntegrationResponses.length).toBeGreaterThan(0);
    }
    const root = methods.filter(
      (m) => m.HttpMethod === 'ANY' && JSON.stringify(m.ResourceId).includes('RootResourceId'),
    );
    expect(root).toHaveLength(1);
    expect(root[0]!.Integration.Type).toBe('AWS_PROXY');
    expect(root[0]!.ApiKeyRequired).toBe(true);
  });

  it('throttles through a usage plan with a key, and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 50, BurstLimit: 100 },
      Quota: { Limit: 100_000, Period: 'DAY' },
    });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('requestId'),
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'INVALID_API_KEY',
      StatusCode: '403',
    });
  });

  it('reads the serving tables and models/*, and modifies only the feedback tables', () => {
    const statements = handlerStatements();
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.filter((a) => !a.startsWith('xray:')).sort()).toEqual([
      'cassandra:Modify',
      'cassandra:Select',
      's3:GetObject',
    ]);
    const text = JSON.stringify(statements);
    for (const table of API_READ_TABLES) expect(text).toContain(`/keyspace/recsys/table/${table}`);
    expect(text).toContain('/models/*');
    expect(text).not.toMatch(/s3:PutObject|s3:\*/);
    const modify = statements.filter((s) => s.Action === 'cassandra:Modify');
    expect(modify).toHaveLength(1);
    const tables = [...JSON.stringify(modify).matchAll(/table\/([a-z_]+)/g)].map((m) => m[1]);
    expect(tables.sort()).toEqual([...API_WRITE_TABLES].sort());
  });

  it('lets API Gateway invoke the Lambda through one permission for the whole API', () => {
    // One statement per method (and per console test-invoke) grew the function's resource policy
    // to ~16.8 KB of Lambda's 20 KB limit; one API-wide permission stays the same size for any
    // number of routes.
    const [handlerId] = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) =>
      id.startsWith('ApiHandler'),
    );
    const [restApiId] = Object.keys(template.findResources('AWS::ApiGateway::RestApi'));
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (p) => JSON.stringify(p.Properties.FunctionName).includes(handlerId!),
    );
    expect(permissions).toHaveLength(1);
    const methods = methodsByPath().filter((m) => m.Integration.Type === 'AWS_PROXY');
    expect(methods.length).toBeGreaterThan(10);
    const permission = permissions[0]!.Properties as {
      Action: string;
      Principal: string;
      SourceArn: { 'Fn::Join': [string, unknown[]] };
    };
    expect(permission.Action).toBe('lambda:InvokeFunction');
    expect(permission.Principal).toBe('apigateway.amazonaws.com');
    // arn:<partition>:execute-api:<region>:<account>:<this API's id>/*/*/* : every stage (the
    // console's test-invoke-stage too), method and path of this API, and of no other API.
    const parts = permission.SourceArn['Fn::Join'][1];
    expect(parts).toContainEqual({ Ref: restApiId });
    expect(parts.filter((p) => typeof p === 'string').join('|')).toMatch(/:execute-api:/);
    expect(parts[parts.length - 1]).toBe('/*/*/*');
  });

  it('answers CORS for the configured origins only, in the preflight and the Lambda', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          RECSYS_CORS_ORIGINS: 'https://console.example,http://localhost:3000',
        }),
      },
    });
    const options = Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
      (m) => m.Properties.HttpMethod === 'OPTIONS',
    );
    expect(options.length).toBeGreaterThan(0);
    for (const method of options) {
      // Two origins: API Gateway echoes the caller's origin when it is one of them.
      const text = JSON.stringify(method.Properties.Integration);
      expect(text).toContain('https://console.example');
      expect(text).toContain('http://localhost:3000');
      expect(text).not.toContain("'*'");
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'INVALID_API_KEY',
      ResponseParameters: {
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://console.example'",
      },
    });
  });
});
