import type { ChunkTask } from '../core/ingest/workflow-types.ts';
import { ingestChunk } from '../services/ingest/ingest-chunk.ts';
import { lambdaHandler } from '../services/lambda-handler.ts';
import { logger } from '../services/logger.ts';

/** Ingest Map item: one byte range of the ratings file into both ratings tables. */
export const handler = lambdaHandler(
  (task: ChunkTask, stores) =>
    ingestChunk(task, stores, (progress) =>
      // `recsys ingest` draws its per-chunk progress bars from these lines.
      logger.info('chunk progress', { chunk: task.chunk.index, ...progress }),
    ),
  { faultTarget: (task) => `chunk-${task.chunk.index}` },
);
