import { lastDays } from '../../../core/feedback/keys.ts';
import { onlineMetrics } from '../../../core/feedback/online-metrics.ts';
import { ONLINE_METRICS_DAYS } from '../../../core/serving/input-limits.ts';
import { readEvents, readServedLists } from '../feedback-store.ts';
import { ParameterReader } from '../parameter-reader.ts';
import type { ApiRoute } from '../route.ts';

/** Hit rate is measured on the first K movies of each list. */
const K = 10;

/**
 * `GET /metrics/online?days=1..30` (default 7): per model version, the lists served in the last N
 * UTC days (today included) that were recorded (a sample of users when RECSYS_SERVED_LIST_SAMPLE
 * < 1), joined with the feedback events of the same days (core/feedback/online-metrics.ts):
 * hit rate@10, click-through, coverage of the catalogue. Reads N days × 8 shards of each table.
 */
export const onlineMetricsRoute: ApiRoute = {
  method: 'GET',
  path: '/metrics/online',
  async handle(request, { state, stores, servedListSample }) {
    const params = new ParameterReader(request.query);
    params.only('days');
    const days = params.int('days', ONLINE_METRICS_DAYS);
    params.done();
    const now = Date.now();
    const window = lastDays(now, days);
    const { db } = stores();
    const [lists, events, catalogue, serving] = await Promise.all([
      readServedLists(db, window),
      readEvents(db, window),
      state.catalogue(),
      state.activeModel(),
    ]);
    const models = onlineMetrics(lists, events, { k: K, catalogueSize: catalogue.size });
    return {
      body: {
        days,
        from: new Date(window[0]! * 86_400_000).toISOString(),
        to: new Date(now).toISOString(),
        k: K,
        sampleRate: servedListSample,
        activeModelId: serving?.record.modelId ?? null,
        events: events.length,
        models: models.map((m) => ({
          ...m,
          firstServedAt: new Date(m.firstServedAt).toISOString(),
          lastServedAt: new Date(m.lastServedAt).toISOString(),
        })),
      },
      cache: 'no-store',
    };
  },
};
