import { readDatasetStatus } from '../../datasets/registry.ts';
import { ApiError } from '../api-error.ts';
import { ParameterReader } from '../parameter-reader.ts';
import { CATALOGUE_CACHE, type ApiRoute } from '../route.ts';

/**
 * The analytics ingestion computed (one JSON document per chart in `dataset_stats`) with the data
 * set's counts: the latest ready data set, or `?dataset=NAME`.
 */
export const statsRoute: ApiRoute = {
  method: 'GET',
  path: '/stats',
  async handle(request, { stores }) {
    const params = new ParameterReader(request.query);
    params.only('dataset');
    const name = params.text('dataset', 100);
    params.done();
    const { db } = stores();
    const status = await readDatasetStatus(db, name);
    if (!status) {
      throw new ApiError(
        404,
        'not_found',
        name ? `data set ${name} not found` : 'no data set has been ingested yet',
      );
    }
    const result = await db.execute(
      `SELECT chart, data FROM ${db.table('dataset_stats')} WHERE dataset = ?`,
      [status.dataset],
    );
    const charts: Record<string, unknown> = {};
    for (const row of result.rows)
      charts[String(row.get('chart'))] = JSON.parse(String(row.get('data')));
    return {
      body: {
        dataset: status.dataset,
        status: status.status,
        updatedAt: status.updatedAt,
        counts: status.counts,
        charts,
      },
      cache: CATALOGUE_CACHE,
    };
  },
};
