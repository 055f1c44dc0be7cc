/** The readable part of a Step Functions Cause: the Lambda's errorMessage when it is JSON. */
export function readableCause(cause: string | undefined): string {
  if (cause === undefined) return '';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      return String(parsed.errorMessage);
    }
  } catch {
    // a plain message
  }
  return cause;
}
