import type { Template } from 'aws-cdk-lib/assertions';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, readConfig } from '../../infra/config.ts';
import { functionRoles } from '../../statemachines/function-roles.ts';
import { synthTemplate } from './infra-template.ts';

let template: Template;
let synthError: Error | undefined;

beforeAll(() => {
  const result = synthTemplate({ context: { profile: 'local' } });
  template = result.template!;
  synthError = result.error;
}, 120_000);

describe('local profile (LocalStack + Cassandra container)', () => {
  it('synthesizes clean under cdk-nag', () => {
    expect(synthError?.message).toBeUndefined();
  });

  it('has no Keyspaces and no CloudFront (LocalStack free tier lacks both)', () => {
    const types = new Set(
      Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map(
        (r) => r.Type,
      ),
    );
    expect([...types].filter((t) => /Cassandra|CloudFront/.test(t))).toEqual([]);
    expect(types.has('AWS::StepFunctions::StateMachine')).toBe(true);
    expect(types.has('AWS::ApiGateway::RestApi')).toBe(true);
  });

  it('points every handler at the compose Cassandra and LocalStack S3', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
    );
    expect(functions.length).toBeGreaterThan(20);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        RECSYS_DB: 'local',
        RECSYS_ENV: 'local',
        CASSANDRA_CONTACT_POINTS: 'cassandra:9042',
        S3_ENDPOINT: 'http://localstack:4566',
        // One keyspace per environment, in the container as on Keyspaces.
        RECSYS_KEYSPACE: 'recsys_local',
      });
    }
    const api = functions.find(
      (fn) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'recsys-api',
    )!;
    expect(api.Properties.Environment.Variables.RECSYS_CORS_ORIGINS).toBe('http://localhost:3000');
  });

  it('logs each handler in to Cassandra as its own role, one per function', () => {
    const logins = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((fn) => fn.Properties.Environment?.Variables?.CASSANDRA_USERNAME as string | undefined)
      .filter((login) => login !== undefined);
    expect(logins.sort()).toEqual(
      functionRoles()
        .map((r) => r.role)
        .sort(),
    );
  });

  it('is what `cdk synth -c profile=local` builds (stack Recsys-local)', () => {
    expect(readConfig((k) => ({ profile: 'local' })[k])).toMatchObject({
      envName: 'local',
      profile: 'local',
    });
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as {
    services: Record<string, Record<string, unknown>>;
    networks: Record<string, unknown>;
  };

  it('pins LocalStack to a version tag and passes the auth token through', () => {
    const localstack = compose.services.localstack!;
    expect(localstack.image).toMatch(/^localstack\/localstack:\d+\.\d+(\.\d+)?$/);
    const env = localstack.environment as Record<string, string>;
    expect(env.LOCALSTACK_AUTH_TOKEN).toBe('${LOCALSTACK_AUTH_TOKEN:-}');
    for (const service of ['lambda', 'states', 's3', 'events', 'apigateway', 'cloudformation']) {
      expect(env.SERVICES!.split(','), service).toContain(service);
    }
    // Lambda containers must join the network on which `cassandra` and `localstack` resolve.
    expect(env.LAMBDA_DOCKER_NETWORK).toBe('recsys');
    expect(
      Object.values(compose.networks).some((n) => (n as { name?: string }).name === 'recsys'),
    ).toBe(true);
    expect(localstack.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');
  });

  it('runs cassandra:5 with a CQL-port healthcheck, on the names the local profile uses', () => {
    const cassandra = compose.services.cassandra!;
    expect(cassandra.image).toBe('cassandra:5');
    // The port CQL opens last, probed with bash alone: the image built here has no cqlsh.
    expect(JSON.stringify(cassandra.healthcheck)).toContain('/dev/tcp/127.0.0.1/9042');
    expect(cassandra.ports).toContain('127.0.0.1:9042:9042');
    expect(compose.services.localstack!.ports).toContain('127.0.0.1:4566:4566');
    const defaults = readConfig((k) => ({ profile: 'local' })[k]);
    expect(defaults.cassandraContactPoints).toBe('cassandra:9042');
    expect(defaults.s3Endpoint).toBe('http://localstack:4566');
  });

  // Without a Docker CLI (these machines) the structural checks above stand in.
  const dockerCompose = spawnSync('docker', ['compose', 'version']).status === 0;
  it.skipIf(!dockerCompose)('is accepted by `docker compose config`', () => {
    const result = spawnSync('docker', ['compose', 'config', '--quiet'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('context parameters', () => {
  const read = (context: Record<string, string>) => () => readConfig((k) => context[k]);

  it('rejects bad values with a one-line reason', () => {
    expect(read({ concurrency: '0' })).toThrow(ConfigError);
    expect(read({ blocks: 'four' })).toThrow(/blocks must be an integer/);
    expect(read({ profile: 'prod' })).toThrow(/profile must be "aws" or "local"/);
    expect(read({ corsOrigins: '*' })).toThrow(/may not be \* outside the local profile/);
    expect(read({ corsOrigins: 'example.com' })).toThrow(/is not an origin/);
    expect(read({ keyspace: 'bad-name' })).toThrow(/keyspace/);
  });

  it('reads comma-separated CORS origins, and * only locally', () => {
    expect(read({ corsOrigins: 'https://a.example, http://localhost:5173' })().corsOrigins).toEqual(
      ['https://a.example', 'http://localhost:5173'],
    );
    expect(read({ profile: 'local', corsOrigins: '*' })().corsOrigins).toEqual(['*']);
    expect(read({})().corsOrigins).toBeUndefined(); // the stack's CloudFront origin
  });
});
