/**
 * The routes that change data: the one list the stack, the API Lambda and the web console read.
 * On AWS each is its own API Gateway method with IAM authorization: a caller signs the request
 * with SigV4 (a backend's role, or the web console's Cognito identity pool credentials); the API
 * key alone no longer writes. Writes carry no key, so the usage plan cannot throttle them: each
 * method has its own stage throttling (all callers together). A rating is about five row writes, a
 * batch of events up to 100 × three. Pure data and matching, no imports: the console bundles it.
 */
export interface WriteRoute {
  readonly method: 'PUT' | 'DELETE' | 'POST';
  /** The API Gateway path (the Lambda's route path), `{name}` for a path parameter. */
  readonly path: string;
  /** Requests per second over all callers (stage method throttling), and the burst above it. */
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export const WRITE_ROUTES: readonly WriteRoute[] = [
  { method: 'PUT', path: '/users/{userId}/ratings/{movieId}', rateLimit: 25, burstLimit: 50 },
  { method: 'DELETE', path: '/users/{userId}/ratings/{movieId}', rateLimit: 25, burstLimit: 50 },
  { method: 'POST', path: '/events', rateLimit: 10, burstLimit: 20 },
  { method: 'PUT', path: '/users/{userId}/dislikes/{movieId}', rateLimit: 25, burstLimit: 50 },
  { method: 'DELETE', path: '/users/{userId}/dislikes/{movieId}', rateLimit: 25, burstLimit: 50 },
  { method: 'PUT', path: '/movies/{movieId}', rateLimit: 5, burstLimit: 10 },
  // The operator's experiment switches: rare actions, one at a time.
  { method: 'POST', path: '/experiments', rateLimit: 1, burstLimit: 2 },
  { method: 'POST', path: '/experiments/stop', rateLimit: 1, burstLimit: 2 },
];

/** Each route's path as a pattern: a parameter is one non-empty segment; a trailing slash is allowed. */
const PATTERNS = WRITE_ROUTES.map((route) => ({
  method: route.method,
  pattern: new RegExp(`^${route.path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
}));

/** True when `method path` (a query string is ignored) is one of the write routes. */
export function isWriteRequest(method: string, path: string): boolean {
  const route = path.split('?')[0]!;
  return PATTERNS.some((p) => p.method === method && p.pattern.test(route));
}
