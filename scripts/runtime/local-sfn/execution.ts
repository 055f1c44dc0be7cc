import {
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  type StateMachine,
} from 'aws-local-stepfunctions';
import type { StateEntry } from './definition-states.ts';
import { toJsonText, utf8Length, type JsonValue } from './json.ts';
import { FailureTracker, toLocalSfnEvent } from './progress-events.ts';
import { LocalStateMachineError } from './state-machine-error.ts';
import { DataLimitExceededError } from './task-errors.ts';
import type { LocalSfnEvent, RunStateMachineOptions } from './types.ts';

export interface ExecutionSettings {
  readonly machineName: string;
  readonly states: ReadonlyMap<string, StateEntry>;
  readonly payloadLimit: number;
  readonly options: RunStateMachineOptions;
}

/**
 * Runs one execution while turning its event log into LocalSfnEvents (for onEvent, the failure
 * tracker and the payload quota); resolves with the output or throws a LocalStateMachineError.
 */
export async function execute(
  machine: StateMachine,
  input: JsonValue,
  runOptions: RunOptions,
  settings: ExecutionSettings,
): Promise<{ output: unknown; events?: LocalSfnEvent[] }> {
  const { machineName, states, payloadLimit, options } = settings;
  const execution = machine.run(input, runOptions);
  const tracker = new FailureTracker(states);
  const events: LocalSfnEvent[] | undefined = options.recordEvents ? [] : undefined;
  // Set when this side stops the execution: a state output over the quota, or onEvent throwing.
  let stopReason: unknown;
  const consumeEvents = async () => {
    for await (const libraryEvent of execution.eventLogs) {
      const event = toLocalSfnEvent(libraryEvent, states);
      tracker.observe(event);
      events?.push(event);
      if (stopReason !== undefined) continue;
      try {
        assertOutputWithinQuota(event, machineName, payloadLimit);
        options.onEvent?.(event);
      } catch (error) {
        stopReason = error;
        execution.abort();
      }
    }
  };
  // Draining the event log to its end (the library closes it when the execution settles) makes
  // sure every failure event has been seen before the final error is described.
  const [outcome] = await Promise.allSettled([execution.result, consumeEvents()]);
  if (stopReason !== undefined) throw stopReason;
  if (outcome.status === 'fulfilled')
    return { output: outcome.value, ...(events ? { events } : {}) };
  throw describeFailure(outcome.reason, machineName, tracker);
}

function describeFailure(reason: unknown, machineName: string, tracker: FailureTracker): Error {
  if (reason instanceof ExecutionTimeoutError) {
    return new LocalStateMachineError({
      machineName,
      error: 'States.Timeout',
      cause: 'the execution ran past the TimeoutSeconds of the state machine',
    });
  }
  if (!(reason instanceof ExecutionError) || !(reason.cause instanceof Error)) {
    return reason instanceof Error ? reason : new Error(String(reason));
  }
  const error = reason.cause.name;
  const culprit = tracker.culprit(error);
  return new LocalStateMachineError({
    machineName,
    error,
    cause: culprit?.cause ?? reason.cause.message,
    ...(culprit?.stateName !== undefined ? { stateName: culprit.stateName } : {}),
    ...(culprit?.index !== undefined ? { index: culprit.index } : {}),
    ...(culprit?.mapStateName !== undefined ? { mapStateName: culprit.mapStateName } : {}),
  });
}

function assertOutputWithinQuota(event: LocalSfnEvent, machineName: string, limit: number): void {
  if (event.type !== 'StateExited') return;
  const bytes = utf8Length(toJsonText(event.output));
  if (bytes <= limit) return;
  throw new LocalStateMachineError({
    machineName,
    error: 'States.DataLimitExceeded',
    cause: new DataLimitExceededError(`the output of state "${event.stateName}"`, bytes, limit)
      .message,
    ...(event.stateName !== undefined ? { stateName: event.stateName } : {}),
    ...(event.index !== undefined ? { index: event.index } : {}),
    ...(event.mapStateName !== undefined ? { mapStateName: event.mapStateName } : {}),
  });
}
