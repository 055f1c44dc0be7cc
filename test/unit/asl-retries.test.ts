/**
 * Retries of every Task in both state machines (issue 15, finding 9). Lambda.Unknown is what an
 * out-of-memory kill or a function timeout looks like; retrying it six times on a 900 s Task wasted
 * about 90 minutes before the failure surfaced. Lambda's own transient errors, including
 * ClientExecutionTimeoutException, are retried with backoff, and TooManyRequestsException (the
 * account's concurrency quota) gets a budget long enough for other work to finish.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INGEST_DEFINITION } from '../../statemachines/ingest.functions.ts';
import { TRAIN_DEFINITION } from '../../statemachines/train.functions.ts';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}
type State = Record<string, unknown> & { Type: string; Retry?: Retrier[] };

function allTasks(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]): [string, State][] => [
    ...(state.Type === 'Task' ? [[name, state] as [string, State]] : []),
    ...(state.ItemProcessor
      ? allTasks((state.ItemProcessor as { States: Record<string, State> }).States)
      : []),
    ...((state.Branches as { States: Record<string, State> }[] | undefined) ?? []).flatMap((b) =>
      allTasks(b.States),
    ),
  ]);
}

/** The lambda:invoke integration, or a function ARN itself (`${…FunctionArn}`). */
const invokesLambda = (state: State) =>
  state.Resource === 'arn:aws:states:::lambda:invoke' ||
  /^\$\{\w+FunctionArn\}$/.test(String(state.Resource));

/** Every Task that invokes a Lambda: the Lambda retry rules below apply to them. */
function tasks(states: Record<string, State>): [string, State][] {
  return allTasks(states).filter(([, state]) => invokesLambda(state));
}

/** The longest a retrier can wait in all (no jitter), in seconds. */
function longestWait(retrier: Retrier): number {
  let total = 0;
  let interval = retrier.IntervalSeconds ?? 1;
  for (let attempt = 0; attempt < (retrier.MaxAttempts ?? 3); attempt++) {
    total += Math.min(interval, retrier.MaxDelaySeconds ?? Infinity);
    interval *= retrier.BackoffRate ?? 2;
  }
  return total;
}

const TRANSIENT = [
  'TransientError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
];

for (const file of [INGEST_DEFINITION, TRAIN_DEFINITION]) {
  const definition = JSON.parse(readFileSync(file, 'utf8')) as { States: Record<string, State> };
  const all = tasks(definition.States);

  describe(`${file}: retries of every Task`, () => {
    it('has Tasks to check', () => {
      expect(all.length).toBeGreaterThanOrEqual(7);
    });

    it('retries transient errors, Lambda.ClientExecutionTimeoutException included, with backoff', () => {
      for (const [name, task] of all) {
        const first = task.Retry?.[0];
        expect(first?.ErrorEquals, name).toEqual(TRANSIENT);
        expect(first, name).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL' });
        expect(first!.MaxAttempts, name).toBeGreaterThanOrEqual(3);
      }
    });

    it('retries an out-of-memory kill or a function timeout (Lambda.Unknown) at most once', () => {
      for (const [name, task] of all) {
        const unknown = task.Retry!.filter((r) => r.ErrorEquals.includes('Lambda.Unknown'));
        expect(unknown, name).toHaveLength(1);
        // A retrier of its own: its attempts are never shared with the transient errors'.
        expect(unknown[0]!.ErrorEquals, name).toEqual(['Lambda.Unknown']);
        expect(unknown[0]!.MaxAttempts, name).toBeLessThanOrEqual(1);
        // At most one more run of the Task's full timeout.
        const timeout = (task.TimeoutSeconds as number | undefined) ?? 0;
        expect(timeout * (1 + unknown[0]!.MaxAttempts!), name).toBeLessThanOrEqual(1800);
      }
    });

    it('waits out a full concurrency quota (TooManyRequests) for over ten minutes', () => {
      for (const [name, task] of all) {
        const throttled = task.Retry!.filter((r) =>
          r.ErrorEquals.includes('Lambda.TooManyRequestsException'),
        );
        expect(throttled, name).toHaveLength(1);
        expect(longestWait(throttled[0]!), name).toBeGreaterThanOrEqual(600);
        expect(throttled[0]!.JitterStrategy, name).toBe('FULL');
      }
    });

    it('never retries States.ALL, States.Timeout or a request the code refused', () => {
      for (const [name, task] of all) {
        const errors = task.Retry!.flatMap((r) => r.ErrorEquals);
        for (const never of ['States.ALL', 'States.Timeout', 'States.TaskFailed']) {
          expect(errors, name).not.toContain(never);
        }
      }
    });
  });
}

describe('Tasks that call another service (ingest → train, ingest → Keyspaces control plane)', () => {
  const others = [INGEST_DEFINITION, TRAIN_DEFINITION].flatMap((file) =>
    allTasks(
      (JSON.parse(readFileSync(file, 'utf8')) as { States: Record<string, State> }).States,
    ).filter(([, state]) => !invokesLambda(state)),
  );
  const startExecution = others.filter(
    ([, state]) => state.Resource === 'arn:aws:states:::states:startExecution',
  );
  const keyspaces = others.filter(([, state]) =>
    String(state.Resource).startsWith('arn:aws:states:::aws-sdk:keyspaces:'),
  );

  it('are the ingest machine starting training and switching the ratings tables’ capacity', () => {
    expect(startExecution.map(([name]) => name)).toEqual(['StartTraining']);
    expect(keyspaces.map(([name, state]) => [name, state.Resource])).toEqual([
      ['GetRatingsTable', 'arn:aws:states:::aws-sdk:keyspaces:getTable'],
      ['UpdateToProvisioned', 'arn:aws:states:::aws-sdk:keyspaces:updateTable'],
      ['GetProvisionedTable', 'arn:aws:states:::aws-sdk:keyspaces:getTable'],
      ['GetTableToRestore', 'arn:aws:states:::aws-sdk:keyspaces:getTable'],
      ['UpdateToOnDemand', 'arn:aws:states:::aws-sdk:keyspaces:updateTable'],
    ]);
    expect(others).toHaveLength(startExecution.length + keyspaces.length);
  });

  it("retry the account's execution limit and transient errors with backoff, never States.*", () => {
    for (const [name, task] of others) {
      const errors = task.Retry!.flatMap((r) => r.ErrorEquals);
      expect(errors, name).toContain(
        startExecution.some(([n]) => n === name)
          ? 'StepFunctions.ExecutionLimitExceeded'
          : 'Keyspaces.ThrottlingException',
      );
      expect(
        errors.filter((e) => e.startsWith('States.')),
        name,
      ).toEqual([]);
      for (const retrier of task.Retry!) {
        expect(retrier, name).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL' });
        expect(longestWait(retrier), name).toBeGreaterThanOrEqual(300);
      }
    }
  });
});
