// Bootstrap of one handler worker thread, standing in for a warm Lambda container: one invocation at
// a time, handler modules imported once and kept. Plain JavaScript because it must load before any
// TypeScript loader exists; it registers tsx, after which handler modules may be TypeScript.
import { performance } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();

/** @type {Map<string, Promise<Record<string, unknown>>>} */
const modules = new Map();

/** Like the Lambda runtime's Errors.js toRapidResponse: errorType is the error's name. */
function reportError(error) {
  if (
    error instanceof Error ||
    (error && typeof error.name === 'string' && typeof error.message === 'string')
  ) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function runtimeError(errorType, errorMessage) {
  const error = new Error(errorMessage);
  error.name = errorType;
  return error;
}

/** Imports a handler module once per worker; a failed import is forgotten, so a retry tries again. */
function importModule(moduleUrl) {
  let loading = modules.get(moduleUrl);
  if (!loading) {
    loading = import(moduleUrl);
    modules.set(moduleUrl, loading);
    loading.catch(() => modules.delete(moduleUrl));
  }
  return loading;
}

async function loadHandler(moduleUrl, exportName) {
  let module;
  try {
    module = await importModule(moduleUrl);
  } catch (error) {
    throw runtimeError(
      'Runtime.ImportModuleError',
      `cannot import ${moduleUrl}: ${error?.stack ?? error}`,
    );
  }
  const handler = module[exportName];
  if (typeof handler !== 'function') {
    throw runtimeError(
      'Runtime.HandlerNotFound',
      `${moduleUrl} has no exported function "${exportName}"`,
    );
  }
  return handler;
}

/** The run's environment, as the worker started with it. */
const runEnv = { ...process.env };
/** @type {string[]} */
let functionEnvKeys = [];

/**
 * A worker thread serves several functions in turn, each with its own environment on AWS: set this
 * invocation's function environment over the run's, and drop what the previous function had set.
 */
function applyFunctionEnv(env) {
  for (const key of functionEnvKeys) {
    if (key in env) continue;
    if (key in runEnv) process.env[key] = runEnv[key];
    else Reflect.deleteProperty(process.env, key);
  }
  Object.assign(process.env, env);
  functionEnvKeys = Object.keys(env);
}

async function invoke(request) {
  applyFunctionEnv(request.env ?? {});
  const handler = await loadHandler(request.moduleUrl, request.exportName);
  const context = {
    functionName: request.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: request.invokedFunctionArn,
    awsRequestId: request.awsRequestId,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, request.deadline - Date.now()),
  };
  const result = await handler(JSON.parse(request.eventJson), context);
  // Lambda answers with JSON: undefined becomes null, Dates strings, and so on.
  return JSON.stringify(result) ?? 'null';
}

/** @type {(() => void) | undefined} */
let collectGarbage;

/** This isolate's heap and external memory (task-memory.ts's HeapFigures). */
function heapFigures() {
  const stats = getHeapStatistics();
  return {
    usedBytes: stats.used_heap_size,
    residentBytes: stats.total_physical_size,
    externalBytes: stats.external_memory,
  };
}

/**
 * With `request.measure` (a task-memory hook is set): a full garbage collection first, so `start`
 * is what the warm container retains, then the heap before and after the handler
 * (scripts/runtime/local-sfn/task-memory.ts explains the method).
 */
async function measured(request, run) {
  if (!collectGarbage) {
    setFlagsFromString('--expose-gc');
    collectGarbage = runInNewContext('gc');
  }
  const gcStarted = performance.now();
  collectGarbage();
  const gcMs = performance.now() - gcStarted;
  const start = heapFigures();
  parentPort.postMessage({ id: request.id, measuring: start });
  const started = performance.now();
  const memory = (succeeded) => ({
    gcMs,
    seconds: (performance.now() - started) / 1000,
    start,
    end: heapFigures(),
    succeeded,
  });
  try {
    const resultJson = await run();
    return { id: request.id, resultJson, memory: memory(true) };
  } catch (error) {
    return { id: request.id, error: reportError(error), memory: memory(false) };
  }
}

parentPort.on('message', async (request) => {
  if (request.preload) {
    // Like a Lambda container's init phase ahead of its first event: import the handlers this
    // worker will run while it has nothing else to do. A failure surfaces on the invocation.
    for (const moduleUrl of request.preload) importModule(moduleUrl).catch(() => {});
    return;
  }
  try {
    parentPort.postMessage(
      request.measure
        ? await measured(request, () => invoke(request))
        : { id: request.id, resultJson: await invoke(request) },
    );
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: reportError(error) });
  }
});
parentPort.postMessage({ ready: true });
