/**
 * The peers' Python environment (.local/venv-peers): created and filled from the pinned
 * requirements.txt on first use, and again whenever that file changes (a stamp records what was
 * installed). Needs python3.11 (or $PYTHON) and a JDK on PATH for Spark.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../cassandra/proc.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PEERS_VENV = join(ROOT, '.local', 'venv-peers');
const REQUIREMENTS = fileURLToPath(new URL('./requirements.txt', import.meta.url));
const STAMP = join(PEERS_VENV, 'installed-requirements.txt');

export const peersPython = (): string => join(PEERS_VENV, 'bin', 'python');
export const peersCqlsh = (): string => join(PEERS_VENV, 'bin', 'cqlsh');

async function must(command: string, args: string[], what: string): Promise<void> {
  const result = await runCommand(command, args, { timeoutMs: 30 * 60_000 });
  if (result.code !== 0) {
    const reason = result.spawnError?.message ?? result.stderr.trim().split('\n').pop();
    throw new Error(`${what} failed: ${reason}`);
  }
}

export async function ensurePeersVenv(log: (line: string) => void): Promise<void> {
  const wanted = readFileSync(REQUIREMENTS, 'utf8');
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted) return;
  const python = process.env.PYTHON ?? 'python3.11';
  if (!existsSync(peersPython())) {
    log(`creating ${PEERS_VENV} with ${python}`);
    await must(python, ['-m', 'venv', PEERS_VENV], `${python} -m venv`);
  }
  log(`installing ${REQUIREMENTS} into ${PEERS_VENV} (pyspark is ~300 MB: minutes)`);
  await must(
    peersPython(),
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS],
    'pip install -r scripts/bench/peers/requirements.txt',
  );
  writeFileSync(STAMP, wanted);
}
