/** A JSON reply from the API under test; bodies are checked field by field. */
export interface Reply {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- bodies are checked field by field
}

/**
 * A `fetch` wrapper for integration tests against `recsys serve`: sends the API key, JSON bodies
 * (POST unless another method is named) and parses the reply. `base` is read on each call, so a
 * client can be made before the server it talks to has started.
 */
export function apiClient(base: () => string, apiKey: string) {
  return async (path: string, init: { method?: string; body?: unknown } = {}): Promise<Reply> => {
    const response = await fetch(base() + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        'x-api-key': apiKey,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null };
  };
}

/** The movie ids of a list, in order. */
export const movieIds = (items: { movieId: number }[]) => items.map((m) => m.movieId);

/** The Shining, Jaws, The Exorcist, Blair Witch, Halloween: a horror fan's favourites. */
export const HORROR = [1258, 1387, 1997, 2710, 1982];
