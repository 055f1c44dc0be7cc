import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const recsys = (...args: string[]) =>
  run(process.execPath, [join(root, 'bin/recsys.mjs'), 'plan', ...args], { cwd: root });
const sizes = ['--ratings', '100836', '--users', '610', '--movies', '9742'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recsys plan', () => {
  it('prints every assumption and price with the table', async () => {
    const { stdout } = await recsys(...sizes, '--gflops', '1');
    expect(stdout).toMatch(/Ingest \(once\)/);
    expect(stdout).toMatch(/Training \(one run\)/);
    expect(stdout).toMatch(/Serving \(one month\)/);
    expect(stdout).toMatch(/as of 20\d\d/);
    expect(stdout).toMatch(/ingestRowsPerSecondPerLambda = 2,000 rows\/s/);
  }, 60_000);

  it('takes the per-core rate from the bench results at the closest rank', async () => {
    await writeFile(
      join(dir, 'als.json'),
      JSON.stringify({
        results: [
          { dataset: 'a', ratings: 10, rank: 10, gflopsPerCore: 9 },
          { dataset: 'b', ratings: 1000, rank: 20, gflopsPerCore: 2.5 },
          { dataset: 'c', ratings: 10, rank: 20, gflopsPerCore: 7 },
        ],
      }),
    );
    const { stdout } = await recsys(...sizes, '--rank', '21', '--bench-results', dir, '--json');
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as {
      input: { gflopsPerCore: number; concurrency: number };
      estimate: { totalDollars: number };
    };
    // rank 20 is closest to 21; of those, the larger data set.
    expect(out.input.gflopsPerCore).toBe(2.5);
    expect(out.input.concurrency).toBe(16);
    expect(out.estimate.totalDollars).toBeGreaterThan(0);
  }, 60_000);

  it('rejects bad input with one line and a non-zero exit', async () => {
    for (const args of [
      ['--ratings', 'lots', '--users', '1', '--movies', '1'],
      [...sizes, '--region', 'eu-west-1', '--gflops', '1'],
      [...sizes, '--bench-results', join(dir, 'missing')],
    ]) {
      const failure = await recsys(...args).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      expect(failure?.code).toBe(1);
      expect(failure!.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 60_000);
});
