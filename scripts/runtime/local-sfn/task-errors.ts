/** What the Lambda Node runtime reports for a thrown error (`toRapidResponse` in its Errors.js). */
export interface LambdaErrorReport {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

/**
 * A failed handler invocation as Step Functions sees it: the error NAME is the Lambda's errorType
 * (what `ErrorEquals` matches: "TransientError", "States.TaskFailed" as wildcard, ...) and the message
 * is the same JSON text AWS puts in `Cause`, so `States.StringToJson($.error.Cause)` works locally too.
 */
export class LambdaTaskError extends Error {
  readonly report: LambdaErrorReport;

  constructor(report: LambdaErrorReport) {
    super(JSON.stringify(report));
    this.name = report.errorType;
    this.report = report;
  }
}

export function lambdaTaskError(errorType: string, errorMessage: string): LambdaTaskError {
  return new LambdaTaskError({ errorType, errorMessage, trace: [] });
}

/**
 * AWS fails an execution with States.DataLimitExceeded when a payload passes the quota, and
 * `States.ALL` does not match it; aws-local-stepfunctions reads these two flags for exactly that.
 */
export class DataLimitExceededError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor(what: string, bytes: number, limitBytes: number) {
    super(`${what} is ${bytes} bytes, over the ${limitBytes}-byte Step Functions payload quota`);
    this.name = 'States.DataLimitExceeded';
  }
}

/**
 * A Task of a service integration the local runner does not perform (a state machine starting
 * another one): the run stops there with this reason, never retried or caught, instead of the
 * library calling real AWS.
 */
export class LocalIntegrationError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
  }
}
