import type { ListBatcher } from '../../core/serving/list-batcher.ts';
import type { Stores } from '../runtime.ts';
import type { ServingState } from './serving-state.ts';

/** What a route sees of a request: already normalized by the middleware chain. */
export interface ApiRequest {
  readonly path: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Parsed JSON (routes with `json` only). */
  readonly body: unknown;
}

/**
 * How long a client may reuse a response. Catalogue data changes only when a data set is
 * ingested, so it may be cached briefly; anything per user or per model version may not.
 */
export type CachePolicy = 'no-store' | { maxAgeSeconds: number };

export interface ApiResult {
  readonly status?: number;
  readonly body: unknown;
  readonly cache?: CachePolicy;
}

export interface RouteDeps {
  readonly state: ServingState;
  readonly stores: () => Stores;
  /** Which served lists are recorded for online evaluation (RECSYS_SERVED_LIST_SAMPLE). */
  readonly servedListSample: number;
  /** Folded-in lists asked for in the same turn of the event loop, scored in one kernel pass. */
  readonly lists: ListBatcher;
}

export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** JSON body expected (POST, PUT): the body parser and size limit apply. */
  readonly json?: boolean;
  readonly handle: (request: ApiRequest, deps: RouteDeps) => Promise<ApiResult>;
}

export const CATALOGUE_CACHE: CachePolicy = { maxAgeSeconds: 300 };
