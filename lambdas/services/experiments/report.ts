import type { CassandraStore } from '../../adapters/cassandra.ts';
import { experimentReport, type ExperimentReport } from '../../core/experiments/report.ts';
import { dayOf } from '../../core/feedback/keys.ts';
import { readEvents, readServedLists } from '../api/feedback-store.ts';
import {
  ExperimentError,
  getExperiment,
  listExperiments,
  type ExperimentRecord,
} from './registry.ts';

/** Hit rate is measured on the first K movies of each list, as in `GET /metrics/online`. */
export const EXPERIMENT_K = 10;

/**
 * Reads what the report of experiment `name` (default: the newest) needs: its served lists and the
 * feedback from its start day to today (feedback after the stop still counts for lists served
 * before it), and the catalogue's size. Costs (days × 8) partition reads of each table.
 */
export async function readExperimentReport(
  db: CassandraStore,
  catalogueSize: () => Promise<number>,
  name: string | undefined,
  now = Date.now(),
): Promise<{ experiment: ExperimentRecord; report: ExperimentReport }> {
  const experiment =
    name === undefined ? (await listExperiments(db))[0] : await getExperiment(db, name);
  if (!experiment) {
    throw new ExperimentError(
      'not_found',
      name === undefined ? 'no experiment has been started' : `unknown experiment ${name}`,
    );
  }
  const first = dayOf(experiment.startedAt.getTime());
  const days = Array.from({ length: dayOf(now) - first + 1 }, (_, i) => first + i);
  const [lists, events, size] = await Promise.all([
    readServedLists(db, days),
    readEvents(db, days),
    catalogueSize(),
  ]);
  const report = experimentReport(
    experiment.name,
    { control: experiment.controlModelId, candidate: experiment.candidateModelId },
    lists,
    events,
    { k: EXPERIMENT_K, catalogueSize: size },
  );
  return { experiment, report };
}
