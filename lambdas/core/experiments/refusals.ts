/**
 * Why the experiments registry refuses a request, and what the API answers for each (the codes
 * as lambdas/services/api/middleware/error-response.ts names them); `recsys experiments` prints
 * the same one-line message.
 */
export type ExperimentRefusal = 'invalid' | 'conflict' | 'not_found';

export const REFUSAL_RESPONSES: Readonly<
  Record<ExperimentRefusal, readonly [status: number, code: string]>
> = {
  invalid: [400, 'bad_request'],
  conflict: [409, 'conflict'],
  not_found: [404, 'not_found'],
};
