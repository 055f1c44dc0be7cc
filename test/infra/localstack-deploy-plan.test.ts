import { describe, expect, it } from 'vitest';
import {
  patchNodeRuntimes,
  planLocalStackDeploy,
} from '../../scripts/tools/infra/localstack-deploy-plan.ts';

describe('planLocalStackDeploy: one deploy route, endpoints as parameters', () => {
  it("defaults to the compose file's LocalStack and Cassandra, the Lambdas keeping the profile's names", () => {
    const plan = planLocalStackDeploy([], {});
    expect(plan).toEqual({
      endpoint: 'http://localhost:4566',
      cassandra: '127.0.0.1:9042',
      lambdaS3: undefined,
      lambdaCassandra: undefined,
      outputsFile: '.local/deploy-local-outputs.json',
      cdkOut: '.local/localstack-cdk.out',
      context: ['-c', 'profile=local'],
      deployArgs: [],
      keyspace: 'recsys_local',
    });
  });

  it('takes the host-mode setup of deploy.sh as flags, and the Lambda endpoints become context', () => {
    const plan = planLocalStackDeploy(
      [
        '--endpoint',
        'http://127.0.0.1:4599/',
        '--cassandra',
        '127.0.0.1:9543',
        '--lambda-s3',
        'http://172.31.250.1:4599',
        '--lambda-cassandra',
        '172.31.250.2:9042',
        '--outputs',
        '.local/local-aws/outputs.json',
        '--hotswap-fallback',
      ],
      { AWS_ENDPOINT_URL: 'http://ignored:1' },
    );
    expect(plan.endpoint).toBe('http://127.0.0.1:4599');
    expect(plan.cassandra).toBe('127.0.0.1:9543');
    expect(plan.outputsFile).toBe('.local/local-aws/outputs.json');
    expect(plan.context).toEqual([
      '-c',
      'profile=local',
      '-c',
      's3Endpoint=http://172.31.250.1:4599',
      '-c',
      'cassandraContactPoints=172.31.250.2:9042',
    ]);
    expect(plan.deployArgs).toEqual(['--hotswap-fallback']);
  });

  it('reads the endpoints from the environment, the first contact point only', () => {
    const plan = planLocalStackDeploy([], {
      AWS_ENDPOINT_URL: 'http://localstack.example:4566',
      CASSANDRA_CONTACT_POINTS: 'db1:9042, db2:9042',
    });
    expect([plan.endpoint, plan.cassandra]).toEqual(['http://localstack.example:4566', 'db1:9042']);
  });

  it('passes -c pairs to the synth, derives the keyspace from them, and cannot change the profile', () => {
    const plan = planLocalStackDeploy(['-c', 'envName=Team-A', '--context', 'profile=prod'], {});
    expect(plan.context).toEqual(['-c', 'envName=Team-A', '-c', 'profile=local']);
    expect(plan.keyspace).toBe('recsys_team_a');
  });

  it('refuses bad input with one line', () => {
    const cases: [string[], RegExp][] = [
      [['--endpoint'], /^--endpoint needs a value/],
      [['--endpoint', 'localhost:4566'], /^--endpoint must be an http\(s\) URL without a path/],
      [
        ['--lambda-s3', 'http://h:1/bucket'],
        /^--lambda-s3 must be an http\(s\) URL without a path/,
      ],
      [['--cassandra', 'cassandra'], /^--cassandra must be host:port, got "cassandra"$/],
      [['-c', 'envName'], /^-c needs key=value, got "envName"$/],
      [['-c', 'envName=9lives'], /envName must be letters/],
    ];
    for (const [argv, message] of cases) {
      expect(() => planLocalStackDeploy(argv, {})).toThrow(message);
      try {
        planLocalStackDeploy(argv, {});
      } catch (error) {
        expect((error as Error).message).not.toContain('\n');
      }
    }
  });
});

describe('patchNodeRuntimes', () => {
  it("sets CDK's nodejs24.x providers to nodejs22.x and counts them, leaving other runtimes", () => {
    const template = JSON.stringify({
      Resources: {
        AutoDelete: { Properties: { Runtime: 'nodejs24.x' } },
        Notifications: { Properties: { Runtime: 'python3.13' } },
        Api: { Properties: { Runtime: 'nodejs22.x' } },
        Other: { Properties: { Runtime: 'nodejs24.x' } },
      },
    });
    const { text, changed } = patchNodeRuntimes(template);
    expect(changed).toBe(2);
    const runtimes = Object.values(
      (JSON.parse(text) as { Resources: Record<string, { Properties: { Runtime: string } }> })
        .Resources,
    ).map((r) => r.Properties.Runtime);
    expect(runtimes).toEqual(['nodejs22.x', 'python3.13', 'nodejs22.x', 'nodejs22.x']);
  });
});
