import { ConfigError, readConfig } from '../../../infra/config.ts';

/**
 * What one deploy of the `local` profile into LocalStack needs to know, from the command line of
 * `deploy-localstack.ts`. Two views of each service: where this machine reaches it (the health
 * check, `recsys db migrate`, the CLI) and where the Lambdas in their containers reach it (stack
 * context; unset keeps the profile's compose names `http://localstack:4566` and `cassandra:9042`).
 */
export interface LocalStackDeployPlan {
  /** LocalStack's edge URL from this machine (AWS_ENDPOINT_URL for the cdk CLI and the SDK). */
  endpoint: string;
  /** Cassandra from this machine, `host:port`, for `recsys db migrate`. */
  cassandra: string;
  /** The `s3Endpoint` context: S3 as the Lambdas reach it. */
  lambdaS3: string | undefined;
  /** The `cassandraContactPoints` context: Cassandra as the Lambdas reach it. */
  lambdaCassandra: string | undefined;
  /** The stack outputs file (`cdk deploy --outputs-file`). */
  outputsFile: string;
  /** Where the synthesized, patched cloud assembly goes. */
  cdkOut: string;
  /** Every `-c key=value` for the synth, the profile and the two Lambda endpoints included. */
  context: string[];
  /** Arguments passed on to `cdk deploy` as they are. */
  deployArgs: string[];
  /** The keyspace the stack's Lambdas use, which the migration creates. */
  keyspace: string;
}

export class DeployArgsError extends Error {}

const USAGE =
  'usage: deploy-localstack [--endpoint URL] [--cassandra HOST:PORT] [--lambda-s3 URL] ' +
  '[--lambda-cassandra HOST:PORT] [--outputs FILE] [--cdk-out DIR] [-c key=value ...] [cdk deploy args]';

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;

function url(name: string, value: string): string {
  if (!/^https?:\/\/[^/\s]+$/.test(value.replace(/\/$/, ''))) {
    throw new DeployArgsError(`${name} must be an http(s) URL without a path, got "${value}"`);
  }
  return value.replace(/\/$/, '');
}

function hostPort(name: string, value: string): string {
  if (!HOST_PORT.test(value)) {
    throw new DeployArgsError(`${name} must be host:port, got "${value}"`);
  }
  return value;
}

/**
 * Reads the arguments (defaults from `env`: AWS_ENDPOINT_URL, CASSANDRA_CONTACT_POINTS). Throws
 * DeployArgsError with one line on a bad or missing value. Pure.
 */
export function planLocalStackDeploy(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): LocalStackDeployPlan {
  const plan: LocalStackDeployPlan = {
    endpoint: url('AWS_ENDPOINT_URL', env.AWS_ENDPOINT_URL?.trim() || 'http://localhost:4566'),
    cassandra: hostPort(
      'CASSANDRA_CONTACT_POINTS',
      env.CASSANDRA_CONTACT_POINTS?.split(',')[0]?.trim() || '127.0.0.1:9042',
    ),
    lambdaS3: undefined,
    lambdaCassandra: undefined,
    outputsFile: '.local/deploy-local-outputs.json',
    cdkOut: '.local/localstack-cdk.out',
    context: [],
    deployArgs: [],
    keyspace: '',
  };
  const userContext: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) {
        throw new DeployArgsError(`${arg} needs a value (${USAGE})`);
      }
      return next;
    };
    switch (arg) {
      case '--endpoint':
        plan.endpoint = url(arg, value());
        break;
      case '--cassandra':
        plan.cassandra = hostPort(arg, value());
        break;
      case '--lambda-s3':
        plan.lambdaS3 = url(arg, value());
        break;
      case '--lambda-cassandra':
        plan.lambdaCassandra = hostPort(arg, value());
        break;
      case '--outputs':
        plan.outputsFile = value();
        break;
      case '--cdk-out':
        plan.cdkOut = value();
        break;
      case '-c':
      case '--context': {
        const pair = value();
        const match = /^([^=]+)=(.*)$/.exec(pair);
        if (!match) throw new DeployArgsError(`${arg} needs key=value, got "${pair}"`);
        userContext[match[1]!] = match[2]!;
        break;
      }
      default:
        plan.deployArgs.push(arg);
    }
  }
  // The flags win over the same keys given with -c: they are the ones this route documents.
  const context: Record<string, string> = { ...userContext, profile: 'local' };
  if (plan.lambdaS3) context.s3Endpoint = plan.lambdaS3;
  if (plan.lambdaCassandra) context.cassandraContactPoints = plan.lambdaCassandra;
  plan.context = Object.entries(context).flatMap(([key, v]) => ['-c', `${key}=${v}`]);
  try {
    plan.keyspace = readConfig((key) => context[key]).keyspaceName;
  } catch (error) {
    if (error instanceof ConfigError) throw new DeployArgsError(error.message);
    throw error;
  }
  return plan;
}

/** The newest Node runtime LocalStack 4.9 accepts at CreateFunction. */
export const LOCALSTACK_NODE_RUNTIME = 'nodejs22.x';

/**
 * aws-cdk-lib gives its own custom-resource providers (S3 auto-delete) `nodejs24.x`, which
 * LocalStack 4.9 rejects at CreateFunction; our functions set their runtime themselves. Returns the
 * template with every `"Runtime": "nodejs24.x"` value set to nodejs22.x, and how many changed.
 */
export function patchNodeRuntimes(template: string): { text: string; changed: number } {
  let changed = 0;
  const text = template.replace(/"nodejs24\.x"/g, () => {
    changed++;
    return `"${LOCALSTACK_NODE_RUNTIME}"`;
  });
  return { text, changed };
}
