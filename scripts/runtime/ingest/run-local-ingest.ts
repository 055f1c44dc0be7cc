import { availableParallelism } from 'node:os';
import { S3Store, s3ConfigFromEnv } from '../../../lambdas/adapters/s3.ts';
import { localChunkBytes } from '../../../lambdas/core/ingest/chunk-boundaries.ts';
import type { IngestRequest, IngestSummary } from '../../../lambdas/core/ingest/workflow-types.ts';
import { RATINGS_FILES } from '../../../lambdas/services/ingest/validate.ts';
import {
  prepareStorage,
  roundTo,
  runLocalPipeline,
  startLocalRun,
  type LocalRunOptions,
} from '../local-pipeline.ts';
import {
  INGEST_DEFINITION,
  INGEST_FUNCTIONS,
  LOCAL_INGEST_SUBSTITUTIONS,
} from '../../../statemachines/ingest.functions.ts';
import { IngestProgress } from './ingest-progress.ts';
import { uploadDataset } from './upload-dataset.ts';

export interface LocalIngestOptions extends LocalRunOptions {
  readonly dir: string;
  readonly dataset: string;
  /** Bytes per chunk; default one chunk per worker (chunk-boundaries.ts, localChunkBytes). */
  readonly chunkBytes?: number;
  readonly minRatingsPerMovie?: number;
  /** Handler worker threads; defaults to one per core. */
  readonly workers?: number;
}

export interface LocalIngestResult extends IngestSummary {
  /** Wall-clock seconds per stage as the local run saw them, upload and services included. */
  readonly seconds: Readonly<Record<string, number>>;
  readonly ratingsPerSecond: number;
}

/** The ASL states whose wall time is reported, by the name shown in the summary. */
const STAGES: Readonly<Record<string, string>> = {
  Validate: 'validate',
  Plan: 'plan',
  IngestChunks: 'chunks',
  Catalogue: 'catalogue',
  Aggregate: 'aggregate',
  MarkReady: 'finish',
};

/**
 * `recsys ingest`: local S3 and Cassandra (started when not running), schema, upload, then the real
 * ingest.asl.json with every Task bound to its Lambda handler, run in worker threads.
 */
export async function runLocalIngest(options: LocalIngestOptions): Promise<LocalIngestResult> {
  const started = performance.now();
  // INFO: the chunk handlers' progress lines are INFO log lines.
  const { log, env } = await startLocalRun(options, 'INFO');
  const seconds: Record<string, number> = {
    services: (performance.now() - started) / 1000,
  };
  const t = performance.now();
  await prepareStorage(env, options.roles);
  seconds.schema = (performance.now() - t) / 1000;

  const s3 = new S3Store(s3ConfigFromEnv({ ...process.env, ...env }));
  let ratingsBytes: number | undefined;
  try {
    const upload = await uploadDataset({ dir: options.dir, dataset: options.dataset, s3 });
    // The file Validate will pick (the first of its names present).
    ratingsBytes = RATINGS_FILES.map((name) =>
      upload.manifest.files.find((file) => file.name === name),
    ).find((file) => file !== undefined)?.bytes;
    seconds.upload = upload.seconds;
    log(
      `uploaded ${upload.manifest.files.length} files (${upload.bytes} bytes) to s3://${s3.bucket}/${upload.manifestKey.replace(/manifest\.json$/, '')}`,
    );
  } finally {
    s3.destroy();
  }

  const workers = options.workers ?? availableParallelism();
  const chunkBytes =
    options.chunkBytes ??
    (ratingsBytes === undefined ? undefined : localChunkBytes(ratingsBytes, workers));
  const input: IngestRequest = {
    dataset: options.dataset,
    // As many chunks at once as there are workers, like one Lambda each on AWS: a chunk queued for
    // a busy worker would otherwise spend its Task timeout waiting.
    chunkConcurrency: workers,
    ...(chunkBytes ? { chunkBytes } : {}),
    ...(options.minRatingsPerMovie !== undefined
      ? { minRatingsPerMovie: options.minRatingsPerMovie }
      : {}),
  };
  const { output: summary, stateSeconds } = await runLocalPipeline<IngestSummary>(options, env, {
    definitionPath: INGEST_DEFINITION,
    functions: INGEST_FUNCTIONS,
    substitutions: LOCAL_INGEST_SUBSTITUTIONS,
    input,
    workers,
    progress: () => new IngestProgress(),
  });
  for (const [state, stage] of Object.entries(STAGES)) {
    if (stateSeconds[state] !== undefined) seconds[stage] = stateSeconds[state];
  }
  seconds.total = (performance.now() - started) / 1000;
  for (const key of Object.keys(seconds)) seconds[key] = roundTo(seconds[key]!, 2);
  const ratingsSeconds = seconds.chunks ?? seconds.total;
  return {
    ...summary,
    seconds,
    ratingsPerSecond: Math.round(
      (summary.counts.rowsAccepted ?? 0) / Math.max(ratingsSeconds, 1e-3),
    ),
  };
}
