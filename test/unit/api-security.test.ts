import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createApiHandler } from '../../lambdas/services/api/app.ts';
import { corsPolicyFromEnv, recsysEnvironment } from '../../lambdas/services/api/cors.ts';
import { localLambdaContext } from '../../scripts/runtime/serve/api-event.ts';

/**
 * CORS policy and hostile Lambda events, through the real middleware chain. The requests here are
 * all answered before any route reads data (preflights, refused keys, refused parameters), so the
 * stores are a fake that fails the test if anything reaches them.
 */
const KEY = 'unit-key-5a1f';
const fakeStores = () => {
  throw new Error('fake stores: this request should not have reached the data');
};

function event(partial: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return {
    resource: partial.path ?? '/',
    path: '/',
    httpMethod: 'GET',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1' } as APIGatewayProxyEvent['requestContext'],
    ...partial,
  };
}

async function invoke(env: NodeJS.ProcessEnv, e: APIGatewayProxyEvent) {
  const handler = createApiHandler({ env: { RECSYS_API_KEY: KEY, ...env }, stores: fakeStores });
  const result = await handler(e, localLambdaContext('req-1'));
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  return { status: result.statusCode, headers, body: JSON.parse(result.body || 'null') };
}

const preflight = (origin: string) =>
  event({
    httpMethod: 'OPTIONS',
    path: '/stats',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
  });

describe('CORS policy from the environment', () => {
  const cases: [string, NodeJS.ProcessEnv, string[], number][] = [
    ['local (no Lambda, no RECSYS_ENV): any origin', {}, ['*'], 0],
    ['RECSYS_ENV=dev: any origin', { RECSYS_ENV: 'dev' }, ['*'], 0],
    ['a Lambda without an allow-list: none', { AWS_LAMBDA_FUNCTION_NAME: 'api' }, [], 0],
    ['RECSYS_ENV=prod without an allow-list: none', { RECSYS_ENV: 'prod' }, [], 0],
    [
      'an allow-list, trimmed, trailing slash dropped',
      { RECSYS_ENV: 'prod', RECSYS_CORS_ORIGINS: ' https://a.example , https://b.example:8443/' },
      ['https://a.example', 'https://b.example:8443'],
      0,
    ],
    [
      '"*" listed in production is refused',
      { RECSYS_ENV: 'prod', RECSYS_CORS_ORIGINS: '*,https://a.example' },
      ['https://a.example'],
      1,
    ],
    ['"*" listed in local is kept', { RECSYS_CORS_ORIGINS: '*' }, ['*'], 0],
    [
      'entries that are not origins are refused',
      {
        RECSYS_ENV: 'prod',
        RECSYS_CORS_ORIGINS: 'a.example,javascript:alert(1),https://ok.example/path',
      },
      [],
      3,
    ],
    [
      'a subdomain wildcard is an origin',
      { RECSYS_ENV: 'prod', RECSYS_CORS_ORIGINS: 'https://*.example.com' },
      ['https://*.example.com'],
      0,
    ],
  ];
  it.each(cases)('%s', (_name, env, origins, refused) => {
    const policy = corsPolicyFromEnv(env);
    expect(policy.origins).toEqual(origins);
    expect(policy.refused).toHaveLength(refused);
  });

  it('names the environment: RECSYS_ENV, else production inside a Lambda, else local', () => {
    expect(recsysEnvironment({ RECSYS_ENV: 'Staging' })).toBe('staging');
    expect(recsysEnvironment({ AWS_LAMBDA_FUNCTION_NAME: 'f' })).toBe('production');
    expect(recsysEnvironment({})).toBe('local');
  });
});

describe('CORS through the handler', () => {
  it('local: a preflight from any origin gets "*" without a key', async () => {
    const reply = await invoke({}, preflight('https://anywhere.example'));
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe('*');
  });

  it('production without an allow-list: no origin is allowed', async () => {
    const reply = await invoke(
      { AWS_LAMBDA_FUNCTION_NAME: 'api' },
      preflight('https://anywhere.example'),
    );
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('production with an allow-list: listed origins echoed (Vary: Origin), others get nothing', async () => {
    const env = {
      RECSYS_ENV: 'production',
      RECSYS_CORS_ORIGINS: 'https://console.example,https://b.example',
    };
    const allowed = await invoke(env, preflight('https://console.example'));
    expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example');
    expect(allowed.headers.vary).toMatch(/Origin/);
    const other = await invoke(env, preflight('https://evil.example'));
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // Error responses carry the same policy, so a browser can read a 401 from an allowed origin.
    const refused = await invoke(
      env,
      event({ path: '/stats', headers: { Origin: 'https://console.example' } }),
    );
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe('https://console.example');
  });

  it('production with "*" listed never answers "*"', async () => {
    const reply = await invoke(
      { RECSYS_ENV: 'production', RECSYS_CORS_ORIGINS: '*' },
      preflight('https://evil.example'),
    );
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('hostile Lambda events (as API Gateway delivers them, JSON-parsed)', () => {
  it('parameters named __proto__, constructor and toString are refused as unknown, not crashed on', async () => {
    const query = JSON.parse('{"__proto__":"1","constructor":"x","toString":"y"}') as Record<
      string,
      string
    >;
    const reply = await invoke(
      {},
      event({ path: '/models', headers: { 'x-api-key': KEY }, queryStringParameters: query }),
    );
    expect(reply.status).toBe(400);
    const named = (reply.body.error.problems as { parameter: string }[]).map((p) => p.parameter);
    expect(named.sort()).toEqual(['__proto__', 'constructor', 'toString']);
  });

  it('a header named __proto__ or constructor does not stand in for the API key', async () => {
    const headers = JSON.parse('{"__proto__":{"x-api-key":"' + KEY + '"},"constructor":"x"}');
    const reply = await invoke({}, event({ path: '/models', headers }));
    expect(reply.status).toBe(401);
  });

  it('a key differing only in case or padding is refused', async () => {
    for (const given of [KEY.toUpperCase(), ` ${KEY}`, `${KEY}\u0000`, KEY.slice(0, -1)]) {
      const reply = await invoke({}, event({ path: '/models', headers: { 'x-api-key': given } }));
      expect(reply.status, JSON.stringify(given)).toBe(403);
    }
  });
});
