import { pacedWrites, REAL_CLOCK, type PacerClock } from '../../core/ingest/pacer.ts';
import { rankedListWriteUnits } from '../../core/ingest/write-budget.ts';
import { outputWriterPace } from '../../core/train/train-request.ts';
import type { RunPlan } from '../../core/train/workflow-types.ts';
import { writeRankedLists, type RankedList, type RankedTable } from '../models/registry.ts';
import type { Stores } from '../runtime.ts';

/** Rows in flight per output block writer. */
const WRITES_IN_FLIGHT = 16;

/**
 * Writes one output block's lists (top-N or similar movies) under model `modelId`. On Keyspaces
 * the writer keeps to its share of the table's rate among the blocks of its Map in flight
 * (`outputWriterPace`), each row counted at the write units a list of its length takes, so the
 * Map as a whole never asks a new table for more than it sustains. `clock` is for tests.
 */
export async function writeOutputLists(
  db: Stores['db'],
  kind: RankedTable,
  modelId: string,
  plan: Pick<
    RunPlan,
    'outputConcurrency' | 'blockCount' | 'outputTableWriteUnits' | 'topN' | 'similarN'
  >,
  lists: readonly RankedList[],
  clock: PacerClock = REAL_CLOCK,
): Promise<void> {
  const entries = kind === 'recommendations' ? plan.topN : plan.similarN;
  const pace = pacedWrites(outputWriterPace(plan), {
    unitsPerRow: rankedListWriteUnits(entries),
    clock,
  });
  await writeRankedLists(db, kind, modelId, lists, WRITES_IN_FLIGHT, pace);
}
