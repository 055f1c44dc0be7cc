/**
 * The API as the console uses it; the key lives in this browser's localStorage only. Reads send
 * the key; on AWS (config.json names a Cognito sign-in) writes are SigV4-signed with the signed-in
 * user's credentials instead, and locally (`recsys serve`, no sign-in) the key writes too.
 */
import { authEnabled, completeSignIn, configureAuth, signedHeaders } from './auth.ts';
import type { ConsoleConfig } from '../../lambdas/core/api/console-config.ts';
import { isWriteRequest } from '../../lambdas/core/api/write-routes.ts';

const KEY_STORAGE = 'recsys.apiKey';

let apiBase = '';

export async function loadConfig(): Promise<void> {
  try {
    const response = await fetch('/assets/config.json', { cache: 'no-cache' });
    if (response.ok) {
      const config = (await response.json()) as Partial<ConsoleConfig>;
      apiBase = config.apiBase ?? '';
      configureAuth(config.auth);
    }
  } catch {
    apiBase = '';
  }
  try {
    await completeSignIn();
  } catch (error) {
    console.error(error);
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
  const method = init.method ?? 'GET';
  const url = apiBase.replace(/\/$/, '') + path;
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const content: Record<string, string> =
    body === undefined ? {} : { 'content-type': 'application/json' };
  let headers: Record<string, string> = { 'x-api-key': apiKey(), ...content };
  if (authEnabled() && isWriteRequest(method, path)) {
    const signed = await signedHeaders(method, new URL(url, location.href).href, content, body);
    if (!signed) {
      location.hash = '#/key';
      throw new ApiFailure(401, 'sign in to change data (Key & sign-in page)');
    }
    headers = signed;
  }
  const response = await fetch(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
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
  /** With explain=true: the person's movies that contributed most to this recommendation. */
  because?: {
    movieId: number;
    title: string | null;
    displayTitle?: string | null;
    share: number;
  }[];
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
  /** The diversity dial, when a request set it above 0. */
  diversity?: number;
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
