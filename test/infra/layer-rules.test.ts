import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The layer rules of eslint.config.js, run through ESLint itself on one-line files placed (virtually)
// in each zone: a forbidden import must fail `npm run check`, and the allowed neighbour must not.
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function restrictedImports(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import '${source}';\n`, {
    filePath: resolve(root, file),
  });
  return result!.messages
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

async function environmentReads(file: string): Promise<string[]> {
  const [result] = await eslint.lintText('export const value = process.env.RECSYS_X;\n', {
    filePath: resolve(root, file),
  });
  return result!.messages
    .filter((message) => message.ruleId === 'no-restricted-properties')
    .map((message) => message.message);
}

const forbidden: [zone: string, file: string, source: string][] = [
  ['infra → scripts', 'infra/constructs/zone.ts', '../../scripts/cli/lib/cli-support.ts'],
  ['infra → the runtime', 'infra/constructs/zone.ts', '../../scripts/runtime/local-sfn/index.ts'],
  ['infra → test', 'infra/zone.ts', '../test/support/cassandra.ts'],
  ['a handler → scripts', 'lambdas/api/zone.ts', '../../scripts/runtime/serve/api-event.ts'],
  ['a handler → an adapter', 'lambdas/train-plan/handler.ts', '../adapters/cassandra.ts'],
  ['a handler → the runtime', 'lambdas/api/handler.ts', '../services/runtime.ts'],
  [
    'a handler → a config module',
    'lambdas/ingest-chunk/handler.ts',
    '../services/config/ingest-config.ts',
  ],
  ['a handler → the S3 SDK', 'lambdas/train-publish/handler.ts', '@aws-sdk/client-s3'],
  ['a handler → the Cassandra driver', 'lambdas/ingest-chunk/handler.ts', 'cassandra-driver'],
  ['a handler → middy', 'lambdas/api/handler.ts', '@middy/core'],
  ['a handler → test', 'lambdas/train-plan/handler.ts', '../../test/support/cassandra.ts'],
  ['a service → test', 'lambdas/services/api/zone.ts', '../../../test/support/cassandra.ts'],
  ['an adapter → infra', 'lambdas/adapters/zone.ts', '../../infra/config.ts'],
  ['core → node:fs', 'lambdas/core/formats/zone.ts', 'node:fs'],
  ['core → fs/promises', 'lambdas/core/formats/zone.ts', 'fs/promises'],
  ['core → node:child_process', 'lambdas/core/zone.ts', 'node:child_process'],
  ['core → node:https', 'lambdas/core/zone.ts', 'node:https'],
  ['core → the AWS SDK', 'lambdas/core/zone.ts', '@aws-sdk/client-s3'],
  ['core → the Cassandra driver', 'lambdas/core/zone.ts', 'cassandra-driver'],
  ['core → middy', 'lambdas/core/zone.ts', '@middy/core'],
  ['core → an adapter', 'lambdas/core/formats/zone.ts', '../../adapters/s3.ts'],
  ['core → a service', 'lambdas/core/zone.ts', '../services/runtime.ts'],
  ['core → scripts', 'lambdas/core/als/zone.ts', '../../../scripts/cli/lib/cli-support.ts'],
  ['task sizing → prices', 'lambdas/core/train/zone.ts', '../cost/prices.ts'],
  ['task sizing → the cost model', 'lambdas/core/train/zone.ts', '../cost/index.ts'],
  ['task sizing → node:fs (the core rules still hold)', 'lambdas/core/train/zone.ts', 'node:fs'],
  ['ingest sizing → prices', 'lambdas/core/ingest/zone.ts', '../cost/prices.ts'],
  ['ingest sizing → the cost model', 'lambdas/core/ingest/zone.ts', '../cost/ingest.ts'],
  ['ingest sizing → node:fs (the core rules still hold)', 'lambdas/core/ingest/zone.ts', 'node:fs'],
  ['bench → test', 'scripts/bench/zone.ts', '../../test/support/cassandra.ts'],
  ['load → test', 'scripts/load/zone.ts', '../../test/support/movielens-small.ts'],
  ['tools → test', 'scripts/tools/infra/zone.ts', '../../../test/support/cassandra.ts'],
  ['the CLI → test', 'scripts/cli/commands/zone.ts', '../../../test/support/cassandra.ts'],
  ['the CLI → bench', 'scripts/cli/commands/zone.ts', '../../bench/machine.ts'],
  ['the CLI → tools', 'scripts/cli/zone.ts', '../tools/infra/synth.ts'],
  ['the CLI → test support', 'scripts/cli/lib/zone.ts', '../../support/recsys-serve.ts'],
  ['the runtime → the CLI', 'scripts/runtime/demo/zone.ts', '../../cli/lib/cli-support.ts'],
  ['the runtime → a command', 'scripts/runtime/zone.ts', '../cli/commands/plan.ts'],
  ['the runtime → test', 'scripts/runtime/zone.ts', '../../test/support/cassandra.ts'],
  ['the runtime → bench', 'scripts/runtime/train/zone.ts', '../../bench/machine.ts'],
  ['the runtime → test support', 'scripts/runtime/serve/zone.ts', '../../support/recsys-serve.ts'],
  ['bench → a command', 'scripts/bench/zone.ts', '../cli/commands/plan.ts'],
  ['load → a command', 'scripts/load/zone.ts', '../cli/commands/serve.ts'],
  ['tools → a command', 'scripts/tools/infra/zone.ts', '../../cli/commands/cassandra.ts'],
  ['test support → a command', 'scripts/support/zone.ts', '../cli/commands/ingest.ts'],
  [
    'an integration test → a command',
    'test/integration/zone.test.ts',
    '../../scripts/cli/commands/train.ts',
  ],
  ['a command test → a command', 'test/cli/zone.test.ts', '../../scripts/cli/commands/plan.ts'],
  ['a fault test → a command', 'test/faults/zone.test.ts', '../../scripts/cli/commands/ingest.ts'],
  ['test support → a command', 'test/support/zone.ts', '../../scripts/cli/commands/demo.ts'],
  ['the console → a service', 'web/src/zone.ts', '../../lambdas/services/api/app.ts'],
  ['the console → an adapter', 'web/src/views/zone.ts', '../../../lambdas/adapters/s3.ts'],
  ['the console build → a service', 'web/build/zone.ts', '../../lambdas/services/logger.ts'],
  ['the console → scripts', 'web/src/zone.ts', '../../scripts/runtime/serve/local-server.ts'],
  ['test support → bench', 'scripts/support/zone.ts', '../bench/machine.ts'],
  ['test support → test', 'scripts/support/zone.ts', '../../test/support/planted-ratings.ts'],
  ['a unit test → a child process', 'test/unit/zone.test.ts', 'node:child_process'],
  ['a unit test → CDK', 'test/unit/zone.test.ts', 'aws-cdk-lib/assertions'],
  ['a unit test → esbuild', 'test/unit/zone.test.ts', 'esbuild'],
  ['a unit test → ESLint', 'test/unit/zone.test.ts', 'eslint'],
  ['a unit test → the CDK app', 'test/unit/zone.test.ts', '../../infra/stack.ts'],
  ['a unit test → developer tools', 'test/unit/zone.test.ts', '../../scripts/tools/build/wasm.ts'],
  ['a unit test → a command', 'test/unit/zone.test.ts', '../../scripts/cli/commands/train.ts'],
  ['a unit test → the data set', 'test/unit/zone.test.ts', '../support/movielens-small.ts'],
];

const allowed: [zone: string, file: string, source: string][] = [
  ['core → node:stream', 'lambdas/core/formats/zone.ts', 'node:stream'],
  ['core → core', 'lambdas/core/als/zone.ts', '../matrix/csr.ts'],
  ['the cost model → task sizing', 'lambdas/core/cost/zone.ts', '../train/task-sizing.ts'],
  ['the cost model → ingest sizing', 'lambdas/core/cost/zone.ts', '../ingest/run-sizing.ts'],
  ['task sizing → core', 'lambdas/core/train/zone.ts', '../ingest/write-budget.ts'],
  ['an adapter → node:fs', 'lambdas/adapters/zone.ts', 'node:fs'],
  ['a service → core', 'lambdas/services/zone.ts', '../core/ratings.ts'],
  ['infra → lambdas', 'infra/zone.ts', '../lambdas/core/schema/tables.ts'],
  ['bench → test support', 'scripts/bench/zone.ts', '../support/recsys-serve.ts'],
  ['bench → the runtime', 'scripts/bench/zone.ts', '../runtime/datasets/write-dataset.ts'],
  ['load → the runtime', 'scripts/load/zone.ts', '../runtime/cassandra/local-cassandra.ts'],
  ['tools → the runtime', 'scripts/tools/infra/zone.ts', '../../runtime/cassandra/proc.ts'],
  [
    'a command → the runtime',
    'scripts/cli/commands/zone.ts',
    '../../runtime/train/run-local-train.ts',
  ],
  [
    'the runtime → lambdas',
    'scripts/runtime/local-sfn/zone.ts',
    '../../../lambdas/services/lambda-handler.ts',
  ],
  [
    'the runtime → statemachines',
    'scripts/runtime/zone.ts',
    '../../statemachines/function-roles.ts',
  ],
  ['the CLI → lambdas', 'scripts/cli/commands/zone.ts', '../../../lambdas/adapters/s3.ts'],
  [
    'test support → the runtime',
    'scripts/support/zone.ts',
    '../runtime/ingest/run-local-ingest.ts',
  ],
  [
    'a handler → its service and wrapper',
    'lambdas/train-plan/handler.ts',
    '../services/lambda-handler.ts',
  ],
  ['a handler → the logger', 'lambdas/ingest-chunk/handler.ts', '../services/logger.ts'],
  [
    'a handler → a core type',
    'lambdas/ingest-chunk/handler.ts',
    '../core/ingest/workflow-types.ts',
  ],
  ['the API handler → its app', 'lambdas/api/handler.ts', '../services/api/app.ts'],
  ['the console → the API rules', 'web/src/zone.ts', '../../lambdas/core/api/write-routes.ts'],
  [
    'an integration test → the runtime',
    'test/integration/zone.test.ts',
    '../../scripts/runtime/train/run-local-train.ts',
  ],
  ['tests → scripts', 'test/integration/zone.test.ts', '../../scripts/support/recsys-serve.ts'],
  ['a unit test → core', 'test/unit/zone.test.ts', '../../lambdas/core/als/index.ts'],
  ['a unit test → test support', 'test/unit/zone.test.ts', '../support/planted-ratings.ts'],
  ['an infra test → CDK', 'test/infra/zone.test.ts', 'aws-cdk-lib/assertions'],
  ['a command test → a child process', 'test/cli/zone.test.ts', 'node:child_process'],
  ['a data test → the data set', 'test/data/zone.test.ts', '../support/movielens-small.ts'],
];

describe('layer rules (eslint.config.js)', () => {
  it.each(forbidden)('%s fails the lint', async (_zone, file, source) => {
    expect(await restrictedImports(file, source)).toHaveLength(1);
  });

  it.each(allowed)('%s passes', async (_zone, file, source) => {
    expect(await restrictedImports(file, source)).toEqual([]);
  });

  it.each([
    ['a pipeline step', 'lambdas/services/train/zone.ts'],
    ['a route', 'lambdas/services/api/routes/zone.ts'],
    ['the core', 'lambdas/core/zone.ts'],
  ])('reading process.env in %s fails the lint', async (_where, file) => {
    expect(await environmentReads(file)).toHaveLength(1);
  });

  it('reading it in a config module passes', async () => {
    expect(await environmentReads('lambdas/services/config/zone.ts')).toEqual([]);
  });
});
