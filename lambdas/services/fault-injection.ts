import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TransientError } from './transient-error.ts';

/**
 * FAULT INJECTION FOR TESTS: the one hook every Lambda step calls with a target string naming the
 * step and its coordinates (`solve:user:2:3`, `scan:1`, `top-n:0`, `chunk-4`). With none of the
 * variables below set (always, outside tests) it does nothing.
 * - RECSYS_FAULT_ONCE=target[,target…]: the first attempt at each target throws a TransientError,
 *   later attempts succeed.
 * - RECSYS_FAULT_RATE=p (0…1) with RECSYS_FAULT_SEED=s: the first attempt at any target fails with
 *   probability p, decided by a hash of (seed, target), so a run's faults are random yet the same
 *   on every run with that seed; retries succeed (transient faults across a whole workflow).
 * - RECSYS_FAULT_ALWAYS=target[,target…]: every attempt throws a plain (non-retryable) Error, the
 *   way a bug or a corrupt input fails for good.
 * - RECSYS_FAULT_INJECT_CHUNK=N with RECSYS_FAULT_INJECT_DIR (the ingest chunk hook's older
 *   spelling): the same as RECSYS_FAULT_ONCE=chunk-N with RECSYS_FAULT_DIR.
 * "First" is remembered by a marker file per target in RECSYS_FAULT_DIR, because the retry may run
 * in another worker thread or container. The Cassandra and S3 adapters have their own hooks for
 * faults inside a step (adapters/cassandra.ts, adapters/s3.ts).
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

/** Whether the seeded draw for this target falls under the rate: a stable uniform in [0, 1). */
export function drawnToFail(target: string, rate: number, seed: string): boolean {
  if (!(rate > 0)) return false;
  const digest = createHash('sha256').update(`${seed}\u0000${target}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32 < rate;
}

export function injectFault(target: string, env: NodeJS.ProcessEnv = process.env): void {
  if (targets(env.RECSYS_FAULT_ALWAYS).includes(target)) {
    throw new InjectedFault(`fault injection: ${target} fails for good (test hook)`);
  }
  const legacyChunk = env.RECSYS_FAULT_INJECT_CHUNK?.trim();
  const once =
    targets(env.RECSYS_FAULT_ONCE).includes(target) ||
    (legacyChunk !== undefined && legacyChunk !== '' && target === `chunk-${legacyChunk}`) ||
    drawnToFail(target, Number(env.RECSYS_FAULT_RATE ?? 0), env.RECSYS_FAULT_SEED ?? '0');
  if (!once) return;
  const dir = env.RECSYS_FAULT_DIR ?? env.RECSYS_FAULT_INJECT_DIR;
  if (dir === undefined) {
    if (legacyChunk !== undefined) return; // the old hook did nothing without its directory
    throw new Error('one-off fault injection needs RECSYS_FAULT_DIR for its markers');
  }
  mkdirSync(dir, { recursive: true });
  try {
    const marker = join(dir, `${target.replace(/[^A-Za-z0-9_.-]/g, '_')}.failed-once`);
    writeFileSync(marker, String(Date.now()), { flag: 'wx' });
  } catch {
    return; // the marker exists: this is the retry, which must succeed
  }
  throw new TransientError(`fault injection: ${target} fails once (test hook)`);
}
