import cassandra from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import {
  KEYSPACES_PORT,
  cassandraConfigFromEnv,
  clientOptions,
} from '../../lambdas/adapters/cassandra.ts';

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

describe('Keyspaces endpoint', () => {
  const options = clientOptions(
    cassandraConfigFromEnv({ RECSYS_DB: 'keyspaces', AWS_REGION: 'eu-west-1' }),
  );

  it('connects to every node on 9142, the discovered peers too (not the default 9042)', () => {
    // The driver dials peers from system.peers on protocolOptions.port, not the contact point's.
    expect(KEYSPACES_PORT).toBe(9142);
    expect(options.protocolOptions?.port).toBe(KEYSPACES_PORT);
    expect(options.contactPoints).toEqual(['cassandra.eu-west-1.amazonaws.com']);
    expect(options.localDataCenter).toBe('eu-west-1');
    expect(options.sslOptions).toMatchObject({
      servername: 'cassandra.eu-west-1.amazonaws.com',
      rejectUnauthorized: true,
    });
  });

  it('the driver dials a peer from system.peers on 9142', async () => {
    // The real driver, no network: a client built from these options (never connected) and the
    // control connection's own peer-row resolution, with the port the driver would pass it.
    const client = new cassandra.Client(options);
    const internals = client as unknown as {
      options: { protocolOptions: { port: number } };
      controlConnection: {
        getAddressForPeerHost(row: object, port: number): Promise<string | null>;
      };
    };
    const peer = await internals.controlConnection.getAddressForPeerHost(
      { rpc_address: '3.248.244.5', peer: '3.248.244.5' },
      internals.options.protocolOptions.port,
    );
    expect(peer).toBe('3.248.244.5:9142');
  });
});

describe('local Cassandra', () => {
  it('keeps the contact points as given (port in each, the default 9042 otherwise)', () => {
    const options = clientOptions(
      cassandraConfigFromEnv({ RECSYS_DB: 'local', CASSANDRA_CONTACT_POINTS: '127.0.0.1:39042' }),
    );
    expect(options.contactPoints).toEqual(['127.0.0.1:39042']);
    expect(options.protocolOptions).toBeUndefined();
  });
});
