import { readableCause } from '../../../lambdas/services/step-errors.ts';

export interface FailureDetails {
  readonly machineName: string;
  /** The error name, as ASL `ErrorEquals` would see it. */
  readonly error: string;
  /** The cause as Step Functions reports it (for Lambda errors, AWS-shaped JSON text). */
  readonly cause: string;
  /** The state that failed, when known; the innermost one for failures inside a Map. */
  readonly stateName?: string;
  readonly index?: number;
  readonly mapStateName?: string;
}

/** A local execution that failed; the message names the state, the error and its cause. */
export class LocalStateMachineError extends Error {
  readonly details: FailureDetails;

  constructor(details: FailureDetails) {
    super(describeFailure(details));
    this.name = 'LocalStateMachineError';
    this.details = details;
  }
}

function describeFailure(details: FailureDetails): string {
  const where =
    details.stateName === undefined
      ? ''
      : ` in state "${details.stateName}"` +
        (details.index !== undefined && details.mapStateName !== undefined
          ? ` (iteration ${details.index} of Map "${details.mapStateName}")`
          : '');
  const cause = readableCause(details.cause);
  // The library's own errors (States.Timeout, ...) carry their name as the whole message.
  const what = cause === details.error ? details.error : `${details.error}: ${cause}`;
  return `state machine "${details.machineName}" failed${where}: ${what}`;
}
