import {
  boundaryWindow,
  chunksFromBoundaries,
  lineStartInWindow,
  nominalBoundaries,
} from '../../core/ingest/chunk-boundaries.ts';
import { mapLimit } from '../../core/pool.ts';
import type { ChunkPlan, DatasetLayout } from '../../core/ingest/workflow-types.ts';
import type { Stores } from '../runtime.ts';

const WINDOW_READS_IN_FLIGHT = 8;

/**
 * Cuts the ratings file into byte ranges that start at line starts. Reads only a small window
 * around each nominal boundary, so planning a 1 GB file costs a few ranged GETs.
 */
export async function planChunks(layout: DatasetLayout, { s3 }: Stores): Promise<ChunkPlan> {
  const started = performance.now();
  const nominal = nominalBoundaries(layout.ratingsBytes, layout.chunkBytes);
  const aligned = await mapLimit(nominal, WINDOW_READS_IN_FLIGHT, async (boundary) => {
    const window = boundaryWindow(boundary, layout.ratingsBytes);
    const bytes = await s3.getRange(layout.ratingsKey, window.start, window.endInclusive);
    return lineStartInWindow(bytes, window.start);
  });
  return {
    chunks: chunksFromBoundaries(layout.ratingsBytes, aligned),
    seconds: (performance.now() - started) / 1000,
  };
}
