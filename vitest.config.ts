import { defineConfig } from 'vitest/config';

// The tiers (docs/architecture.md): `unit` is pure and fast (no child process, no CDK synth, no
// bundler or linter, no data set: ESLint keeps it so); `infra` synthesizes the CDK app and runs
// cdk-nag, cfn-lint, the ASL linter, esbuild and the layer rules; `cli` runs the recsys and bench
// commands as child processes and the local Step Functions runtime on worker threads; `data`
// checks quality bars on the real ml-latest-small in-process; integration tests share one real
// Cassandra that the global setup starts (or reuses) and stops only if it started it. `npm test`
// runs them all.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'] } },
      { test: { name: 'cli', include: ['test/cli/**/*.test.ts'] } },
      { test: { name: 'data', include: ['test/data/**/*.test.ts'] } },
      // The fault-injection suite (`npm run test:faults`): kills and restarts its own Cassandra, so
      // it is left out of a plain `vitest run` unless RECSYS_FAULTS=1 asks for it.
      ...(process.env.RECSYS_FAULTS === '1'
        ? [
            {
              test: {
                name: 'faults',
                include: ['test/faults/**/*.test.ts'],
                globalSetup: ['test/setup/cassandra-global.ts', 'test/setup/s3-global.ts'],
                fileParallelism: false,
                testTimeout: 600_000,
                hookTimeout: 300_000,
              },
            },
          ]
        : []),
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/cassandra-global.ts', 'test/setup/s3-global.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
