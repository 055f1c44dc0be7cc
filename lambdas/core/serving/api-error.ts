/** One thing wrong with a request, named so a client can point at the field. */
export interface ParameterProblem {
  readonly parameter: string;
  readonly message: string;
}

/**
 * An error the API answers with its own status and a JSON body. Anything else that escapes a route
 * is a bug and becomes a generic 500 (logged, never shown).
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly problems: readonly ParameterProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The JSON body, without the request id (added by the response middleware). */
  toBody(): Record<string, unknown> {
    return {
      error: {
        status: this.statusCode,
        code: this.code,
        message: this.message,
        ...(this.problems.length > 0 ? { problems: this.problems } : {}),
      },
    };
  }
}

export function badRequest(problems: readonly ParameterProblem[]): ApiError {
  const message =
    problems.length === 1
      ? `${problems[0]!.parameter}: ${problems[0]!.message}`
      : `${problems.length} invalid parameters: ${problems.map((p) => p.parameter).join(', ')}`;
  return new ApiError(400, 'bad_request', message, problems);
}

export function notFound(what: string): ApiError {
  return new ApiError(404, 'not_found', `${what} not found`);
}
