// asl-validator ships no types; this is the part of its API the lint script uses.
declare module 'asl-validator' {
  interface AslValidationResult {
    readonly isValid: boolean;
    readonly errors: readonly { readonly message?: string }[];
    errorsText(separator?: string): string;
  }
  export default function aslValidator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): AslValidationResult;
}
