import { capacityRecord } from '../../core/ingest/capacity-switch.ts';
import type { FinishRequest, IngestSummary } from '../../core/ingest/workflow-types.ts';
import { recordIngestionOutcome } from '../datasets/registry.ts';
import type { Stores } from '../runtime.ts';
import { readableCause } from '../step-errors.ts';

/**
 * Last state, on success and on failure alike: records the outcome in `datasets` (status, exact
 * counts, rejected rows by reason, seconds per stage) and returns the summary the CLI prints, with
 * the capacity the ratings were written at (on-demand, provisioned at N WCU, or a switch skipped).
 */
export async function finishIngestion(
  request: FinishRequest,
  { db }: Stores,
  now = Date.now(),
): Promise<IngestSummary> {
  const { layout, outcome } = request;
  const chunkSeconds = (request.chunks ?? []).map((c) => c.seconds);
  const timings: Record<string, number> = {
    ...(request.plan ? { plan: request.plan.seconds } : {}),
    ...(chunkSeconds.length > 0
      ? {
          chunk_max: Math.max(...chunkSeconds),
          chunk_sum: chunkSeconds.reduce((a, b) => a + b, 0),
        }
      : {}),
    ...(request.catalogue ? { catalogue: request.catalogue.seconds } : {}),
    ...(request.aggregate ? { aggregate: request.aggregate.seconds } : {}),
    total: (now - layout.startedAt) / 1000,
  };
  for (const [stage, seconds] of Object.entries(timings)) {
    timings[stage] = Math.round(seconds * 1000) / 1000;
  }
  const counts = request.aggregate?.counts ?? {};
  const rejected = request.aggregate?.rejected ?? {};
  const error = request.error
    ? `${request.error.Error ?? 'Error'}: ${readableCause(request.error.Cause)}`
    : undefined;
  await recordIngestionOutcome(db, {
    dataset: layout.dataset,
    status: outcome,
    counts,
    rejected,
    timings,
    error: error ?? null,
    at: new Date(now),
  });
  return {
    dataset: layout.dataset,
    status: outcome,
    counts,
    rejected,
    timings,
    quarantineKeys: request.aggregate?.quarantineKeys ?? [],
    ...(request.pace ? { capacity: capacityRecord(layout.capacity, request.pace) } : {}),
    ...(error ? { error } : {}),
  };
}
