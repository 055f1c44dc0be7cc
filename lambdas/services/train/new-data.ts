import type { CassandraStore } from '../../adapters/cassandra.ts';
import type { SkippedRun } from '../../core/train/workflow-types.ts';
import { lastDataChange } from '../data-changes.ts';
import { listDatasetStatuses } from '../datasets/registry.ts';
import { activeModelId, listModels } from '../models/registry.ts';

/** The train state machine's TimeoutSeconds: a row still `training` after this is a dead run. */
export const TRAIN_RUN_TIMEOUT_MS = 43_200_000;
/** The ingest state machine's TimeoutSeconds: a row still `ingesting` after this is a dead run. */
export const INGEST_RUN_TIMEOUT_MS = 21_600_000;

export type NewDataCheck = SkippedRun | { readonly skipped: false; readonly reason: string };

/** What the check reads: the models and datasets tables, the active model, the API's marker. */
export interface RetrainFacts {
  readonly models: readonly {
    readonly modelId: string;
    readonly status: string;
    readonly createdAt: Date;
  }[];
  readonly activeModelId: string | undefined;
  /** When the API last changed a rating (epoch ms), if it ever did. */
  readonly apiChangeAt: number | undefined;
  readonly datasets: readonly {
    readonly dataset: string;
    readonly status: string;
    readonly updatedAt: string | null;
  }[];
}

/**
 * `ifNewData` (scheduled retraining): whether this run trains. A schedule fires whatever the
 * stack holds, so everything that would make a run fail or race is a skip (the execution ends a
 * success, its output says why), never a failure that alarms every day:
 * - an ingestion is running (a `datasets` row `ingesting`, younger than the ingest machine's
 *   timeout): its ratings are half written, and the ingestion starts training once it is ready;
 * - another run is training (younger than the train machine's timeout);
 * - no model serves and no data set is ready (an empty stack, or only failed ingestions):
 *   nothing to train on;
 * - ratings did not change after the active model was planned: nothing new.
 * Otherwise it trains: no model serves yet and a data set is ready, or the API stored or deleted
 * a rating (`data_changes`), or an ingestion finished, after the active model was planned.
 * Comparing with the model's created_at (when its Plan ran, before its scans) never misses a
 * change; a change during its scans may cost one retraining too many.
 */
export function decideRetrain(facts: RetrainFacts, now: Date, runId: string): NewDataCheck {
  const active = facts.models.find((m) => m.modelId === facts.activeModelId);
  const activeAt = active?.createdAt.getTime() ?? -Infinity;
  const ready = facts.datasets.filter((d) => d.status === 'ready');
  const newestReady = ready
    .map((d) => (d.updatedAt ? Date.parse(d.updatedAt) : NaN))
    .filter((t) => Number.isFinite(t));
  const ingestedAt = newestReady.length > 0 ? Math.max(...newestReady) : undefined;
  const changes = [facts.apiChangeAt, ingestedAt].filter((t): t is number => t !== undefined);
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
  const ingesting = facts.datasets.find((d) => {
    if (d.status !== 'ingesting') return false;
    const at = d.updatedAt ? Date.parse(d.updatedAt) : NaN;
    return Number.isFinite(at) && now.getTime() - at < INGEST_RUN_TIMEOUT_MS;
  });
  if (ingesting) {
    return skip(
      `ingestion running: data set ${ingesting.dataset} is ingesting (since ` +
        `${ingesting.updatedAt}); the ingestion starts training once it is ready`,
    );
  }
  const inFlight = facts.models.find(
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
  if (!active) {
    if (ready.length === 0) {
      return skip(
        facts.datasets.length === 0
          ? 'no ready data set: nothing has been ingested yet (upload one: recsys upload)'
          : 'no ready data set: ' +
              facts.datasets.map((d) => `${d.dataset} ${d.status}`).join(', '),
      );
    }
    return { skipped: false, reason: 'no model serves yet' };
  }
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

/**
 * The `ifNewData` check on the database (decideRetrain): the models and datasets tables (a row per
 * run and per data set), the active-model slot and eight marker rows.
 */
export async function checkNewData(
  db: CassandraStore,
  now: Date,
  runId: string,
): Promise<NewDataCheck> {
  const [models, activeId, apiChangeAt, datasets] = await Promise.all([
    listModels(db),
    activeModelId(db),
    lastDataChange(db),
    listDatasetStatuses(db),
  ]);
  return decideRetrain({ models, activeModelId: activeId, apiChangeAt, datasets }, now, runId);
}
