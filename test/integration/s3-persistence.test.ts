import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../lambdas/adapters/s3.ts';
import { ensureS3, stopS3, type S3LauncherOptions } from '../../scripts/runtime/s3/local-s3.ts';
import { s3Paths } from '../../scripts/runtime/s3/settings.ts';

const MIB = 1024 * 1024;

/**
 * The local moto server keeps what it stores across a stop and start (scripts/runtime/s3/moto_s3_server.py
 * writes each change under .local/s3/data). A server of its own, on its own port and state
 * directory, so the one the other integration tests share is never restarted.
 */
const stateDir = mkdtempSync(join(tmpdir(), 'recsys-s3-persist-'));
const port = Number(process.env.RECSYS_S3_PERSIST_TEST_PORT ?? 24567);
const endpoint = `http://127.0.0.1:${port}`;
const launcher: S3LauncherOptions = {
  // moto is the server that persists; LocalStack (chosen where Docker runs) is another matter.
  env: { ...process.env, S3_ENDPOINT: endpoint, RECSYS_S3_MODE: 'moto' },
  paths: s3Paths(undefined, stateDir),
  log: (line) => console.log(`[s3-persistence] ${line}`),
};

let store: S3Store | undefined;

function connect(): S3Store {
  store?.destroy();
  store = new S3Store({ bucket: 'recsys-persist', endpoint, region: 'us-east-1', maxAttempts: 3 });
  return store;
}

async function restart(beforeStart?: () => void): Promise<S3Store> {
  store?.destroy();
  store = undefined;
  expect(await stopS3(launcher)).toBe(true);
  beforeStart?.();
  const again = await ensureS3(launcher);
  expect(again.startedByUs).toBe(true);
  return connect();
}

beforeAll(async () => {
  const started = await ensureS3(launcher);
  expect(started).toMatchObject({ startedByUs: true, server: 'moto', endpoint });
});

afterAll(async () => {
  store?.destroy();
  await stopS3(launcher);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('the local moto S3 across a restart', () => {
  it('gives back the same bytes, ETag and content type, multipart objects too, and forgets deletes', async () => {
    let s3 = connect();
    await s3.ensureBucket();
    const small = JSON.stringify({ modelId: 'm-1', note: 'ünïcode' });
    const large = randomBytes(12 * MIB + 123);
    const smallPut = await s3.putObject('models/m-1/meta.json', small, 'application/json');
    // A stream goes through lib-storage's Upload: 12 MiB in 8 MiB parts is a two-part upload.
    const largePut = await s3.putObject(
      'models/m-1/model.bin',
      Readable.from([large]),
      'application/octet-stream',
    );
    expect(largePut.etag).toMatch(/-2$/);
    await s3.putObject('models/m-1/gone-one.txt', 'deleted with DeleteObject', 'text/plain');
    await s3.putObject('scratch/gone-two.txt', 'deleted with DeleteObjects', 'text/plain');
    await s3.client.send(
      new DeleteObjectCommand({ Bucket: s3.bucket, Key: 'models/m-1/gone-one.txt' }),
    );
    expect(await s3.deleteByPrefix('scratch/')).toBe(1);
    const before = {
      small: await s3.head('models/m-1/meta.json'),
      large: await s3.head('models/m-1/model.bin'),
    };

    // What a machine crash could leave: a write cut short, and an object file cut short.
    const objectDir = join(stateDir, 'data', 'recsys-persist', 'objects');
    const leftover = join(objectDir, 'cut-short.obj.0123.tmp');
    s3 = await restart(() => {
      writeFileSync(leftover, 'half a write');
      writeFileSync(join(objectDir, 'damaged.obj'), '{"key":"damaged","size":99}\nshort');
    });
    expect(existsSync(leftover)).toBe(false);

    expect((await s3.getBuffer('models/m-1/meta.json')).toString('utf8')).toBe(small);
    expect(Buffer.compare(await s3.getBuffer('models/m-1/model.bin'), large)).toBe(0);
    const after = {
      small: await s3.head('models/m-1/meta.json'),
      large: await s3.head('models/m-1/model.bin'),
    };
    expect(after).toEqual(before);
    expect(after.small).toMatchObject({ etag: smallPut.etag, contentType: 'application/json' });
    expect(after.large).toMatchObject({
      etag: largePut.etag,
      size: large.length,
      contentType: 'application/octet-stream',
    });
    expect(await s3.head('models/m-1/gone-one.txt')).toBeUndefined();
    expect(await s3.head('scratch/gone-two.txt')).toBeUndefined();
    const keys: string[] = [];
    for await (const key of s3.listKeys('')) keys.push(key);
    expect(keys.sort()).toEqual(['models/m-1/meta.json', 'models/m-1/model.bin']);

    // What changes after a restart is kept too: an overwrite and a delete.
    await s3.putObject('models/m-1/meta.json', '{"modelId":"m-2"}', 'application/json');
    expect(await s3.deleteByPrefix('models/m-1/model.bin')).toBe(1);

    s3 = await restart();

    expect(await s3.getText('models/m-1/meta.json')).toBe('{"modelId":"m-2"}');
    expect(await s3.head('models/m-1/model.bin')).toBeUndefined();
  });
});
