import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../cassandra/proc.ts';
import type { S3Paths } from './settings.ts';

// Records which requirements.txt the venv was installed from, so an edit triggers a reinstall.
const MARKER = '.recsys-s3-requirements.sha256';
const INSTALL_TIMEOUT_MS = 15 * 60_000;

export function venvPython(venvDir: string): string {
  return join(venvDir, 'bin', 'python');
}

function requirementsHash(paths: S3Paths): string {
  return createHash('sha256').update(readFileSync(paths.requirements)).digest('hex');
}

export function motoInstalled(paths: S3Paths): boolean {
  try {
    const recorded = readFileSync(join(paths.venvDir, MARKER), 'utf8').trim();
    return recorded === requirementsHash(paths) && existsSync(venvPython(paths.venvDir));
  } catch {
    return false;
  }
}

/** The first line worth showing from a failed command's output. */
function firstReason(output: string): string {
  const lines = output.split('\n').map((line) => line.trim());
  return lines.find((line) => /error|no module|not found/i.test(line)) ?? lines.find(Boolean) ?? '';
}

/**
 * Creates `.local/venv` and installs the pinned moto into it, unless that was already done for
 * this requirements.txt. Cheap when nothing changed (one file read), about a minute the first time.
 */
export async function ensureMotoVenv(
  paths: S3Paths,
  python: string,
  log: (line: string) => void,
): Promise<void> {
  if (motoInstalled(paths)) return;
  const probe = await runCommand(python, ['--version'], { timeoutMs: 10_000 });
  if (probe.spawnError || probe.code !== 0) {
    throw new Error(
      `${python} is not available to run moto, the Docker-free S3: install python3 and python3-venv, ` +
        'start Docker with the LocalStack image, or set S3_ENDPOINT to a running S3 server',
    );
  }
  if (!existsSync(venvPython(paths.venvDir))) {
    log(`s3: creating ${paths.venvDir} with ${probe.stdout.trim() || probe.stderr.trim()}`);
    const created = await runCommand(python, ['-m', 'venv', paths.venvDir], { timeoutMs: 120_000 });
    if (created.code !== 0) {
      // A half-made venv (Debian without python3-venv leaves one without pip) would fool the next run.
      rmSync(paths.venvDir, { recursive: true, force: true });
      const reason = firstReason(created.stderr + created.stdout);
      throw new Error(
        `${python} -m venv failed (on Debian: apt-get install python3-venv): ${reason}`,
      );
    }
  }
  log(
    's3: installing moto into the venv from scripts/runtime/s3/requirements.txt (first use only, about a minute)',
  );
  const started = performance.now();
  const installed = await runCommand(
    venvPython(paths.venvDir),
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', paths.requirements],
    { timeoutMs: INSTALL_TIMEOUT_MS },
  );
  if (installed.code !== 0) {
    throw new Error(
      `pip install of moto failed: ${firstReason(installed.stderr + installed.stdout)}`,
    );
  }
  writeFileSync(join(paths.venvDir, MARKER), requirementsHash(paths) + '\n');
  log(`s3: moto installed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
