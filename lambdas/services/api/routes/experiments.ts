import { REFUSAL_RESPONSES } from '../../../core/experiments/refusals.ts';
import { parseStartBody, parseStopBody } from '../../../core/experiments/request-bodies.ts';
import {
  ExperimentError,
  listExperiments,
  startExperiment,
  stopExperiment,
  type ExperimentRecord,
} from '../../experiments/registry.ts';
import { readExperimentReport } from '../../experiments/report.ts';
import { ApiError } from '../api-error.ts';
import { ParameterReader } from '../parameter-reader.ts';
import type { ApiRoute } from '../route.ts';

/**
 * The operator's experiment routes: the same registry calls as `recsys experiments`. Starting and
 * stopping are writes (core/api/write-routes.ts: IAM-signed on AWS, not the API key alone).
 */

/** A refused request becomes its 4xx with the registry's one-line message. */
async function refusedAsApiError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ExperimentError) {
      const [status, code] = REFUSAL_RESPONSES[error.kind];
      throw new ApiError(status, code, error.message);
    }
    throw error;
  }
}

function view(record: ExperimentRecord) {
  return {
    ...record,
    startedAt: record.startedAt.toISOString(),
    stoppedAt: record.stoppedAt?.toISOString() ?? null,
  };
}

export const listExperimentsRoute: ApiRoute = {
  method: 'GET',
  path: '/experiments',
  async handle(request, { stores }) {
    const params = new ParameterReader(request.query);
    params.only();
    params.done();
    const items = await listExperiments(stores().db);
    return { body: { items: items.map(view) }, cache: 'no-store' };
  },
};

/** `POST /experiments {candidate, share?, name?}` → 201 and the experiment. */
export const startExperimentRoute: ApiRoute = {
  method: 'POST',
  path: '/experiments',
  json: true,
  async handle(request, { stores }) {
    const params = new ParameterReader(request.query);
    params.only();
    params.done();
    const body = parseStartBody(request.body);
    const record = await refusedAsApiError(() => startExperiment(stores().db, body));
    return { status: 201, body: view(record), cache: 'no-store' };
  },
};

/** `POST /experiments/stop {promote?}`: stops the running one; promote activates the candidate. */
export const stopExperimentRoute: ApiRoute = {
  method: 'POST',
  path: '/experiments/stop',
  json: true,
  async handle(request, { stores }) {
    const params = new ParameterReader(request.query);
    params.only();
    params.done();
    const body = parseStopBody(request.body);
    const record = await refusedAsApiError(() => stopExperiment(stores().db, body));
    return { body: view(record), cache: 'no-store' };
  },
};

/** `GET /experiments/report?name=` (default the newest): per arm with 95 % intervals. */
export const experimentReportRoute: ApiRoute = {
  method: 'GET',
  path: '/experiments/report',
  async handle(request, { state, stores }) {
    const params = new ParameterReader(request.query);
    params.only('name');
    const name = params.text('name', 40);
    params.done();
    const { experiment, report } = await refusedAsApiError(() =>
      readExperimentReport(stores().db, async () => (await state.catalogue()).size, name),
    );
    return { body: { experiment: view(experiment), report }, cache: 'no-store' };
  },
};
