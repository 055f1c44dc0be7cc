/**
 * The API's latency and throughput under load, one scenario after another with autocannon: shared by
 * `npm run bench:api` (ml-latest-small) and the scale step (a 25M-rating model).
 */
import autocannon from 'autocannon';

export interface LoadScenario {
  readonly name: string;
  readonly request: autocannon.Request;
}

/** `POST /recommendations` (a fold-in) with a fresh JSON body from `nextBody` per request. */
export function foldInScenario(name: string, apiKey: string, nextBody: () => string): LoadScenario {
  return {
    name,
    request: {
      method: 'POST',
      path: '/recommendations',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      setupRequest: (r) => ({ ...r, body: nextBody() }),
    },
  };
}

/**
 * Fold-in body number k of issue 22's goal: 30 given ratings, a different person each k (movies
 * drawn without repeats from `movieIds` by a stride coprime to 100, stars 0.5–5). The scale bench
 * and fold-in-http.ts send the same bodies.
 */
export function thirtyRatingsBody(k: number, movieIds: readonly number[]): string {
  const ratings = Array.from({ length: 30 }, (_, j) => ({
    movieId: movieIds[(k * 31 + j * 7) % movieIds.length],
    rating: 0.5 + ((k + j * 3) % 10) / 2,
  }));
  return JSON.stringify({ ratings });
}

export interface LoadResult {
  readonly scenario: string;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number };
  readonly non2xx: number;
  readonly errors: number;
}

export interface LoadOptions {
  /** Seconds each scenario is measured for. */
  readonly seconds: number;
  readonly connections: number;
  /** Seconds of warm-up (JIT, the catalogue and the model load once per process); default 2. */
  readonly warmUpSeconds?: number;
  readonly log?: (line: string) => void;
}

/** Runs each scenario against `url` (warm-up, then the measured run); one row per scenario. */
export async function measureScenarios(
  url: string,
  apiKey: string,
  scenarios: readonly LoadScenario[],
  options: LoadOptions,
): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (const scenario of scenarios) {
    await autocannon({
      url,
      connections: 2,
      duration: options.warmUpSeconds ?? 2,
      headers: { 'x-api-key': apiKey },
      requests: [scenario.request],
    });
    const result = await autocannon({
      url,
      connections: options.connections,
      duration: options.seconds,
      headers: { 'x-api-key': apiKey },
      requests: [scenario.request],
    });
    const row: LoadResult = {
      scenario: scenario.name,
      requests: result.requests.total,
      requestsPerSecond: Math.round(result.requests.average),
      latencyMs: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
      non2xx: result.non2xx,
      errors: result.errors,
    };
    results.push(row);
    options.log?.(
      `${row.scenario}: ${row.requestsPerSecond} req/s, p50 ${row.latencyMs.p50} ms, p99 ${row.latencyMs.p99} ms, non-2xx ${row.non2xx}`,
    );
  }
  return results;
}
