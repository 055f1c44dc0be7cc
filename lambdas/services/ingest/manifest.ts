import type { RatingsFormat } from '../../core/formats/ratings-format.ts';

/**
 * `datasets/<name>/manifest.json`, written after every file of the data set. Its arrival is what
 * starts ingestion, and it lists what a complete upload contains, so validation can tell a
 * finished upload from a half-finished one.
 */
export interface ManifestFile {
  readonly name: string;
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface DatasetManifest {
  readonly dataset: string;
  readonly ratingsFormat: RatingsFormat | null;
  readonly files: readonly ManifestFile[];
  readonly uploadedAt: string;
}

export const MANIFEST_FILE = 'manifest.json';

export function parseManifest(text: string, key: string): DatasetManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${key} is not JSON`);
  }
  const manifest = parsed as Partial<DatasetManifest>;
  if (typeof manifest.dataset !== 'string' || !Array.isArray(manifest.files)) {
    throw new Error(`${key} lacks "dataset" or "files"`);
  }
  return manifest as DatasetManifest;
}
