import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TransientError } from './transient-error.ts';

/**
 * FAULT INJECTION FOR TESTS, for any Lambda step named by a target string such as
 * `solve:user:2:3` (step, then the step's own coordinates). Unset (always, outside tests), it
 * does nothing.
 * - RECSYS_FAULT_ONCE=target[,target…]: the first attempt at each target throws a TransientError,
 *   later attempts succeed. "First" is remembered by a marker file in RECSYS_FAULT_DIR, because the
 *   retry may run in another worker thread or container.
 * - RECSYS_FAULT_ALWAYS=target[,target…]: every attempt throws a plain (non-retryable) Error, the
 *   way a bug or a corrupt input fails for good.
 * (The ingest chunk hook in services/ingest/fault-injection.ts predates this and keeps its own
 * variables.)
 */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

function targets(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

export function injectFault(target: string, env: NodeJS.ProcessEnv = process.env): void {
  if (targets(env.RECSYS_FAULT_ALWAYS).includes(target)) {
    throw new InjectedFault(`fault injection: ${target} fails for good (test hook)`);
  }
  if (!targets(env.RECSYS_FAULT_ONCE).includes(target)) return;
  const dir = env.RECSYS_FAULT_DIR;
  if (dir === undefined)
    throw new Error('RECSYS_FAULT_ONCE needs RECSYS_FAULT_DIR for its markers');
  mkdirSync(dir, { recursive: true });
  try {
    const marker = join(dir, `${target.replace(/[^A-Za-z0-9_.-]/g, '_')}.failed-once`);
    writeFileSync(marker, String(Date.now()), { flag: 'wx' });
  } catch {
    return; // the marker exists: this is the retry, which must succeed
  }
  throw new TransientError(`fault injection: ${target} fails once (test hook)`);
}
