/**
 * The peers' Python environment (.local/venv-peers): created and filled from the pinned
 * requirements.txt on first use, and again whenever that file changes (a stamp records what was
 * installed). Needs python3.11 (or $PYTHON) and a JDK on PATH for Spark.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from './tool.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** $RECSYS_PEERS_VENV moves it (tests point it at an empty folder). */
export const PEERS_VENV = process.env.RECSYS_PEERS_VENV ?? join(ROOT, '.local', 'venv-peers');
const REQUIREMENTS = fileURLToPath(new URL('./requirements.txt', import.meta.url));
const STAMP = join(PEERS_VENV, 'installed-requirements.txt');

export const peersPython = (): string => join(PEERS_VENV, 'bin', 'python');
export const peersCqlsh = (): string => join(PEERS_VENV, 'bin', 'cqlsh');

const INSTALL_TIMEOUT_MS = 30 * 60_000;

/**
 * Creates and fills the venv if it is missing or stale; returns the seconds spent (0 when it was
 * ready). Errors name the tool, the command and the reason.
 */
export async function ensurePeersVenv(log: (line: string) => void): Promise<number> {
  const wanted = readFileSync(REQUIREMENTS, 'utf8');
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted) return 0;
  const started = performance.now();
  const python = process.env.PYTHON ?? 'python3.11';
  if (!existsSync(peersPython())) {
    log(`creating ${PEERS_VENV} with ${python}`);
    await runTool('python venv', python, ['-m', 'venv', PEERS_VENV], {
      timeoutMs: INSTALL_TIMEOUT_MS,
      hint: 'the peers need Python 3.11 on PATH, or PYTHON=/path/to/python3.11',
    });
  }
  log(`installing ${REQUIREMENTS} into ${PEERS_VENV} (pyspark is ~300 MB: minutes)`);
  await runTool(
    'pip install (peers)',
    peersPython(),
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS],
    { timeoutMs: INSTALL_TIMEOUT_MS },
  );
  writeFileSync(STAMP, wanted);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  log(`peers environment ready in ${seconds} s`);
  return seconds;
}
