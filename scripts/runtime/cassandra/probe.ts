import { connect } from 'node:net';
import cassandra from 'cassandra-driver';
import { LOCAL_SUPERUSER, type CassandraCredentials } from '../../../lambdas/adapters/cassandra.ts';

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

/** What a CQL probe found: nothing, a server that let us in, or one that refused our login. */
export type CqlProbe =
  | { readonly state: 'down' }
  | { readonly state: 'up'; readonly releaseVersion: string }
  | { readonly state: 'login-refused'; readonly reason: string };

/**
 * Asks a CQL server for its version, logged in as `credentials` (the local superuser by default; a
 * server without authentication ignores them). Round-robin balancing because the default DC-aware
 * policy insists on a local data-center name, which differs between the jar launch and the image.
 */
export async function probeCql(
  host: string,
  port: number,
  timeoutMs = 5000,
  credentials: CassandraCredentials = LOCAL_SUPERUSER,
): Promise<CqlProbe> {
  if (!(await portOpen(host, port, Math.min(timeoutMs, 1000)))) return { state: 'down' };
  const client = new cassandra.Client({
    contactPoints: [host],
    protocolOptions: { port },
    policies: { loadBalancing: new cassandra.policies.loadBalancing.RoundRobinPolicy() },
    socketOptions: { connectTimeout: timeoutMs, readTimeout: timeoutMs },
    authProvider: new cassandra.auth.PlainTextAuthProvider(
      credentials.username,
      credentials.password,
    ),
  });
  try {
    await client.connect();
    const result = await client.execute('SELECT release_version FROM system.local');
    const version: unknown = result.first()?.get('release_version');
    return typeof version === 'string'
      ? { state: 'up', releaseVersion: version }
      : { state: 'down' };
  } catch (error) {
    const refused = loginRefusal(error);
    return refused ? { state: 'login-refused', reason: refused } : { state: 'down' };
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

/** The server's reason when the error is a refused login (wrong password, role not yet created). */
function loginRefusal(error: unknown): string | undefined {
  const inner =
    error instanceof cassandra.errors.NoHostAvailableError
      ? Object.values(error.innerErrors as Record<string, unknown>)
      : [error];
  const refusal = inner.find((e) => e instanceof cassandra.errors.AuthenticationError);
  return refusal ? (refusal as Error).message : undefined;
}

/** The release version when a CQL server answers and lets the local superuser in. */
export async function releaseVersion(
  host: string,
  port: number,
  timeoutMs = 5000,
): Promise<string | undefined> {
  const probe = await probeCql(host, port, timeoutMs);
  return probe.state === 'up' ? probe.releaseVersion : undefined;
}
