import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchMovieLens, OfflineError } from '../../scripts/runtime/datasets/fetch-movielens.ts';

const root = join(import.meta.dirname, '../..');
let work: string;
let server: Server;
let baseUrl: string;
let zip: Buffer;
let publishedMd5 = '';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'recsys-fetch-'));
  // A tiny archive shaped like GroupLens': one folder named after the release.
  execFileSync('python3', [
    '-c',
    'import sys, zipfile\n' +
      'with zipfile.ZipFile(sys.argv[1], "w") as z:\n' +
      '    z.writestr("ml-latest-small/ratings.csv", "userId,movieId,rating,timestamp\\n1,1,4.0,964982703\\n")\n',
    join(work, 'archive.zip'),
  ]);
  zip = readFileSync(join(work, 'archive.zip'));
  publishedMd5 = createHash('md5').update(zip).digest('hex');
  server = createServer((request, response) => {
    if (request.url === '/ml-latest-small.zip') return void response.end(zip);
    if (request.url === '/ml-latest-small.zip.md5') {
      return void response.end(`MD5 (ml-latest-small.zip) = ${publishedMd5}\n`);
    }
    response.statusCode = 404;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe('recsys fetch', () => {
  it('verifies the published md5 and unzips the release into the data folder', async () => {
    const dataDir = join(work, 'ok');
    const result = await fetchMovieLens({ name: 'small', dataDir, timeoutSeconds: 5, baseUrl });
    expect(result).toMatchObject({ verified: true, md5: publishedMd5, bytes: zip.length });
    expect(readFileSync(join(dataDir, 'ml-latest-small', 'ratings.csv'), 'utf8')).toContain(
      '964982703',
    );
    expect(readdirSync(dataDir)).toEqual(['ml-latest-small']);
  });

  it('refuses an archive whose md5 does not match and leaves nothing behind', async () => {
    const dataDir = join(work, 'bad');
    publishedMd5 = '0'.repeat(32);
    try {
      await expect(
        fetchMovieLens({ name: 'small', dataDir, timeoutSeconds: 5, baseUrl }),
      ).rejects.toThrow(/does not match the published/);
    } finally {
      publishedMd5 = createHash('md5').update(zip).digest('hex');
    }
    expect(readdirSync(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, 'ml-latest-small'))).toBe(false);
  });

  it('says "offline" in one line when GroupLens cannot be reached', async () => {
    await expect(
      fetchMovieLens({
        name: 'small',
        dataDir: join(work, 'off'),
        timeoutSeconds: 2,
        baseUrl: 'http://127.0.0.1:1/',
      }),
    ).rejects.toThrow(OfflineError);
    const failure = await promisify(execFile)(
      process.execPath,
      ['bin/recsys.mjs', 'fetch', 'small', '--timeout', '2'],
      { cwd: root, env: { ...process.env, RECSYS_MOVIELENS_URL: 'http://127.0.0.1:1/' } },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    const stderr = (failure as { stderr: string }).stderr;
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^recsys: cannot reach 127\.0\.0\.1:1 .*no internet/);
  });
});
