import type { CassandraStore } from '../../adapters/cassandra.ts';
import type { SkippedRun } from '../../core/train/workflow-types.ts';
import { lastDataChange } from '../data-changes.ts';
import { readDatasetStatus } from '../ingest/dataset-status.ts';
import { activeModelId, listModels } from '../models/registry.ts';

/** The train state machine's TimeoutSeconds: a row still `training` after this is a dead run. */
export const TRAIN_RUN_TIMEOUT_MS = 43_200_000;

export type NewDataCheck = SkippedRun | { readonly skipped: false; readonly reason: string };

/**
 * `ifNewData` (scheduled retraining): train only when ratings changed after the active model was
 * planned, i.e. the API stored or deleted a rating (`data_changes`) or an ingestion finished since,
 * and no other run is training. Cheap: the models and datasets tables (a row per run and per data
 * set) and eight marker rows. Comparing with the model's created_at (when its Plan ran, before
 * its scans) never misses a change; a change during its scans may cost one retraining too many.
 */
export async function checkNewData(
  db: CassandraStore,
  now: Date,
  runId: string,
): Promise<NewDataCheck> {
  const [models, activeId, apiChange, dataset] = await Promise.all([
    listModels(db),
    activeModelId(db),
    lastDataChange(db),
    readDatasetStatus(db),
  ]);
  const active = models.find((m) => m.modelId === activeId);
  const activeAt = active?.createdAt.getTime() ?? -Infinity;
  const ingestedAt = dataset?.updatedAt ? Date.parse(dataset.updatedAt) : undefined;
  const changes = [apiChange, ingestedAt].filter((t): t is number => t !== undefined);
  const lastChange = changes.length > 0 ? Math.max(...changes) : undefined;
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  const skip = (reason: string): SkippedRun => ({
    skipped: true,
    reason,
    activeModelId: active?.modelId ?? null,
    activeModelCreatedAt: iso(active?.createdAt.getTime()),
    lastChangeAt: iso(lastChange),
    checkedAt: now.toISOString(),
  });
  const inFlight = models.find(
    (m) =>
      m.status === 'training' &&
      m.modelId !== runId &&
      m.createdAt.getTime() > activeAt &&
      now.getTime() - m.createdAt.getTime() < TRAIN_RUN_TIMEOUT_MS,
  );
  if (inFlight) {
    return skip(
      `model ${inFlight.modelId} is training (planned ${inFlight.createdAt.toISOString()}); ` +
        'the next check trains again if ratings changed after it',
    );
  }
  if (!active) return { skipped: false, reason: 'no model serves yet' };
  if (lastChange !== undefined && lastChange > activeAt) {
    return {
      skipped: false,
      reason: `ratings changed at ${iso(lastChange)}, after model ${active.modelId} was planned (${iso(activeAt)})`,
    };
  }
  return skip(
    `no new data: no rating changed since model ${active.modelId} was planned (${iso(activeAt)})`,
  );
}
