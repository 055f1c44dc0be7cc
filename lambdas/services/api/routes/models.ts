import {
  activeModelId,
  getModelRecord,
  listModels,
  type ModelRecord,
} from '../../models/registry.ts';
import { ApiError } from '../api-error.ts';
import { ParameterReader } from '../parameter-reader.ts';
import type { ApiRoute } from '../route.ts';

function modelView(record: ModelRecord, activeId: string | undefined) {
  return {
    ...record,
    createdAt: record.createdAt.toISOString(),
    active: record.modelId === activeId,
  };
}

export const modelsRoute: ApiRoute = {
  method: 'GET',
  path: '/models',
  async handle(request, { stores }) {
    const params = new ParameterReader(request.query);
    params.only();
    params.done();
    const { db } = stores();
    const [models, activeId] = await Promise.all([listModels(db), activeModelId(db)]);
    return {
      body: { activeModelId: activeId ?? null, items: models.map((m) => modelView(m, activeId)) },
      cache: 'no-store',
    };
  },
};

/** The serving model's record: parameters and per-iteration metrics (the training curves). */
export const activeModelRoute: ApiRoute = {
  method: 'GET',
  path: '/models/active',
  async handle(request, { stores }) {
    const params = new ParameterReader(request.query);
    params.only();
    params.done();
    const { db } = stores();
    const id = await activeModelId(db);
    const record = id === undefined ? undefined : await getModelRecord(db, id);
    if (!record) throw new ApiError(404, 'not_found', 'no model is active yet');
    return { body: modelView(record, id), cache: 'no-store' };
  },
};
