import { defineConfig } from 'vitest/config';

// Unit tests are pure and fast; integration tests share one real Cassandra that the global setup
// starts (or reuses) and stops only if it started it.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
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
