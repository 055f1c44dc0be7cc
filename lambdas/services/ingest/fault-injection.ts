import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TransientError } from '../transient-error.ts';

/**
 * FAULT INJECTION FOR TESTS. When RECSYS_FAULT_INJECT_CHUNK names a chunk index, the first attempt
 * at that chunk fails with a TransientError after writing part of its rows (the worst moment for
 * idempotence); later attempts succeed. "First" is remembered by a marker file in
 * RECSYS_FAULT_INJECT_DIR, because the retry may run in another worker thread or container.
 * Unset (always, outside tests), this does nothing.
 */
export function injectChunkFault(chunkIndex: number, env: NodeJS.ProcessEnv = process.env): void {
  const target = env.RECSYS_FAULT_INJECT_CHUNK;
  const dir = env.RECSYS_FAULT_INJECT_DIR;
  if (target === undefined || dir === undefined || Number(target) !== chunkIndex) return;
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, `chunk-${chunkIndex}.failed-once`), String(Date.now()), { flag: 'wx' });
  } catch {
    return; // the marker exists: this is the retry, which must succeed
  }
  throw new TransientError(`fault injection: chunk ${chunkIndex} fails once (test hook)`);
}
