import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layer rules: what each folder may not import (docs/architecture.md, test/infra/layer-rules.test.ts).
// Relative imports are matched by the top folder they climb to ("../../scripts/…"); no folder inside
// a zone reuses these names, so a match always means the forbidden layer.
const climbsTo = (folders, message) => ({ regex: `^(\\.\\./)+(${folders})/`, message });

const NOT_SCRIPTS = climbsTo(
  'scripts',
  'scripts/ is developer tooling; the product never imports it.',
);
const NOT_TEST = climbsTo(
  'test',
  'Only tests import test/; shared fixtures live in scripts/support/.',
);
const NOT_INFRA = climbsTo('infra', 'Lambdas do not depend on the CDK app.');
const NOT_UPWARD = climbsTo(
  'services|adapters',
  'The pure core does not import services or adapters.',
);
const NOT_DEV_TOOLS = climbsTo(
  'bench|load|tools|support',
  'The recsys CLI does not depend on benchmarks, load tests, developer tools or test support.',
);
const NOT_BENCH_OR_TOOLS = climbsTo(
  'bench|load|tools',
  'Test support serves tests and benchmarks only.',
);
const NOT_CLI = climbsTo(
  'cli',
  'The local runtime does not import the CLI: commands call the runtime (scripts/runtime/), never the other way.',
);
const NOT_COMMANDS = climbsTo(
  '(scripts/)?cli/commands',
  'A command parses flags and prints; import what it runs from scripts/runtime/, not the command module.',
);
// A handler names the service function it runs and its wrapper (lambda-handler.ts, api/app.ts):
// the adapters, the container's runtime, the config modules and the AWS, Cassandra and middy
// packages are composed by those services, never reached from the entry point.
const NOT_HANDLER_SHORTCUTS = [
  climbsTo(
    'adapters',
    'A handler does no I/O itself: the services reach the adapters (lambdas/services/runtime.ts).',
  ),
  {
    regex: '^(\\.\\./)+services/(runtime\\.ts|config/)',
    message:
      'A handler names its service function and wrapper only: the wrapper makes the adapters and reads the config.',
  },
  {
    group: ['@aws-sdk/*', 'cassandra-driver', '@middy/*', '@aws-lambda-powertools/*'],
    message:
      'A handler names its service function and wrapper only: middy, the logger and the clients are set up in lambdas/services/.',
  },
];
const NOT_LAMBDA_INTERNALS = climbsTo(
  'lambdas/services|lambdas/adapters',
  'The console talks to the API over HTTP: it imports lambdas/core/api (the write routes, its config type), never services or adapters.',
);
const NOT_NODE_IO = {
  regex:
    '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|dns|dns/promises|tls|readline)$',
  message: 'The pure core does no I/O: callers pass streams and text (see lambdas/adapters/).',
};
const NOT_AWS_OR_CASSANDRA = {
  group: [
    '@aws-sdk/*',
    'aws-*',
    'aws-cdk-lib',
    'aws-cdk-lib/*',
    'cassandra-driver',
    '@middy/*',
    '@aws-lambda-powertools/*',
  ],
  message: 'The pure core stays portable: no AWS SDK, CDK, Lambda runtime or Cassandra driver.',
};
const PURE_CORE = [NOT_SCRIPTS, NOT_TEST, NOT_INFRA, NOT_UPWARD, NOT_NODE_IO, NOT_AWS_OR_CASSANDRA];
const NOT_PRICES = climbsTo(
  'cost',
  'Sizing takes no prices: core/cost prices what core/train and core/ingest size (task-sizing.ts, run-sizing.ts), never the other way.',
);

const NOT_SLOW_TOOLS = {
  group: [
    'node:child_process',
    'child_process',
    'aws-cdk-lib',
    'aws-cdk-lib/*',
    'esbuild',
    'eslint',
  ],
  message:
    'test/unit is pure and fast: CDK synth, bundling and linting go in test/infra, child processes in test/cli.',
};
const NOT_DATA_SETS = {
  group: ['**/movielens-small.ts', '**/movielens-fixtures.ts'],
  message: 'test/unit reads no data set: tests on the real MovieLens data go in test/data.',
};
const NOT_SLOW_FOLDERS = climbsTo(
  'infra|scripts/tools|scripts/cli/commands',
  'test/unit is pure and fast: tests of the CDK app and developer tools go in test/infra, of commands in test/cli.',
);

// One rule setting per zone: a later block replaces, not merges, an earlier block's patterns.
const restrict = (files, ...patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  { ignores: ['node_modules', 'cdk.out', '.local', 'dist', 'coverage', 'test-output'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-imports': 'off',
    },
  },
  restrict(['infra/**'], NOT_SCRIPTS, NOT_TEST),
  restrict(['lambdas/**'], NOT_SCRIPTS, NOT_TEST, NOT_INFRA),
  restrict(['lambdas/core/**'], ...PURE_CORE),
  restrict(['lambdas/core/train/**', 'lambdas/core/ingest/**'], ...PURE_CORE, NOT_PRICES),
  restrict(['scripts/**'], NOT_TEST),
  restrict(['lambdas/*/handler.ts'], NOT_SCRIPTS, NOT_TEST, NOT_INFRA, ...NOT_HANDLER_SHORTCUTS),
  restrict(['web/**'], NOT_SCRIPTS, NOT_TEST, NOT_LAMBDA_INTERNALS),
  restrict(['test/**'], NOT_COMMANDS),
  restrict(['scripts/bench/**', 'scripts/load/**', 'scripts/tools/**'], NOT_TEST, NOT_COMMANDS),
  // Functions read their environment in one config module each (lambdas/services/config/) or at the
  // adapters' and runtime's own entry points, never deep inside a step or route.
  {
    files: ['lambdas/**'],
    ignores: [
      'lambdas/services/config/**',
      'lambdas/adapters/**',
      'lambdas/services/runtime.ts',
      'lambdas/services/lambda-handler.ts',
      'lambdas/services/api/app.ts',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            "Read the environment through the function's config module (lambdas/services/config/).",
        },
      ],
    },
  },
  restrict(['test/unit/**'], NOT_SLOW_TOOLS, NOT_SLOW_FOLDERS, NOT_DATA_SETS),
  restrict(['scripts/cli/**'], NOT_TEST, NOT_DEV_TOOLS),
  restrict(['scripts/runtime/**'], NOT_TEST, NOT_DEV_TOOLS, NOT_CLI),
  restrict(['scripts/support/**'], NOT_TEST, NOT_BENCH_OR_TOOLS, NOT_COMMANDS),
);
