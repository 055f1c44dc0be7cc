/**
 * An error the API answers with its own status, code and message (middleware/error-response.ts).
 * Bad input is the core's InvalidInputError (400); anything else that escapes a route is a bug and
 * becomes a generic 500 (logged, never shown).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function notFound(what: string): ApiError {
  return new ApiError(404, 'not_found', `${what} not found`);
}
