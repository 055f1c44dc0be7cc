import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MovieLensGenerator,
  type GenerationStats,
  type GeneratorMetadata,
} from '../../../lambdas/core/generator/dataset.ts';
import type { GeneratorOptions } from '../../../lambdas/core/generator/params.ts';

export interface WriteDatasetResult {
  dir: string;
  files: string[];
  metadata: GeneratorMetadata;
  seconds: number;
}

/**
 * Streams a generated MovieLens folder to disk with bounded memory. Each file is written under a
 * temporary name and renamed when complete, and generator.json comes last, so a folder with
 * generator.json is a finished one (an interrupted run never leaves a plausible-looking ratings.csv).
 */
export async function writeDataset(
  dir: string,
  options: GeneratorOptions,
  onProgress?: (rowsWritten: number) => void,
): Promise<WriteDatasetResult> {
  const started = performance.now();
  const generator = new MovieLensGenerator(options);
  await mkdir(dir, { recursive: true });
  await writeChunks(join(dir, 'movies.csv'), generator.moviesCsv());
  await writeChunks(join(dir, 'links.csv'), generator.linksCsv());

  let stats: GenerationStats | undefined;
  const ratings = openTemp(join(dir, 'ratings.csv'));
  const tags = openTemp(join(dir, 'tags.csv'));
  let rowsWritten = 0;
  for (const chunk of generator.ratingChunks((done) => (stats = done))) {
    await Promise.all([tags.write(chunk.tags), ratings.write(chunk.ratings)]);
    rowsWritten += chunk.rows;
    onProgress?.(rowsWritten);
  }
  await Promise.all([ratings.close(), tags.close()]);

  const metadata = generator.metadata(stats!);
  await writeFile(join(dir, 'generator.json'), `${JSON.stringify(metadata, null, 2)}\n`);
  return {
    dir,
    files: ['ratings.csv', 'movies.csv', 'tags.csv', 'links.csv', 'generator.json'],
    metadata,
    seconds: (performance.now() - started) / 1000,
  };
}

async function writeChunks(path: string, chunks: Iterable<string>): Promise<void> {
  const file = openTemp(path);
  for (const chunk of chunks) await file.write(chunk);
  await file.close();
}

interface TempFile {
  /** Resolves at once, or when the stream has drained: memory stays bounded by the stream buffer. */
  write: (text: string) => Promise<void>;
  /** Flushes and renames the file into place. */
  close: () => Promise<void>;
}

function openTemp(path: string): TempFile {
  const temp = `${path}.partial`;
  const stream = createWriteStream(temp);
  let failure: Error | undefined;
  // Kept so a failure between writes (disk full) is reported by the next write, not thrown unhandled.
  stream.on('error', (error) => (failure = error));
  return {
    write: async (text) => {
      if (failure) throw failure;
      if (!stream.write(text)) await once(stream, 'drain');
    },
    close: async () => {
      if (failure) throw failure;
      stream.end();
      await once(stream, 'finish');
      await rename(temp, path);
    },
  };
}
