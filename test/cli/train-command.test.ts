import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** Bad input is refused before any service starts: exit 1 and one line on stderr. */
async function refused(...args: string[]): Promise<string> {
  const failure = await promisify(execFile)(
    process.execPath,
    [join(root, 'bin/recsys.mjs'), ...args],
    {
      cwd: root,
    },
  ).then(
    () => undefined,
    (error: { code: number; stderr: string }) => error,
  );
  expect(failure, `recsys ${args.join(' ')} should fail`).toBeDefined();
  expect(failure!.code).toBe(1);
  const lines = failure!.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('recsys train on bad input', () => {
  it('refuses out-of-range numbers and bad model ids in one line', async () => {
    expect(await refused('train', '--blocks', '0')).toMatch(/--blocks/);
    expect(await refused('train', '--model-id', 'a/b')).toMatch(/invalid model id/);
  });

  it('refuses bad ranking-model settings in one line', async () => {
    expect(await refused('train', '--blend', '1.5')).toMatch(/--blend/);
    expect(await refused('train', '--unobserved-weight', '0')).toMatch(/--unobserved-weight/);
    expect(await refused('train', '--neighbour-movies', '-1')).toMatch(/--neighbour-movies/);
    expect(await refused('train', '--neighbour-reg', 'x')).toMatch(/--neighbour-reg/);
    expect(await refused('train', '--refit-iterations', '2.5')).toMatch(/--refit-iterations/);
    expect(await refused('train', '--ranking-rank', '0')).toMatch(/--ranking-rank/);
    expect(await refused('train', '--tune-blends', '0.5,2')).toMatch(/--tune-blends/);
  });
});
