import type { FailureState } from '../../core/train/workflow-types.ts';
import { getModelRecord, saveModelRecord } from '../models/registry.ts';
import type { Stores } from '../runtime.ts';
import { readableCause } from '../step-errors.ts';

/**
 * The Catch target of every step: marks this run's model row failed, with the error. It never
 * touches the active-model pointer, so serving carries on with the model it had. When Plan itself
 * failed there is no row of this run to mark (the id may even belong to another run).
 */
export async function markFailed(
  state: FailureState,
  stores: Stores,
): Promise<{ modelId: string | null; marked: boolean }> {
  const modelId = state.plan?.runId;
  if (!modelId) return { modelId: null, marked: false };
  const record = await getModelRecord(stores.db, modelId);
  if (!record || record.status === 'ready') return { modelId, marked: false };
  await saveModelRecord(stores.db, {
    ...record,
    status: 'failed',
    metrics: {
      ...record.metrics,
      error: state.error?.Error ?? 'unknown',
      cause: readableCause(state.error?.Cause),
      failedAt: new Date().toISOString(),
    },
  });
  return { modelId, marked: true };
}
