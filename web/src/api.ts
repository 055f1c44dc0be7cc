/** The API as the console uses it; the key lives in this browser's localStorage only. */
const KEY_STORAGE = 'recsys.apiKey';

let apiBase = '';

export async function loadConfig(): Promise<void> {
  try {
    const response = await fetch('/assets/config.json', { cache: 'no-cache' });
    if (response.ok) apiBase = ((await response.json()) as { apiBase?: string }).apiBase ?? '';
  } catch {
    apiBase = '';
  }
}

export function apiKey(): string {
  return localStorage.getItem(KEY_STORAGE) ?? '';
}

export function setApiKey(key: string): void {
  localStorage.setItem(KEY_STORAGE, key.trim());
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(
  path: string,
  init: { method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(apiBase.replace(/\/$/, '') + path, {
    method: init.method ?? 'GET',
    headers: {
      'x-api-key': apiKey(),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!response.ok) {
    const error = (json as { error?: { message?: string } } | null)?.error;
    if (response.status === 401 || response.status === 403) location.hash = '#/key';
    throw new ApiFailure(
      response.status,
      `${response.status}: ${error?.message ?? response.statusText}`,
    );
  }
  return json as T;
}

export interface MovieSummary {
  movieId: number;
  title: string | null;
  displayTitle?: string;
  year?: number | null;
  genres?: string[];
  ratingCount?: number;
  ratingMean?: number | null;
  score?: number;
  rating?: number;
  /** Stars the model's rating side predicts for this person (recommendation lists); null: none. */
  predictedRating?: number | null;
}

export interface MovieDetails extends MovieSummary {
  imdbId: string | null;
  tmdbId: number | null;
  links: { imdb: string | null; tmdb: string | null };
  topTags: string[];
}

export interface Recommendations {
  modelId: string | null;
  strategy: string;
  /** Names this list in feedback (POST /events) so online metrics can credit it. */
  recommendationId?: string;
  reason?: string;
  millis?: number;
  used?: number;
  items: MovieSummary[];
}

let genres: Promise<string[]> | undefined;

export function genreList(): Promise<string[]> {
  genres ??= api<{ genres: string[] }>('/genres')
    .then((r) => r.genres)
    .catch((error: unknown) => {
      genres = undefined;
      throw error;
    });
  return genres;
}
