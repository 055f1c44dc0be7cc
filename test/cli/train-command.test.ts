import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TRAIN_LIMITS } from '../../lambdas/core/train/train-request.ts';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** Bad input is refused before any service starts: exit 1 and one line on stderr. */
async function refused(...args: string[]): Promise<string> {
  const lines = await refusedWith(...args);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

/** Bad input refused before any service starts: exit 1; stderr's lines. */
async function refusedWith(...args: string[]): Promise<string[]> {
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
  return failure!.stderr.trim().split('\n');
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

describe('recsys train names each model in its flags', () => {
  const { rank, validation } = TRAIN_LIMITS;

  it("refuses, in one line, the ranges the run's own rules refuse (TRAIN_LIMITS)", async () => {
    const above = String(rank.max + 1);
    expect(await refused('train', '--rating-rank', above)).toMatch(
      new RegExp(`--rating-rank.*\\[${rank.min}, ${rank.max}\\]`),
    );
    expect(await refused('train', '--ranking-rank', above)).toMatch(/--ranking-rank/);
    expect(await refused('train', '--rank', above)).toMatch(/--rank/);
    expect(await refused('train', '--validation', String(validation.below))).toMatch(
      new RegExp(`--validation.*\\[${validation.min}, ${validation.below}\\)`),
    );
    // Accepted by the flags, refused by the run's rules: refused before any service starts.
    expect(await refused('train', '--tune', '--validation', '0')).toMatch(
      /tuning needs a validation split/,
    );
  });

  it('takes --rank as the older name of --rating-rank, with a note; not both', async () => {
    const [note, refusal] = await refusedWith(
      'train',
      '--rank',
      '8',
      '--tune',
      '--validation',
      '0',
    );
    expect(note).toBe('recsys: --rank is now --rating-rank (the old name still works)');
    expect(refusal).toMatch(/tuning needs a validation split/);
    expect(await refused('train', '--rank', '8', '--rating-rank', '8')).toMatch(
      /give --rating-rank or --rank, not both/,
    );
  });
});
