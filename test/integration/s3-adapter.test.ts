import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  S3ObjectNotFoundError,
  S3Store,
  s3ConfigFromEnv,
  type UploadProgress,
} from '../../lambdas/adapters/s3.ts';
import { ensureS3, stopS3, type EnsureS3Result } from '../../scripts/runtime/s3/local-s3.ts';

const MIB = 1024 * 1024;
// Unique per run so parallel runs and leftovers from a crashed run never collide.
const prefix = `test/s3-adapter-${randomUUID()}/`;

let server: EnsureS3Result;
let store: S3Store;
let workDir: string;

beforeAll(async () => {
  server = await ensureS3({ log: (line) => console.log(`[integration] ${line}`) });
  console.log(
    `[integration] S3 ${server.server} at ${server.endpoint}, ` +
      (server.startedByUs ? `started in ${server.seconds} s` : 'reused'),
  );
  store = new S3Store(s3ConfigFromEnv({ ...process.env, S3_ENDPOINT: server.endpoint }));
  await store.ensureBucket();
  workDir = mkdtempSync(join(tmpdir(), 'recsys-s3-'));
});

afterAll(async () => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  if (store) {
    await store.deleteByPrefix(prefix).catch(() => undefined);
    store.destroy();
  }
  if (server?.startedByUs) await stopS3();
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('s3ConfigFromEnv', () => {
  it('uses the local endpoint with dummy credentials only when S3_ENDPOINT is set', () => {
    const local = s3ConfigFromEnv({ S3_ENDPOINT: 'http://127.0.0.1:4566' });
    expect(local).toEqual({
      bucket: 'recsys-local',
      endpoint: 'http://127.0.0.1:4566',
      region: 'us-east-1',
      maxAttempts: 3,
    });
    const aws = s3ConfigFromEnv({ RECSYS_BUCKET: 'prod-data', AWS_REGION: 'eu-west-1' });
    expect(aws).toEqual({
      bucket: 'prod-data',
      endpoint: undefined,
      region: 'eu-west-1',
      maxAttempts: 3,
    });
    expect(() => s3ConfigFromEnv({ RECSYS_S3_MAX_ATTEMPTS: '0' })).toThrow(
      /RECSYS_S3_MAX_ATTEMPTS/,
    );
  });
});

describe('S3Store against a real local S3 server', () => {
  it('puts strings, bytes and streams and reads them back as text, buffer and stream', async () => {
    const text = 'movieId,title\n1,"Amélie (2001)"\n';
    await store.putObject(`${prefix}put/text.csv`, text, 'text/csv');
    const bytes = randomBytes(70_000);
    await store.putObject(`${prefix}put/bytes.bin`, bytes);
    // A stream has no length up front, which a plain PutObject cannot take.
    await store.putObject(`${prefix}put/stream.txt`, Readable.from(['first,', 'second']));

    expect(await store.getText(`${prefix}put/text.csv`)).toBe(text);
    expect((await store.getBuffer(`${prefix}put/bytes.bin`)).equals(bytes)).toBe(true);
    const streamed = await streamToBuffer(await store.getStream(`${prefix}put/stream.txt`));
    expect(streamed.toString()).toBe('first,second');

    const info = await store.head(`${prefix}put/text.csv`);
    expect(info?.size).toBe(Buffer.byteLength(text));
    expect(info?.etag).toBe(createHash('md5').update(text).digest('hex'));
    expect(info?.contentType).toBe('text/csv');
  });

  it('returns exactly the requested bytes of a range, clipped at the end of the object', async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) % 256));
    const key = `${prefix}range/object.bin`;
    await store.putObject(key, bytes);

    expect((await store.getRange(key, 1020, 1030)).equals(bytes.subarray(1020, 1031))).toBe(true);
    expect((await store.getRange(key, 0, 0)).equals(bytes.subarray(0, 1))).toBe(true);
    expect((await store.getRange(key, 4090, 9999)).equals(bytes.subarray(4090))).toBe(true);
    const ranged = await streamToBuffer(
      await store.getStream(key, { start: 2047, endInclusive: 2049 }),
    );
    expect(ranged.equals(bytes.subarray(2047, 2050))).toBe(true);
    await expect(store.getRange(key, 10, 5)).rejects.toThrow(RangeError);
  });

  it('reports missing keys as undefined from head and as a named error from get', async () => {
    const key = `${prefix}missing/nothing-here.csv`;
    expect(await store.head(key)).toBeUndefined();
    await expect(store.getText(key)).rejects.toThrow(S3ObjectNotFoundError);
    await expect(store.getBuffer(key)).rejects.toThrow(
      `s3://${store.bucket}/${key} does not exist`,
    );
    await expect(store.getRange(key, 0, 10)).rejects.toThrow(S3ObjectNotFoundError);
    await expect(store.getStream(key)).rejects.toThrow(S3ObjectNotFoundError);
  });

  it('lists more than one page of keys under a prefix, in order, and deletes them all', async () => {
    const keys = Array.from(
      { length: 1001 },
      (_, i) => `${prefix}many/${String(i).padStart(5, '0')}`,
    );
    const sibling = `${prefix}many-not/keep.txt`;
    await store.putObject(sibling, 'outside the prefix');
    const concurrency = 16;
    for (let i = 0; i < keys.length; i += concurrency) {
      await Promise.all(keys.slice(i, i + concurrency).map((key) => store.putObject(key, key)));
    }

    // 1,001 keys need two ListObjectsV2 pages (1,000 is S3's page size).
    const listed = await collect(store.listKeys(`${prefix}many/`));
    expect(listed).toEqual(keys);
    const objects = await collect(store.listObjects(`${prefix}many/`));
    expect(objects[5]).toEqual({ key: keys[5], size: Buffer.byteLength(keys[5]!) });

    expect(await store.deleteByPrefix(`${prefix}many/`)).toBe(1001);
    expect(await collect(store.listKeys(`${prefix}many/`))).toEqual([]);
    expect(await store.getText(sibling)).toBe('outside the prefix');
    await expect(store.deleteByPrefix('')).rejects.toThrow(/non-empty prefix/);
  });

  it('uploads a 20 MB file in parts with progress that reaches the total', async () => {
    const path = join(workDir, 'ratings.bin');
    const size = 20 * MIB + 12_345;
    writeFileSync(path, randomBytes(size));
    const key = `${prefix}upload/ratings.bin`;
    const progress: UploadProgress[] = [];

    const result = await store.uploadFile(key, path, {
      partSize: 8 * MIB,
      onProgress: (p) => progress.push(p),
    });

    expect(result.size).toBe(size);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p) => p.total === size)).toBe(true);
    const loaded = progress.map((p) => p.loaded);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(loaded.at(-1)).toBe(size);

    const info = await store.head(key);
    expect(info?.size).toBe(size);
    // A multipart ETag is the MD5 of the part MD5s followed by the part count: 3 parts of 8 MiB.
    expect(info?.etag).toMatch(/-3$/);
    expect(result.etag).toBe(info?.etag);

    const file = readFileSync(path);
    expect(sha256(await store.getBuffer(key))).toBe(sha256(file));
    // Across the first part boundary: the bytes must join up exactly.
    const boundary = 8 * MIB;
    const across = await store.getRange(key, boundary - 3, boundary + 2);
    expect(across.equals(file.subarray(boundary - 3, boundary + 3))).toBe(true);
  });
});
