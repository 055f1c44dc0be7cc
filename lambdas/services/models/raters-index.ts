import { S3ObjectNotFoundError, type S3Store } from '../../adapters/s3.ts';
import { mapLimit } from '../../core/pool.ts';
import { hashBlockOf } from '../../core/train/block-assignment.ts';
import {
  decodeRaters,
  decodeRatersDirectory,
  encodeRatersPart,
  RATERS_FORMAT,
  ratersByteRange,
  ratersDirectoryBytes,
  type RatersDirectory,
  type RatersManifest,
  type RatersPart,
} from '../../core/train/raters-index.ts';
import type { RunLayout } from '../../core/train/run-layout.ts';

/**
 * A model's raters index in S3 (core/train/raters-index.ts): one part per item block under
 * `models/<id>/raters/`, and a manifest written last, so a model whose manifest exists has every
 * part. Publish writes it; the API's audience route reads it.
 */
const partName = (b: number) => `raters/b${String(b).padStart(4, '0')}.bin`;
const MANIFEST = 'raters/manifest.json';

/** Copies a run's raters parts under the model's prefix (server-side), then the manifest. */
export async function publishRatersIndex(
  s3: S3Store,
  layout: RunLayout,
  artifactsPrefix: string,
  blockCount: number,
): Promise<RatersManifest> {
  const blocks = Array.from({ length: blockCount }, (_, b) => b);
  const sized = await mapLimit(blocks, 8, async (b) => {
    const from = layout.ratersPart(b);
    const [head, info] = await Promise.all([s3.getRange(from, 0, 7), s3.head(from)]);
    if (!info) throw new Error(`raters part ${from} is missing`);
    const movies = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(4, true);
    await s3.copyObject(from, artifactsPrefix + partName(b));
    return { movies, ratings: (info.size - ratersDirectoryBytes(movies)) / 4 };
  });
  const manifest: RatersManifest = {
    format: RATERS_FORMAT,
    blockCount,
    movies: sized.map((s) => s.movies),
    ratings: sized.reduce((n, s) => n + s.ratings, 0),
  };
  await s3.putObject(artifactsPrefix + MANIFEST, JSON.stringify(manifest), 'application/json');
  return manifest;
}

/**
 * Writes a raters index built outside a training run (a bundle fitted in process), part b for
 * item block b of `parts.length`, the manifest last.
 */
export async function saveRatersIndex(
  s3: S3Store,
  artifactsPrefix: string,
  parts: readonly RatersPart[],
): Promise<RatersManifest> {
  await mapLimit([...parts.keys()], 8, (b) =>
    s3.putObject(
      artifactsPrefix + partName(b),
      encodeRatersPart(parts[b]!),
      'application/octet-stream',
    ),
  );
  const manifest: RatersManifest = {
    format: RATERS_FORMAT,
    blockCount: parts.length,
    movies: parts.map((p) => p.movieIds.length),
    ratings: parts.reduce((n, p) => n + p.userIds.length, 0),
  };
  await s3.putObject(artifactsPrefix + MANIFEST, JSON.stringify(manifest), 'application/json');
  return manifest;
}

/**
 * One model's raters index as the API reads it: the manifest and each part's directory fetched
 * once and kept for the model's lifetime in the container (both are immutable), a movie's raters
 * fetched per request with one ranged GET of exactly its ids. A failed fetch is not cached.
 */
export class ModelRaters {
  private manifest: Promise<RatersManifest | null> | undefined;
  private readonly directories = new Map<number, Promise<RatersDirectory>>();

  constructor(
    private readonly s3: S3Store,
    private readonly artifactsPrefix: string,
  ) {}

  /** Who rated `movieId` as the model's training read it; null when the model has no index. */
  async raters(movieId: number): Promise<Int32Array | null> {
    const manifest = await this.loadManifest();
    if (!manifest) return null;
    const block = hashBlockOf(movieId, manifest.blockCount);
    const key = this.artifactsPrefix + partName(block);
    const directory = await this.directory(key, block, manifest.movies[block]!);
    const range = ratersByteRange(directory, movieId);
    if (!range) return new Int32Array(0);
    return decodeRaters(await this.s3.getRange(key, range.start, range.endInclusive));
  }

  private loadManifest(): Promise<RatersManifest | null> {
    this.manifest ??= this.s3
      .getText(this.artifactsPrefix + MANIFEST)
      .then((text) => {
        const manifest = JSON.parse(text) as RatersManifest;
        if (manifest.format !== RATERS_FORMAT) {
          throw new Error(`raters index format ${manifest.format}, expected ${RATERS_FORMAT}`);
        }
        return manifest;
      })
      .catch((error: unknown) => {
        if (error instanceof S3ObjectNotFoundError) return null;
        this.manifest = undefined;
        throw error;
      });
    return this.manifest;
  }

  private directory(key: string, block: number, movies: number): Promise<RatersDirectory> {
    let loaded = this.directories.get(block);
    if (!loaded) {
      loaded = this.s3
        .getRange(key, 0, ratersDirectoryBytes(movies) - 1)
        .then((bytes) => decodeRatersDirectory(new Uint8Array(bytes)));
      loaded.catch(() => this.directories.delete(block));
      this.directories.set(block, loaded);
    }
    return loaded;
  }
}
