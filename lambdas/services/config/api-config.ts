import { parseSampleRate } from '../../core/feedback/keys.ts';
import { corsPolicyFromEnv, type CorsPolicy } from '../api/cors.ts';
import { apiKeyCheckFromEnv, type ApiKeyCheck } from '../api/middleware/api-key.ts';
import { servingSettingsFromEnv, type ServingSettings } from '../api/serving-state.ts';

/**
 * Every environment variable the API function reads, set by the stack (infra/constructs/api.ts),
 * `recsys serve` or a test, with where its meaning is defined. The handler reads them once, when
 * it is created (`createApiHandler`), through `apiConfigFromEnv`; a bad value fails there with
 * the variable's name.
 */
export const API_ENVIRONMENT = {
  RECSYS_API_KEY_SOURCE: '`gateway` on AWS: API Gateway checks the key (middleware/api-key.ts)',
  RECSYS_WRITE_AUTH: '`iam`: writes must be SigV4-signed, a second line behind API Gateway',
  RECSYS_API_KEY: 'the key `x-api-key` must carry where API Gateway does not check it',
  RECSYS_ENV: '`local`/`dev`/`test` relax CORS; unset, a Lambda counts as production (cors.ts)',
  RECSYS_CORS_ORIGINS: 'comma-separated browser origins allowed to call the API (cors.ts)',
  RECSYS_MODEL_CHECK_SECONDS: 'how often a warm container asks which model is active (default 30)',
  RECSYS_CATALOGUE_TTL_SECONDS: 'how long the in-memory catalogue is trusted (default 600)',
  RECSYS_TRENDING_TTL_SECONDS: 'how long a container reuses the trending counts (default 60)',
  RECSYS_COLD_START_SHARE: 'share of a personal list given to cold movies, 0–1 (default 0)',
  RECSYS_SERVED_LIST_SAMPLE: 'share of users whose served lists are recorded, 0–1 (default 1)',
} as const;

export interface ApiConfig {
  readonly apiKey: ApiKeyCheck;
  readonly cors: CorsPolicy;
  readonly serving: ServingSettings;
  readonly servedListSample: number;
}

export function apiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return {
    apiKey: apiKeyCheckFromEnv(env),
    cors: corsPolicyFromEnv(env),
    serving: servingSettingsFromEnv(env),
    servedListSample: parseSampleRate(env.RECSYS_SERVED_LIST_SAMPLE),
  };
}
