import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LocalStateMachineError,
  runStateMachine,
  type LocalSfnEvent,
} from '../../scripts/runtime/local-sfn/index.ts';
import { listStates } from '../../scripts/runtime/local-sfn/definition-states.ts';
import { substituteDefinition } from '../../scripts/runtime/local-sfn/definition-substitutions.ts';
import type { JsonObject, JsonValue } from '../../scripts/runtime/local-sfn/json.ts';
import { localFunctions, mapTaskModules } from '../../scripts/runtime/local-sfn/task-bindings.ts';
import {
  INGEST_DEFINITION,
  INGEST_FUNCTIONS,
  LOCAL_INGEST_SUBSTITUTIONS,
} from '../../statemachines/ingest.functions.ts';

const machine = (name: string) => `test/support/fixtures/statemachines/${name}.asl.json`;
const handler = (name: string) => ({ module: `test/support/fixtures/handlers/${name}.fixture.ts` });

interface ThreadRecord {
  readonly item: number;
  readonly threadId: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly functionName: string;
  readonly remainingMs: number;
}

describe('runStateMachine', () => {
  let markerDir: string;
  beforeEach(async () => {
    markerDir = await mkdtemp(join(tmpdir(), 'local-sfn-'));
  });
  afterEach(async () => {
    await rm(markerDir, { recursive: true, force: true });
  });

  it('runs Map iterations on several worker threads at once and reports per-iteration progress', async () => {
    const events: LocalSfnEvent[] = [];
    const { output, seconds } = await runStateMachine({
      definitionPath: machine('parallel-map'),
      input: { items: [0, 1, 2, 3, 4, 5, 6, 7], busyMs: 150 },
      handlers: { RecordThreadFunctionArn: handler('record-thread') },
      workers: 2,
      onEvent: (event) => events.push(event),
    });

    const records = output as ThreadRecord[];
    expect(records.map((r) => r.item)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(records.map((r) => r.threadId)).size).toBeGreaterThanOrEqual(2);
    const overlapping = records.some((a) =>
      records.some(
        (b) => a.threadId !== b.threadId && a.startedAt < b.endedAt && b.startedAt < a.endedAt,
      ),
    );
    expect(overlapping).toBe(true);
    expect(records[0]!.functionName).toBe('RecordThread');
    expect(records[0]!.remainingMs).toBeGreaterThan(800_000);
    expect(seconds).toBeGreaterThan(0);

    const mapEntered = events.find(
      (e) => e.type === 'StateEntered' && e.stateName === 'RecordThreads',
    );
    expect(mapEntered?.mapItemCount).toBe(8);
    const finished = events.filter((e) => e.type === 'MapIterationSucceeded');
    expect(finished.map((e) => e.index).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const taskExits = events.filter(
      (e) => e.type === 'StateExited' && e.stateName === 'RecordThread',
    );
    expect(taskExits).toHaveLength(8);
    expect(
      taskExits.every((e) => e.mapStateName === 'RecordThreads' && e.index !== undefined),
    ).toBe(true);
  });

  it('retries a named error with the definition backoff shortened, across workers', async () => {
    const events: LocalSfnEvent[] = [];
    const { output, seconds } = await runStateMachine({
      definitionPath: machine('retry-and-catch'),
      input: { items: [1, 2, 3, 4], mode: 'fail-once', markerDir },
      handlers: { FlakyFunctionArn: handler('flaky') },
      workers: 2,
      onEvent: (event) => events.push(event),
    });

    expect(output).toEqual([1, 2, 3, 4].map((item) => ({ item, value: item * 10, attempts: 2 })));
    const retried = events.filter((e) => e.type === 'StateRetried');
    expect(retried).toHaveLength(4);
    expect(
      events.filter((e) => e.type === 'StateFailed').every((e) => e.error === 'TransientError'),
    ).toBe(true);
    // IntervalSeconds is 30 in the definition; fastRetries (the default) must skip that wait.
    expect(seconds).toBeLessThan(15);
  });

  it('takes the Catch path on a permanent failure, with an AWS-shaped Cause', async () => {
    const { output } = await runStateMachine({
      definitionPath: machine('retry-and-catch'),
      input: { items: [1, 2], mode: 'permanent', markerDir },
      handlers: { FlakyFunctionArn: handler('flaky') },
      workers: 2,
    });

    expect(output).toEqual([
      {
        item: 1,
        caught: 'PermanentError',
        cause: expect.objectContaining({
          errorType: 'PermanentError',
          errorMessage: 'item 1 can never succeed',
        }),
      },
      expect.objectContaining({ item: 2, caught: 'PermanentError' }),
    ]);
  });

  it('rejects naming the failed state, the Map iteration and the error when nothing catches it', async () => {
    const failing = runStateMachine({
      definitionPath: machine('retry-and-catch'),
      input: { items: [7], mode: 'fatal', markerDir },
      handlers: { FlakyFunctionArn: handler('flaky') },
      workers: 1,
    });

    await expect(failing).rejects.toThrow(
      'state machine "retry-and-catch" failed in state "FlakyStep" (iteration 0 of Map "ProcessItems"): ' +
        'FatalError: item 7 is broken',
    );
    const error = await failing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalStateMachineError);
    expect((error as LocalStateMachineError).details).toMatchObject({
      stateName: 'FlakyStep',
      error: 'FatalError',
    });
  });

  it('runs a Choice loop for as many iterations as asked', async () => {
    const { output } = await runStateMachine({
      definitionPath: machine('choice-loop'),
      input: { limit: 3 },
      handlers: { IncrementFunctionArn: handler('increment') },
      workers: 1,
    });

    expect(output).toEqual({ iteration: 3, limit: 3, history: [0, 1, 2] });
  });

  it('serves lambda:invoke inside a DISTRIBUTED Map with the AWS result shape and substitutions', async () => {
    const { output, executionName } = await runStateMachine({
      definitionPath: machine('lambda-invoke-distributed'),
      input: { numbers: [1, 2, 3, 4, 5], padBytes: 0 },
      handlers: { SquareFunctionArn: handler('square') },
      substitutions: { ResultBucket: 'local-results' },
      workers: 2,
      executionName: 'squares-run-1',
    });

    expect(executionName).toBe('squares-run-1');
    expect(output).toEqual({
      bucket: 'local-results',
      execution: 'squares-run-1',
      squares: [1, 4, 9, 16, 25].map((square) => ({ square, statusCode: 200 })),
    });
  });

  it('fails a task whose result is over the payload quota with States.DataLimitExceeded', async () => {
    const failing = runStateMachine({
      definitionPath: machine('lambda-invoke-distributed'),
      input: { numbers: [3], padBytes: 5000 },
      handlers: { SquareFunctionArn: handler('square') },
      substitutions: { ResultBucket: 'local-results' },
      workers: 1,
      payloadLimitBytes: 4096,
    });

    await expect(failing).rejects.toThrow(/in state "Square".*States\.DataLimitExceeded/);
  });

  it('kills a handler that overruns its Lambda timeout and reports Sandbox.Timedout', async () => {
    const failing = runStateMachine({
      definitionPath: machine('parallel-map'),
      input: { items: [0], busyMs: 3000 },
      handlers: { RecordThreadFunctionArn: { ...handler('record-thread'), timeoutSeconds: 0.3 } },
      workers: 1,
    });

    await expect(failing).rejects.toThrow(
      /in state "RecordThread".*Sandbox\.Timedout: Task timed out after 0\.30 seconds/,
    );
  });

  it('refuses to start when a substitution or a Task handler is missing', async () => {
    await expect(
      runStateMachine({
        definitionPath: machine('lambda-invoke-distributed'),
        input: { numbers: [] },
        handlers: { SquareFunctionArn: handler('square') },
      }),
    ).rejects.toThrow('no value for definition substitution(s) ${ResultBucket}');
    await expect(
      runStateMachine({
        definitionPath: machine('choice-loop'),
        input: { limit: 1 },
        handlers: {},
        substitutions: {
          IncrementFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Increment',
        },
      }),
    ).rejects.toThrow('no local handler for Task state(s) "Step"');
  });
});

describe('mapTaskModules', () => {
  it("names the handlers of the Tasks inside Maps: the ingest Map's chunk handler only", async () => {
    const functions = localFunctions(INGEST_FUNCTIONS, process.cwd());
    const definition = substituteDefinition(
      JSON.parse(await readFile(INGEST_DEFINITION, 'utf8')) as JsonValue,
      new Map([
        ...functions.map((fn): [string, string] => [fn.substitutionName, fn.arn]),
        ...Object.entries(LOCAL_INGEST_SUBSTITUTIONS),
      ]),
    ) as JsonObject;
    const modules = mapTaskModules(listStates(definition), functions);
    expect(modules).toEqual([functions.find((fn) => fn.functionName === 'Chunk')!.moduleUrl]);
    expect(modules[0]).toMatch(/lambdas\/ingest-chunk\/handler\.ts$/);
  });
});

describe('states:startExecution Tasks (ingest → train)', () => {
  const run = (
    input: JsonObject,
    startExecution?: (parameters: JsonObject) => Promise<JsonValue>,
  ) =>
    runStateMachine({
      definitionPath: machine('start-execution'),
      input,
      handlers: {},
      substitutions: {
        OtherStateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:other',
      },
      executionName: 'ingest-1',
      workers: 1,
      ...(startExecution ? { startExecution } : {}),
    });

  it('runs a machine that starts another only on request, without it when not asked', async () => {
    const { output } = await run({ dataset: 'd' });
    expect(output).toEqual({ dataset: 'd' });
  });

  it('hands the resolved request to startExecution and its answer to the state', async () => {
    const calls: JsonObject[] = [];
    const { output } = await run({ dataset: 'd', chain: { rank: 8 } }, async (parameters) => {
      calls.push(parameters);
      return { ExecutionArn: 'arn:aws:states:local:000000000000:execution:other:ingest-1' };
    });
    expect(calls).toEqual([
      {
        StateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:other',
        Name: 'ingest-1',
        Input: { rank: 8, dataset: 'd' },
      },
    ]);
    expect((output as JsonObject).started).toEqual({
      executionArn: 'arn:aws:states:local:000000000000:execution:other:ingest-1',
    });
  });

  it('stops with a one-line reason when asked to start one and nothing serves it', async () => {
    await expect(run({ dataset: 'd', chain: {} })).rejects.toThrow(
      /in state "Start".*local runs do not start other state machines/,
    );
  });
});

describe('AWS SDK integration Tasks (ingest → Keyspaces control plane)', () => {
  const run = (
    input: JsonObject,
    sdkCalls?: Record<string, (p: JsonObject) => Promise<JsonValue>>,
  ) =>
    runStateMachine({
      definitionPath: machine('sdk-call'),
      input,
      handlers: {},
      workers: 1,
      ...(sdkCalls ? { sdkCalls } : {}),
    });

  it('runs a machine whose SDK Tasks a Choice skips, with nothing to answer them', async () => {
    const { output } = await run({ dataset: 'd' });
    expect(output).toEqual({ dataset: 'd' });
  });

  it('hands the resolved PascalCase parameters to the named answer and its result to the state', async () => {
    const calls: JsonObject[] = [];
    const { output } = await run(
      { table: 'ratings_by_user' },
      {
        'keyspaces:getTable': async (parameters) => {
          calls.push(parameters);
          return { Status: 'ACTIVE' };
        },
      },
    );
    expect(calls).toEqual([{ KeyspaceName: 'ks', TableName: 'ratings_by_user' }]);
    expect((output as JsonObject).described).toEqual({ status: 'ACTIVE' });
  });

  it('stops with a one-line reason when a reached SDK Task has no local answer', async () => {
    await expect(
      run({ table: 't' }, { 'keyspaces:updateTable': async () => ({}) }),
    ).rejects.toThrow(
      /in state "Describe".*would call keyspaces:getTable on AWS: local runs call no AWS service/,
    );
  });
});
