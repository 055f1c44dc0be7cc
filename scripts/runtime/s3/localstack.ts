import { runCommand } from '../cassandra/proc.ts';
import type { S3ServerSettings } from './settings.ts';

/** Starts LocalStack with only S3, published on the endpoint's host and port; returns the container id. */
export async function startLocalStack(settings: S3ServerSettings): Promise<string> {
  // A stopped container of the same name (from a crash or reboot) would block `docker run --name`.
  await runCommand('docker', ['rm', '-f', settings.containerName], { timeoutMs: 30_000 });
  // No --rm: if LocalStack exits while starting, its logs must still be there to explain why.
  const args = ['run', '-d', '--name', settings.containerName];
  args.push('-p', `${settings.host === '0.0.0.0' ? '' : settings.host + ':'}${settings.port}:4566`);
  args.push('-e', 'SERVICES=s3');
  // LocalStack images from March 2026 on refuse to start without a token. Named without a value, so
  // docker copies it from our environment and it never shows in a process listing.
  if (process.env.LOCALSTACK_AUTH_TOKEN) args.push('-e', 'LOCALSTACK_AUTH_TOKEN');
  args.push(settings.image);
  // The launcher made sure the image is here (lib/docker-image.ts) before choosing Docker.
  const result = await runCommand('docker', args, { timeoutMs: 5 * 60_000 });
  if (result.code !== 0) {
    const reason = result.stderr.trim().split('\n').pop() ?? '';
    throw new Error(`docker run ${settings.image} failed: ${reason}`);
  }
  return result.stdout.trim();
}

export async function removeContainer(name: string): Promise<boolean> {
  const result = await runCommand('docker', ['rm', '-f', name], { timeoutMs: 60_000 });
  return result.code === 0;
}

/** Why a container can no longer come up (its last log line), or undefined while it runs. */
export async function containerFailure(name: string): Promise<string | undefined> {
  const state = await runCommand('docker', ['inspect', '-f', '{{.State.Status}}', name], {
    timeoutMs: 10_000,
  });
  const status = state.stdout.trim();
  if (state.code === 0 && (status === 'running' || status === 'created')) return undefined;
  const logs = await containerLogs(name);
  return `LocalStack container ${status || 'vanished'}: ${logs.split('\n').pop() ?? ''}`;
}

async function containerLogs(name: string): Promise<string> {
  const result = await runCommand('docker', ['logs', '--tail', '25', name], { timeoutMs: 10_000 });
  return (result.stdout + result.stderr).trim();
}
