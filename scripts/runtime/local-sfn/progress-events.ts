import type { StateMachine } from 'aws-local-stepfunctions';
import { mapItemCount, type StateEntry } from './definition-states.ts';
import type { LocalSfnEvent, LocalSfnEventType } from './types.ts';

// The library exports no event type; take it from its run() signature.
type LibraryEventLogs = ReturnType<StateMachine['run']>['eventLogs'];
export type LibraryEvent = LibraryEventLogs extends AsyncGenerator<infer E> ? E : never;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function toLocalSfnEvent(
  event: LibraryEvent,
  states: ReadonlyMap<string, StateEntry>,
): LocalSfnEvent {
  const result: Mutable<LocalSfnEvent> = {
    type: event.type as LocalSfnEventType,
    timestamp: event.timestamp,
  };
  if ('state' in event) {
    result.stateName = event.state.name;
    result.stateType = event.state.type;
    result.input = event.state.input;
    if (event.state.output !== undefined) result.output = event.state.output;
    if (event.index !== undefined) {
      result.index = event.index;
      const outermostMap = states.get(event.state.name)?.outermostMap;
      if (outermostMap) result.mapStateName = outermostMap;
    }
    const entry = states.get(event.state.name);
    if (event.type === 'StateEntered' && entry?.state.Type === 'Map') {
      const count = mapItemCount(entry.state, event.state.input);
      if (count !== undefined) result.mapItemCount = count;
    }
  }
  if ('parentState' in event) {
    result.stateName = event.parentState.name;
    result.stateType = event.parentState.type;
    if ('index' in event) {
      result.index = event.index;
      result.mapStateName = event.parentState.name;
    }
  }
  if ('Error' in event) {
    result.error = event.Error;
    result.cause = typeof event.Cause === 'string' ? event.Cause : String(event.Cause);
  }
  if ('retry' in event) result.retryAttempt = event.retry.attempt;
  if (event.type === 'ExecutionStarted') result.input = event.input;
  if (event.type === 'ExecutionSucceeded') result.output = event.output;
  return result;
}

/**
 * Finds the state where a failed execution went wrong. The library's final error names the error
 * but not the state, so this keeps the failures that no Retry or Catch dealt with; the earliest of
 * them is the innermost, i.e. the Task inside the Map rather than the Map it brought down.
 */
export class FailureTracker {
  private readonly unresolved: LocalSfnEvent[] = [];

  constructor(private readonly states: ReadonlyMap<string, StateEntry>) {}

  observe(event: LocalSfnEvent): void {
    if (event.type === 'StateFailed') this.unresolved.push(event);
    if (event.type !== 'StateRetried' && event.type !== 'StateCaught') return;
    const handled = event.stateName!;
    const isNestedIn = (failure: LocalSfnEvent) =>
      this.states.get(failure.stateName!)?.ancestors.includes(handled) ?? false;
    for (let i = this.unresolved.length - 1; i >= 0; i--) {
      const failure = this.unresolved[i]!;
      const sameState = failure.stateName === handled && failure.index === event.index;
      // Failures inside a Map/Parallel that retried or caught are dealt with too. Inside a Map only
      // the outermost iteration index is known, so it must match unless the handler is top-level.
      const nested =
        isNestedIn(failure) && (event.index === undefined || failure.index === event.index);
      if (sameState || nested) this.unresolved.splice(i, 1);
    }
  }

  culprit(errorName: string): LocalSfnEvent | undefined {
    return this.unresolved.find((failure) => failure.error === errorName) ?? this.unresolved[0];
  }
}
