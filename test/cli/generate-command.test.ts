import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMoviesCsv } from '../../lambdas/core/formats/catalogue-files.ts';

const run = promisify(execFile);
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'generate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('streaming 2M ratings to disk', () => {
  const ROWS = 2_000_000;
  let child: { maxRssKb: number };

  beforeAll(async () => {
    // A 32 MB JavaScript heap cannot hold 2M rows of csv text (~50 MB) or their objects, so the
    // run only succeeds if the rows stream; peak RSS guards the off-heap (typed array) side.
    const script = `
      const { writeDataset } = await import(${JSON.stringify(join(root, 'scripts/runtime/datasets/write-dataset.ts'))});
      await writeDataset(${JSON.stringify(join(dir, 'big'))}, { ratings: ${ROWS}, seed: 11 });
      console.log(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));`;
    const { stdout } = await run(
      process.execPath,
      ['--max-old-space-size=32', '--import', 'tsx', '-e', script],
      {
        cwd: root,
      },
    );
    child = JSON.parse(stdout.trim());
  });

  it('stays within a memory budget independent of the row count', () => {
    // Measured: ~110 MB at 200k rows and ~130 MB at 2M (Node itself is ~50 MB).
    expect(child.maxRssKb).toBeLessThan(200 * 1024);
  });

  it('writes exactly the requested rows, each (user, movie) pair once', async () => {
    const text = await readFile(join(dir, 'big', 'ratings.csv'), 'utf8');
    const lines = text.split('\n');
    expect(lines[0]).toBe('userId,movieId,rating,timestamp');
    expect(lines.at(-1)).toBe('');
    expect(lines.length - 2).toBe(ROWS);
    // Rows come grouped by user, so duplicates can be checked one user at a time.
    let user = '';
    let movies = new Set<string>();
    let duplicates = 0;
    for (let i = 1; i < lines.length - 1; i++) {
      const [u, m] = lines[i]!.split(',', 2);
      if (u !== user) {
        user = u!;
        movies = new Set();
      }
      if (movies.has(m!)) duplicates++;
      movies.add(m!);
    }
    expect(duplicates).toBe(0);
  });

  it('writes the catalogue files and generator.json with the noise level', async () => {
    const meta = JSON.parse(await readFile(join(dir, 'big', 'generator.json'), 'utf8'));
    expect(meta).toMatchObject({ ratings: ROWS, seed: 11, noiseSd: 0.5 });
    expect(meta.oracleRmse).toBeGreaterThan(0.4);
    const movies = parseMoviesCsv(await readFile(join(dir, 'big', 'movies.csv'), 'utf8'));
    expect(movies).toHaveLength(meta.movies);
  });
});

describe('recsys generate', () => {
  const cli = (...args: string[]) =>
    run(process.execPath, [join(root, 'bin/recsys.mjs'), 'generate', ...args], { cwd: root });
  const failure = (...args: string[]) =>
    cli(...args).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({
        code: error.code,
        stderr: error.stderr.trim(),
      }),
    );
  const out = () => join(dir, 'cli');

  it('prints a one-line JSON summary last on stdout', async () => {
    const { stdout } = await cli(
      '--out',
      out(),
      '--ratings',
      '3000',
      '--users',
      '30',
      '--seed',
      '5',
    );
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ out: out(), ratings: 3000, users: 30, seed: 5, noiseSd: 0.5 });
  });

  it('refuses to overwrite a folder holding ratings.csv without --force, in one line', async () => {
    const { code, stderr } = await failure('--out', out(), '--ratings', '100');
    expect(code).toBe(1);
    expect(stderr).toBe(
      `recsys: ${out()} already holds a ratings.csv; pass --force to overwrite it`,
    );
  });

  it('fails with one line for an impossible size', async () => {
    const { code, stderr } = await failure(
      '--out',
      join(dir, 'bad'),
      '--ratings',
      '10',
      '--users',
      '20',
    );
    expect(code).toBe(1);
    expect(stderr).toBe('recsys: 20 users need at least 20 ratings (one each), got 10');
  });
});
