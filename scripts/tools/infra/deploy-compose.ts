import { spawnSync } from 'node:child_process';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ConfigError, readConfig } from '../../../infra/config.ts';

/**
 * `npm run deploy:compose`: the `local` profile of the stack into LocalStack with aws-cdk-local,
 * after creating the schema in the compose file's Cassandra container. Fails with one line when
 * LocalStack or Cassandra does not answer (docker compose up -d --wait first).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const endpoint = (process.env.AWS_ENDPOINT_URL ?? 'http://localhost:4566').replace(/\/$/, '');
const cassandra = process.env.CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042';

function fail(reason: string): never {
  console.error(`deploy:compose: ${reason}`);
  process.exit(1);
}

async function localStackAnswers(): Promise<string | undefined> {
  try {
    const response = await fetch(`${endpoint}/_localstack/health`, {
      signal: AbortSignal.timeout(3000),
    });
    if (!response.ok) {
      // moto (`recsys s3 start`) listens on the same port by default and has no health route.
      return `${endpoint} answers HTTP ${response.status} to /_localstack/health, so it is not LocalStack (is \`recsys s3\`'s moto on that port?)`;
    }
    return undefined;
  } catch (error) {
    return `LocalStack does not answer at ${endpoint} (${(error as Error).message})`;
  }
}

function portAnswers(hostPort: string): Promise<boolean> {
  const [host = '127.0.0.1', port = '9042'] = hostPort.split(',')[0]!.trim().split(':');
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(3000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port), host, () => done(true));
  });
}

/** The local profile's keyspace for the `-c key=value` arguments passed through to cdklocal. */
function stackKeyspace(args: readonly string[]): string {
  const context: Record<string, string> = { profile: 'local' };
  for (let i = 0; i < args.length; i++) {
    const pair = args[i] === '-c' || args[i] === '--context' ? args[++i] : undefined;
    const match = pair ? /^([^=]+)=(.*)$/.exec(pair) : null;
    if (match) context[match[1]!] = match[2]!;
  }
  try {
    return readConfig((key) => context[key]).keyspaceName;
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): void {
  console.log(`deploy:compose: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env });
  if (result.error) fail(`cannot run ${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args[0]} exited with ${result.status}`);
}

const down = await localStackAnswers();
if (down) {
  fail(
    `${down}: start it with "docker compose up -d --wait" (LocalStack images since March 2026 ` +
      'need LOCALSTACK_AUTH_TOKEN)',
  );
}
if (!(await portAnswers(cassandra))) {
  fail(`Cassandra does not answer at ${cassandra}: "docker compose up -d --wait" starts it`);
}

const env: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test',
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
  AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
  AWS_REGION: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
  CASSANDRA_CONTACT_POINTS: cassandra,
  RECSYS_DB: 'local',
  // The keyspace the stack's Lambdas use: recsys_<envName> unless -c keyspace=… says otherwise.
  RECSYS_KEYSPACE: stackKeyspace(process.argv.slice(2)),
};
// The local profile has no Keyspaces tables for CloudFormation to create: the schema goes into
// the container the same way it goes into any local Cassandra.
run(process.execPath, ['bin/recsys.mjs', 'db', 'migrate'], env);
run('cdklocal', ['bootstrap', '-c', 'profile=local'], env);
run(
  'cdklocal',
  [
    'deploy',
    '-c',
    'profile=local',
    '--require-approval',
    'never',
    '--outputs-file',
    '.local/deploy-local-outputs.json',
    ...process.argv.slice(2),
  ],
  env,
);
console.log('deploy:compose: done; outputs in .local/deploy-local-outputs.json');
