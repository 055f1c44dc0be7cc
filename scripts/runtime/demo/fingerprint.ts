import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface FileFingerprint {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface DatasetFingerprint {
  /** sha256 over every file's name, size and sha256: equal exactly when the upload would be. */
  readonly sha256: string;
  readonly files: readonly FileFingerprint[];
  readonly seconds: number;
}

/**
 * The demo's "did the input change?" test. It covers the files `recsys ingest` uploads (every plain,
 * non-hidden file of the folder), hashed by content rather than trusted by mtime, so a copied or
 * re-fetched but identical folder still counts as unchanged.
 */
export async function fingerprintDataset(dir: string): Promise<DatasetFingerprint> {
  const started = performance.now();
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name !== 'manifest.json')
    .map((e) => e.name)
    .sort();
  const files = await Promise.all(
    names.map(async (name): Promise<FileFingerprint> => {
      const path = join(dir, name);
      const [info, sha256] = await Promise.all([stat(path), fileSha256(path)]);
      return { name, bytes: info.size, sha256 };
    }),
  );
  const all = createHash('sha256');
  for (const file of files) all.update(`${file.name}\0${file.bytes}\0${file.sha256}\n`);
  return { sha256: all.digest('hex'), files, seconds: (performance.now() - started) / 1000 };
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
