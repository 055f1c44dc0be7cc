import { connect } from 'node:net';
import cassandra from 'cassandra-driver';

/** True when something accepts TCP connections on host:port; cheap enough to poll every half second. */
export function portOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Asks a CQL server for its version. Returns undefined when nothing answers CQL (port closed, still
 * booting, not Cassandra). Round-robin balancing because the default DC-aware policy insists on a
 * local data-center name, which differs between the jar launch and the Docker image.
 */
export async function releaseVersion(
  host: string,
  port: number,
  timeoutMs = 5000,
): Promise<string | undefined> {
  if (!(await portOpen(host, port, Math.min(timeoutMs, 1000)))) return undefined;
  const client = new cassandra.Client({
    contactPoints: [host],
    protocolOptions: { port },
    policies: { loadBalancing: new cassandra.policies.loadBalancing.RoundRobinPolicy() },
    socketOptions: { connectTimeout: timeoutMs, readTimeout: timeoutMs },
  });
  try {
    await client.connect();
    const result = await client.execute('SELECT release_version FROM system.local');
    const version: unknown = result.first()?.get('release_version');
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}
