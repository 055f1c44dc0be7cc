import { describe, expect, it } from 'vitest';
import { cassandraConfigFromEnv, clientOptions } from '../../lambdas/adapters/cassandra.ts';

describe('Cassandra client options', () => {
  for (const env of [
    { RECSYS_DB: 'local' },
    { RECSYS_DB: 'keyspaces', AWS_REGION: 'eu-west-1' },
  ] as NodeJS.ProcessEnv[]) {
    it(`${env.RECSYS_DB}: a client that lived through an outage retries within 10 s, for good`, () => {
      const reconnection = clientOptions(cassandraConfigFromEnv(env)).policies?.reconnection;
      expect(reconnection).toBeDefined();
      const schedule = reconnection!.newSchedule();
      const delays = Array.from({ length: 40 }, () => schedule.next().value as number);
      // The driver's default grows to 10 minutes; a warm Lambda would fail that long.
      expect(Math.max(...delays)).toBeLessThanOrEqual(10_000);
      expect(delays.every((d) => d > 0)).toBe(true);
    });
  }
});
