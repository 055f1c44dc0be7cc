import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

describe('npm run bench', () => {
  it('rejects an unknown step with one line before running anything', async () => {
    const failure = await run(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts/bench/main.ts'), '--only', 'als,gpu'],
      { cwd: root, env: { ...process.env, RECSYS_BENCH_RESULTS: join(root, '.local/never') } },
    ).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure?.code).toBe(1);
    expect(failure!.stderr.trim().split('\n')).toEqual([
      'unknown step(s) gpu; use als,scaling,train,ingest,api,cold-items,peers,als-implicit,ranking,scale',
    ]);
  }, 60_000);
});
