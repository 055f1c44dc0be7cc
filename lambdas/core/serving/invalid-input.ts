/** One thing wrong with a request, named so a client can point at the field. */
export interface ParameterProblem {
  readonly parameter: string;
  readonly message: string;
}

/**
 * Input that cannot be used, with every problem found in it, so one answer names each bad field.
 * The API answers it with 400 and the problems (services/api/middleware/error-response.ts).
 */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInput';

  constructor(readonly problems: readonly ParameterProblem[]) {
    super(
      problems.length === 1
        ? `${problems[0]!.parameter}: ${problems[0]!.message}`
        : `${problems.length} invalid parameters: ${problems.map((p) => p.parameter).join(', ')}`,
    );
  }
}
