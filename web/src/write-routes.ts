/**
 * The requests API Gateway authorizes with IAM on AWS (infra/constructs/api.ts WRITE_ROUTES; a
 * unit test keeps the two in step): the console signs these when it runs with a sign-in.
 */
export function isWrite(method: string, path: string): boolean {
  const route = path.split('?')[0]!;
  return method === 'PUT' || method === 'DELETE' || (method === 'POST' && route === '/events');
}
