import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Store } from '../../../lambdas/adapters/s3.ts';
import { detectRatingsFormat } from '../../../lambdas/core/formats/ratings-format.ts';
import { datasetPrefix } from '../../../lambdas/core/ingest/workflow-types.ts';
import {
  MANIFEST_FILE,
  type DatasetManifest,
  type ManifestFile,
} from '../../../lambdas/services/ingest/manifest.ts';

export interface UploadOptions {
  readonly dir: string;
  readonly dataset: string;
  readonly s3: S3Store;
  /** Bytes sent so far of all files together. */
  readonly onProgress?: (sent: number, total: number) => void;
}

export interface UploadResult {
  readonly manifestKey: string;
  readonly manifest: DatasetManifest;
  readonly bytes: number;
  readonly seconds: number;
}

const RATINGS_FILES = ['ratings.csv', 'ratings.dat', 'u.data'];

/**
 * Uploads every file of a MovieLens folder to datasets/<name>/ (multipart for big ones), then the
 * manifest, LAST: its arrival starts ingestion on AWS, so a half-uploaded folder never does.
 */
export async function uploadDataset(options: UploadOptions): Promise<UploadResult> {
  const started = performance.now();
  const { dir, dataset, s3 } = options;
  const prefix = datasetPrefix(dataset);
  const names = await datasetFiles(dir);
  if (!names.some((name) => RATINGS_FILES.includes(name))) {
    throw new Error(`${dir} has no ratings file (${RATINGS_FILES.join(', ')})`);
  }
  const sizes = await Promise.all(names.map(async (name) => (await stat(join(dir, name))).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  await s3.ensureBucket();

  const files: ManifestFile[] = [];
  let done = 0;
  for (const [i, name] of names.entries()) {
    const path = join(dir, name);
    const key = prefix + name;
    const [sha256] = await Promise.all([
      fileSha256(path),
      s3.uploadFile(key, path, {
        contentType: name.endsWith('.csv') ? 'text/csv' : 'application/octet-stream',
        onProgress: ({ loaded }) => options.onProgress?.(done + loaded, total),
      }),
    ]);
    done += sizes[i]!;
    files.push({ name, key, bytes: sizes[i]!, sha256 });
  }
  const ratingsName = names.find((name) => RATINGS_FILES.includes(name))!;
  const manifest: DatasetManifest = {
    dataset,
    ratingsFormat: detectRatingsFormat(await fileHead(join(dir, ratingsName))) ?? null,
    files,
    uploadedAt: new Date().toISOString(),
  };
  const manifestKey = prefix + MANIFEST_FILE;
  await s3.putObject(manifestKey, JSON.stringify(manifest, null, 2) + '\n', 'application/json');
  return { manifestKey, manifest, bytes: total, seconds: (performance.now() - started) / 1000 };
}

/** The folder's plain files, without hidden ones or a manifest left from elsewhere. */
async function datasetFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    throw new Error(`${dir} is not a readable folder`);
  }
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name !== MANIFEST_FILE)
    .map((e) => e.name)
    .sort();
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function fileHead(path: string, bytes = 64 * 1024): Promise<string> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}
