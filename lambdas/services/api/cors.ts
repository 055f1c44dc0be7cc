/**
 * Which browser origins may call the API (CORS). Keys, not cookies, authenticate, so CORS is not
 * what protects the data; it still should not invite every web page to call a production API with
 * a key it found. Hence:
 * - `RECSYS_CORS_ORIGINS` (comma-separated origins such as `https://console.example.com`, or
 *   `https://*.example.com`) is the allow-list; the stack sets it;
 * - unset, any origin (`*`) is allowed only in a local or development environment;
 * - `*` is never honoured in production, even when listed: such an entry is dropped and reported.
 * The environment is RECSYS_ENV; unset, a Lambda (AWS_LAMBDA_FUNCTION_NAME) counts as production and
 * anything else (recsys serve, tests) as local.
 */
export interface CorsPolicy {
  readonly origins: readonly string[];
  /** Entries of RECSYS_CORS_ORIGINS that were refused, with why (logged at start-up). */
  readonly refused: readonly string[];
}

const RELAXED_ENVIRONMENTS = new Set(['local', 'dev', 'development', 'test']);
// scheme://host[:port], where the host may start with one "*." label for subdomains.
const ORIGIN = /^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?\/?$/i;

export function recsysEnvironment(env: NodeJS.ProcessEnv): string {
  const named = env.RECSYS_ENV?.trim().toLowerCase();
  if (named) return named;
  return env.AWS_LAMBDA_FUNCTION_NAME ? 'production' : 'local';
}

export function corsPolicyFromEnv(env: NodeJS.ProcessEnv): CorsPolicy {
  const relaxed = RELAXED_ENVIRONMENTS.has(recsysEnvironment(env));
  const listed = (env.RECSYS_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (listed.length === 0) return { origins: relaxed ? ['*'] : [], refused: [] };
  const origins: string[] = [];
  const refused: string[] = [];
  for (const origin of listed) {
    if (origin === '*') {
      if (relaxed) origins.push(origin);
      else refused.push(`"*" is not allowed outside local/dev (RECSYS_ENV)`);
    } else if (ORIGIN.test(origin)) {
      origins.push(origin.replace(/\/$/, ''));
    } else {
      refused.push(`"${origin}" is not an origin (scheme://host[:port])`);
    }
  }
  return { origins, refused };
}
