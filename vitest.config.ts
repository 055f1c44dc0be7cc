import { defineConfig } from 'vitest/config';

// Unit tests are pure and fast; integration tests share one real Cassandra that the global setup
// starts (or reuses) and stops only if it started it.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
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
