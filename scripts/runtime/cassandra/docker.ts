import { jitArguments } from './jvm.ts';
import type { CassandraSettings } from './settings.ts';
import { runCommand } from './proc.ts';

/** The container's state (`running`, `exited`, ...) or undefined when there is no such container. */
export async function containerState(name: string): Promise<string | undefined> {
  const result = await runCommand('docker', ['inspect', '--format', '{{.State.Status}}', name], {
    timeoutMs: 15_000,
  });
  return result.code === 0 ? result.stdout.trim() : undefined;
}

async function docker(args: string[], timeoutMs: number): Promise<void> {
  const result = await runCommand('docker', args, { timeoutMs });
  if (result.code !== 0) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-5).join(' ');
    throw new Error(`docker ${args[0]} failed: ${detail}`);
  }
}

/**
 * Starts (or restarts) the `cassandra:5` container with CQL published on 127.0.0.1 only. An existing
 * stopped container is started again rather than recreated so its data survives like the JVM data
 * directory does.
 */
export async function startCassandraContainer(
  settings: CassandraSettings,
  log: (msg: string) => void,
): Promise<void> {
  const state = await containerState(settings.containerName);
  if (state === 'running') return;
  if (state !== undefined) {
    log(`Starting the existing ${settings.containerName} container...`);
    await docker(['start', settings.containerName], 120_000);
    return;
  }
  // The launcher made sure the image is here (lib/docker-image.ts) before choosing Docker.
  log(`Running ${settings.image} as container ${settings.containerName}...`);
  // The same start-time flags as the JVM launch (see jvm.ts); the image appends JVM_EXTRA_OPTS last.
  const jvmExtra = [
    '-Dcassandra.skip_wait_for_gossip_to_settle=0',
    '-Dcassandra.ring_delay_ms=1000',
    '-Dcassandra.superuser_setup_delay_ms=0',
    '-Dcassandra.unsafesystem=true',
    // Logins and grants on, as cassandra.yaml has them for the JVM launch: the image's own yaml
    // allows everyone, and Cassandra 5 takes these settings from system properties when asked to
    // (checked on the JVM launch: the config dump then shows the overriding class).
    '-Dcassandra.config.allow_system_properties=true',
    '-Dcassandra.settings.authenticator.class_name=PasswordAuthenticator',
    '-Dcassandra.settings.authorizer.class_name=CassandraAuthorizer',
    '-Dcassandra.settings.role_manager.class_name=CassandraRoleManager',
    ...jitArguments(settings.fullJit),
    ...settings.extraJvmOpts,
  ].join(' ');
  await docker(
    [
      'run',
      '--detach',
      '--name',
      settings.containerName,
      '--publish',
      `127.0.0.1:${settings.port}:9042`,
      // The image sizes its heap from the host's memory; cap it like the JVM launch does.
      '--env',
      `MAX_HEAP_SIZE=${settings.heap.xmx}`,
      '--env',
      'HEAP_NEWSIZE=128m',
      // Advertise the published address so drivers on the host do not chase the container's IP.
      '--env',
      'CASSANDRA_BROADCAST_RPC_ADDRESS=127.0.0.1',
      '--env',
      `JVM_EXTRA_OPTS=${jvmExtra}`,
      settings.image,
    ],
    15 * 60_000,
  );
}

export async function stopCassandraContainer(name: string): Promise<boolean> {
  if ((await containerState(name)) !== 'running') return false;
  // Cassandra flushes memtables on SIGTERM; give it longer than docker's default 10 s.
  await docker(['stop', '--time', '60', name], 120_000);
  return true;
}

export async function containerLogTail(name: string, lines = 25): Promise<string> {
  const result = await runCommand('docker', ['logs', '--tail', String(lines), name], {
    timeoutMs: 15_000,
  });
  return (result.stdout + result.stderr).trim();
}
