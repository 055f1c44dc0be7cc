import {
  runLocalIngest,
  type LocalIngestOptions,
} from '../../scripts/runtime/ingest/run-local-ingest.ts';
import type { LocalSfnEvent } from '../../scripts/runtime/local-sfn/index.ts';

/** Chunks small enough that the bad-rows fixture (ingest-fixture.ts) ingests as several. */
export const FIXTURE_CHUNK_BYTES = 64 * 1024;

type IngestOptions = Omit<LocalIngestOptions, 'bucket' | 'log'>;

/**
 * The local ingest state machine (`runLocalIngest`) into `bucket`, without its log: `ingest` with
 * any options, `ingestFixture` for a fixture folder in `FIXTURE_CHUNK_BYTES` chunks.
 */
export function localIngest(bucket: string) {
  const ingest = (options: IngestOptions) =>
    runLocalIngest({ bucket, log: () => undefined, ...options });
  const ingestFixture = (
    fixture: { readonly dir: string },
    dataset: string,
    keyspace: string,
    options: Omit<IngestOptions, 'dir' | 'dataset' | 'keyspace'> = {},
  ) => ingest({ dir: fixture.dir, dataset, keyspace, chunkBytes: FIXTURE_CHUNK_BYTES, ...options });
  return { ingest, ingestFixture };
}

/** An `onEvent` that keeps the state machine's events of one type, and what it kept. */
export function eventsOfType(type: LocalSfnEvent['type']) {
  const events: LocalSfnEvent[] = [];
  const onEvent = (event: LocalSfnEvent) => void (event.type === type && events.push(event));
  return { events, onEvent };
}
