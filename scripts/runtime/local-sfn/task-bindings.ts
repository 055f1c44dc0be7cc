import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StateEntry } from './definition-states.ts';
import { isJsonObject, type JsonObject, type JsonValue } from './json.ts';
import { LocalIntegrationError, lambdaTaskError } from './task-errors.ts';
import type { HandlerBinding } from './types.ts';

const LAMBDA_TIMEOUT_DEFAULT_SECONDS = 900;
const LAMBDA_INVOKE_INTEGRATION = /^arn:[\w-]+:states:::lambda:invoke$/;
/** Starting another state machine (request-response, not `.sync`): ingest → train. */
export const START_EXECUTION_INTEGRATION = /^arn:[\w-]+:states:::states:startExecution$/;
/** An AWS SDK service integration, `aws-sdk:<service>:<action>` (request-response). */
export const AWS_SDK_INTEGRATION = /^arn:[\w-]+:states:::aws-sdk:(\w+):(\w+)$/;
// Lambda accepts a name, a partial ARN or a full ARN, each optionally with a version/alias qualifier.
const FUNCTION_REFERENCE =
  /^(?:arn:[\w-]+:lambda:[\w-]+:\d{12}:function:|\d{12}:function:)?([A-Za-z0-9_-]+)(?::[\w$-]+)?$/;

/** A Lambda function of the definition, served locally by a handler module. */
export interface LocalFunction {
  readonly substitutionName: string;
  readonly functionName: string;
  /** The fake ARN substituted for `${substitutionName}`, so ARN validation passes. */
  readonly arn: string;
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly timeoutMs: number;
  readonly env?: Readonly<Record<string, string>>;
}

export type InvokeLocalFunction = (
  fn: LocalFunction,
  event: unknown,
  call: { readonly stateName: string; readonly timeoutMs: number },
) => Promise<JsonValue>;
export type TaskOverride = (input: JsonValue) => Promise<JsonValue>;
/**
 * Serves a `states:startExecution` Task locally: receives its resolved Parameters
 * (`StateMachineArn`, `Name`, `Input`) and returns what AWS would (`ExecutionArn`, `StartDate`).
 */
export type StartLocalExecution = (parameters: JsonObject) => Promise<JsonValue>;
/**
 * Serves an `aws-sdk:<service>:<action>` Task locally: receives its resolved Parameters (PascalCase,
 * as Step Functions passes them) and returns what AWS would. Keyed `<service>:<action>`, e.g.
 * `keyspaces:updateTable`.
 */
export type LocalSdkCall = (parameters: JsonObject) => Promise<JsonValue>;

export function localFunctions(
  handlers: Readonly<Record<string, HandlerBinding>>,
  projectRoot: string,
): LocalFunction[] {
  const byName = new Map<string, string>();
  return Object.entries(handlers).map(([substitutionName, binding]) => {
    // `IngestChunkFunctionArn` → `IngestChunk`: what the handler sees as context.functionName.
    const stripped = substitutionName.replace(/(Function)?Arn$/, '');
    const functionName = stripped !== '' && !byName.has(stripped) ? stripped : substitutionName;
    byName.set(functionName, substitutionName);
    const modulePath = isAbsolute(binding.module)
      ? binding.module
      : resolve(projectRoot, binding.module);
    const timeoutSeconds = binding.timeoutSeconds ?? LAMBDA_TIMEOUT_DEFAULT_SECONDS;
    return {
      substitutionName,
      functionName,
      arn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
      moduleUrl: pathToFileURL(modulePath).href,
      exportName: binding.export ?? 'handler',
      timeoutMs: timeoutSeconds * 1000,
      ...(binding.env ? { env: binding.env } : {}),
    };
  });
}

/**
 * One local override per Task state, keyed by state name as aws-local-stepfunctions wants (state
 * names are unique across the whole machine, nested ones included, on AWS as here). Both ways of
 * calling a Lambda are served: `"Resource": "<function ARN>"` hands the handler's result on as is,
 * and the `lambda:invoke` integration wraps it the way AWS does, `{ Payload, StatusCode: 200, ... }`.
 * `states:startExecution` goes to `startExecution` when given (else it stops the run if reached).
 * A Task bound to nothing fails here, before anything runs, instead of the library calling real AWS.
 */
export function taskOverrides(
  states: readonly StateEntry[],
  functions: readonly LocalFunction[],
  invoke: InvokeLocalFunction,
  startExecution?: StartLocalExecution,
  sdkCalls: Readonly<Record<string, LocalSdkCall>> = {},
): Record<string, TaskOverride> {
  const byArn = new Map(functions.map((fn) => [fn.arn, fn]));
  const byFunctionName = new Map(functions.map((fn) => [fn.functionName, fn]));
  const overrides: Record<string, TaskOverride> = {};
  const unbound: string[] = [];
  for (const { name, state } of states) {
    if (state.Type !== 'Task') continue;
    const resource = String(state.Resource);
    const direct = byArn.get(resource);
    if (direct) {
      overrides[name] = (input) => invoke(direct, input, callOf(name, state, direct));
    } else if (LAMBDA_INVOKE_INTEGRATION.test(resource)) {
      const template = isJsonObject(state.Parameters) ? state.Parameters : {};
      // A `FunctionName.$` path can only be resolved per call; a literal one is checked now.
      const literalName = template.FunctionName;
      if (typeof literalName === 'string' && !lookUpFunction(literalName, byFunctionName)) {
        unbound.push(`"${name}" (lambda:invoke of ${literalName})`);
        continue;
      }
      overrides[name] = async (input) => {
        const parameters = isJsonObject(input) ? input : {};
        const fn = resolveFunction(parameters.FunctionName, byFunctionName);
        const payload = await invoke(fn, parameters.Payload ?? {}, callOf(name, state, fn));
        return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
      };
    } else if (START_EXECUTION_INTEGRATION.test(resource)) {
      // Bound either way, so a machine that only starts another one on request (ingest's
      // StartTraining, when the input has `train`) runs locally; reaching it without a
      // `startExecution` stops the run with this reason instead of calling real AWS.
      overrides[name] = async (input) => {
        const parameters = isJsonObject(input) ? input : {};
        if (!startExecution) {
          throw new LocalIntegrationError(
            `Task "${name}" would start ${String(parameters.StateMachineArn)}: local runs ` +
              'do not start other state machines (run that one next, e.g. `recsys train`)',
          );
        }
        return startExecution(parameters);
      };
    } else if (AWS_SDK_INTEGRATION.test(resource)) {
      // Bound either way, like startExecution: a machine whose SDK Tasks sit behind a Choice that
      // local runs never take (ingest's capacity switch, Keyspaces only) runs locally, and reaching
      // one without a local answer stops the run with this reason instead of calling real AWS.
      const [, service, action] = AWS_SDK_INTEGRATION.exec(resource)!;
      const call = sdkCalls[`${service}:${action}`];
      overrides[name] = async (input) => {
        if (!call) {
          throw new LocalIntegrationError(
            `Task "${name}" would call ${service}:${action} on AWS: local runs call no AWS ` +
              'service (a test may answer it: runStateMachine({ sdkCalls }))',
          );
        }
        return call(isJsonObject(input) ? input : {});
      };
    } else {
      unbound.push(`"${name}" (${resource})`);
    }
  }
  if (unbound.length > 0) {
    throw new Error(`no local handler for Task state(s) ${unbound.join(', ')}`);
  }
  return overrides;
}

/**
 * Handler modules of the Tasks inside Map states: a Map fans out to every worker, so each worker
 * may import them ahead of the Map (like Lambda containers initialised before their first event).
 * Only literal references count; a `FunctionName.$` path is resolved per call.
 */
export function mapTaskModules(
  states: readonly StateEntry[],
  functions: readonly LocalFunction[],
): string[] {
  const byArn = new Map(functions.map((fn) => [fn.arn, fn]));
  const byFunctionName = new Map(functions.map((fn) => [fn.functionName, fn]));
  const modules = new Set<string>();
  for (const { state, outermostMap } of states) {
    if (state.Type !== 'Task' || outermostMap === undefined) continue;
    const parameters = isJsonObject(state.Parameters) ? state.Parameters : {};
    const fn =
      byArn.get(String(state.Resource)) ?? lookUpFunction(parameters.FunctionName, byFunctionName);
    if (fn) modules.add(fn.moduleUrl);
  }
  return [...modules];
}

// Once the library has failed a Task with States.Timeout, nobody waits for the handler any more;
// stopping it a moment later frees its worker for the retry instead of at the Lambda timeout.
const AFTER_STATE_TIMEOUT_MS = 1000;

function callOf(stateName: string, state: JsonObject, fn: LocalFunction) {
  const stateTimeoutMs =
    typeof state.TimeoutSeconds === 'number'
      ? state.TimeoutSeconds * 1000 + AFTER_STATE_TIMEOUT_MS
      : Number.POSITIVE_INFINITY;
  return { stateName, timeoutMs: Math.min(fn.timeoutMs, stateTimeoutMs) };
}

function lookUpFunction(
  reference: unknown,
  byFunctionName: ReadonlyMap<string, LocalFunction>,
): LocalFunction | undefined {
  const name = typeof reference === 'string' ? FUNCTION_REFERENCE.exec(reference)?.[1] : undefined;
  return name === undefined ? undefined : byFunctionName.get(name);
}

function resolveFunction(
  reference: unknown,
  byFunctionName: ReadonlyMap<string, LocalFunction>,
): LocalFunction {
  const fn = lookUpFunction(reference, byFunctionName);
  if (!fn) {
    // The error AWS reports when lambda:invoke names a function that does not exist.
    throw lambdaTaskError(
      'Lambda.ResourceNotFoundException',
      `Function not found: ${String(reference)} (no local handler is bound to it)`,
    );
  }
  return fn;
}
