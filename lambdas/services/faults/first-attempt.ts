import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * True the first time it is asked about a target, false ever after: a marker file per target in
 * `dir`, created exclusively, so worker threads and containers that share the directory agree on
 * which attempt was the first.
 */
export function isFirstAttempt(dir: string, target: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    const marker = join(dir, `${target.replace(/[^A-Za-z0-9_.-]/g, '_')}.failed-once`);
    writeFileSync(marker, String(Date.now()), { flag: 'wx' });
    return true;
  } catch {
    return false; // the marker exists: this is a retry
  }
}
