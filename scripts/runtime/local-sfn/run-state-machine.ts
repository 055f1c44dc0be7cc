import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import {
  applyAwsTaskTimeouts,
  assertRunnableLocally,
  listStates,
  type StateEntry,
} from './definition-states.ts';
import { substituteDefinition } from './definition-substitutions.ts';
import { isJsonObject, toJsonText, utf8Length, type JsonObject, type JsonValue } from './json.ts';
import { execute } from './execution.ts';
import {
  localFunctions,
  mapTaskModules,
  taskOverrides,
  type InvokeLocalFunction,
} from './task-bindings.ts';
import { DataLimitExceededError } from './task-errors.ts';
import { taskMemoryObserver } from './task-memory.ts';
import type { RunStateMachineOptions, RunStateMachineResult } from './types.ts';
import { HandlerWorkerPool } from './worker-pool.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const STEP_FUNCTIONS_PAYLOAD_QUOTA_BYTES = 256 * 1024;

/**
 * Runs an ASL state machine locally with aws-local-stepfunctions, every Task bound to a real handler
 * module that runs in a pool of worker threads. Resolves with the execution output; rejects with a
 * LocalStateMachineError naming the failed state, the error and its cause.
 */
export async function runStateMachine(
  options: RunStateMachineOptions,
): Promise<RunStateMachineResult> {
  assertNodeRunsLibrary();
  const startedAt = performance.now();
  const definitionPath = fromProjectRoot(options.definitionPath);
  const machineName = basename(definitionPath).replace(/(\.asl)?\.json$/, '');
  const functions = localFunctions(options.handlers, PROJECT_ROOT);
  const definition = await loadDefinition(definitionPath, [
    ...Object.entries(options.substitutions ?? {}),
    ...functions.map((fn): [string, string] => [fn.substitutionName, fn.arn]),
  ]);
  const states = listStates(definition);
  assertRunnableLocally(definition, states);
  applyAwsTaskTimeouts(definition, states);
  const payloadLimit = options.payloadLimitBytes ?? STEP_FUNCTIONS_PAYLOAD_QUOTA_BYTES;
  const inputJson = toJsonText(options.input);
  if (utf8Length(inputJson) > payloadLimit) {
    throw new DataLimitExceededError('the execution input', utf8Length(inputJson), payloadLimit);
  }

  const memory = options.taskMemory ?? taskMemoryObserver();
  const pool = new HandlerWorkerPool({
    size: options.workers ?? availableParallelism(),
    ...(memory ? { memory } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.onHandlerOutput ? { onOutput: options.onHandlerOutput } : {}),
  });
  const invoke: InvokeLocalFunction = async (fn, event, { stateName, timeoutMs }) => {
    const resultJson = await pool.invoke({
      moduleUrl: fn.moduleUrl,
      exportName: fn.exportName,
      functionName: fn.functionName,
      invokedFunctionArn: fn.arn,
      eventJson: toJsonText(event),
      timeoutMs,
      ...(fn.env ? { env: fn.env } : {}),
    });
    const bytes = utf8Length(resultJson);
    if (bytes > payloadLimit) {
      throw new DataLimitExceededError(`the result of Task "${stateName}"`, bytes, payloadLimit);
    }
    return JSON.parse(resultJson) as JsonValue;
  };
  const executionName =
    options.executionName ?? `local-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  try {
    // Worker start-up (tsx, handler imports) then overlaps the definition's validation, and the
    // Map's handlers are imported in every worker while the states before the Map run.
    if (states.some((entry) => entry.state.Type === 'Task')) {
      pool.warmUp(mapTaskModules(states, functions));
    }
    const runOptions: RunOptions = {
      overrides: {
        taskResourceLocalHandlers: taskOverrides(
          states,
          functions,
          invoke,
          options.startExecution,
          options.sdkCalls,
        ),
        retryIntervalOverrides:
          options.fastRetries === false ? {} : zeroPauses(states, (s) => 'Retry' in s),
        waitTimeOverrides:
          options.fastWaits === false ? {} : zeroPauses(states, (s) => s.Type === 'Wait'),
      },
      context: executionContext(machineName, executionName),
    };
    const machine = createStateMachine(definition);
    const { output, events } = await execute(
      machine,
      JSON.parse(inputJson) as JsonValue,
      runOptions,
      {
        machineName,
        states: new Map(states.map((entry) => [entry.name, entry])),
        payloadLimit,
        options,
      },
    );
    const seconds = (performance.now() - startedAt) / 1000;
    return { output, seconds, executionName, ...(events ? { events } : {}) };
  } finally {
    await pool.close();
  }
}

// asl-validator compiles its schemas on every call (about 0.5 s); a definition already validated in
// this process is not validated again.
const validatedDefinitions = new Set<string>();

function createStateMachine(definition: JsonObject): StateMachine {
  const key = JSON.stringify(definition);
  const validated = validatedDefinitions.has(key);
  // The library's definition type lacks newer fields (ProcessorConfig, Label, ...) that it runs fine.
  const machine = new StateMachine(
    definition as unknown as StateMachineDefinition,
    validated ? { validationOptions: { noValidate: true } } : {},
  );
  validatedDefinitions.add(key);
  return machine;
}

async function loadDefinition(
  path: string,
  substitutions: [string, string][],
): Promise<JsonObject> {
  const text = await readFile(path, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const definition = substituteDefinition(parsed as JsonValue, new Map(substitutions));
  if (!isJsonObject(definition)) throw new Error(`${path} does not hold a state machine object`);
  return definition;
}

/** A pause of 0 ms for each state matching the predicate, as the library's override maps want. */
function zeroPauses(states: readonly StateEntry[], matches: (state: JsonObject) => boolean) {
  return Object.fromEntries(
    states.filter((entry) => matches(entry.state)).map((entry) => [entry.name, 0]),
  );
}

/** The Context Object fields AWS provides, so `$$.Execution.Name` can key idempotent writes locally. */
function executionContext(machineName: string, executionName: string) {
  const arnPrefix = 'arn:aws:states:local:000000000000';
  return {
    Execution: {
      Id: `${arnPrefix}:execution:${machineName}:${executionName}`,
      Name: executionName,
      RoleArn: 'arn:aws:iam::000000000000:role/local-step-functions',
    },
    StateMachine: { Id: `${arnPrefix}:stateMachine:${machineName}`, Name: machineName },
  };
}

function fromProjectRoot(path: string): string {
  return isAbsolute(path) ? path : resolve(PROJECT_ROOT, path);
}

function assertNodeRunsLibrary(): void {
  // aws-local-stepfunctions calls Promise.withResolvers (Node 22+) in every Task; on Node 20 each
  // Task would fail with a confusing TypeError instead.
  if (!('withResolvers' in Promise)) {
    throw new Error(
      `local state machines need Node >= 22 (this is ${process.version}); ` +
        'run through npm scripts or npx so node_modules/.bin/node is used',
    );
  }
}
