#!/var/lang/bin/node
/*
 * Test fixture, not product code: a Node.js stand-in for LocalStack's lambda-runtime-init
 * (github.com/localstack/lambda-runtime-init), which LocalStack downloads from a host that machines
 * without internet cannot reach. LocalStack copies this file into every Lambda container as
 * /var/rapid/init and runs it as the entrypoint; the runtime image (lambda-image.Dockerfile) puts
 * Node 22 at /var/lang/bin/node.
 *
 * The protocol is LocalStack 4.9's (localstack/services/lambda_/invocation/executor_endpoint.py,
 * docker_runtime_executor.py, execution_environment.py):
 *   - the container gets LOCALSTACK_RUNTIME_ENDPOINT (http://<host>:<port>/_localstack_lambda/<id>),
 *     LOCALSTACK_RUNTIME_ID, _HANDLER, LAMBDA_TASK_ROOT, AWS_LAMBDA_FUNCTION_TIMEOUT, the function's
 *     own environment and AWS_* credentials/region/endpoint;
 *   - the init serves POST /invoke on port 9563, body {"invoke-id", "invoked-function-arn",
 *     "payload" (a string), "trace-id"}, and answers 200 at once;
 *   - it reports start-up with POST {endpoint}/status/{runtime id}/ready (or .../error),
 *   - and each invocation with POST {endpoint}/invocations/{invoke id}/logs {"logs": "..."} and then
 *     POST .../response (the raw result) or .../error ({errorType, errorMessage, stackTrace}).
 * For nodejs22.x this init imports the handler itself, which is all a zip function needs. Images
 * whose runtime has its own runtime interface client (python3.13: awslambdaric) set
 * RECSYS_RUNTIME_BRIDGE, and runtime-api-bridge.mjs serves that client the Lambda Runtime API
 * (AWS_LAMBDA_RUNTIME_API, /2018-06-01/runtime/...). One invocation at a time, as in Lambda.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const INVOCATION_PORT = 9563;
const endpoint = (process.env.LOCALSTACK_RUNTIME_ENDPOINT || '').replace(/\/$/, '');
const runtimeId = process.env.LOCALSTACK_RUNTIME_ID || '';
const taskRoot = process.env.LAMBDA_TASK_ROOT || '/var/task';
const timeoutSeconds = Number(process.env.AWS_LAMBDA_FUNCTION_TIMEOUT || 3);

// LocalStack asks for /tmp 0700 (and /opt, /var/task 0755 with layers).
try {
  for (const { path: p, mode } of JSON.parse(process.env.LOCALSTACK_CHMOD_PATHS || '[]')) {
    if (fs.existsSync(p)) fs.chmodSync(p, parseInt(mode, 8));
  }
} catch {
  /* best effort */
}

// The init's own variables are not the function's business.
delete process.env.LOCALSTACK_CHMOD_PATHS;
// Images of other runtimes name themselves (python-lambda-image.Dockerfile).
process.env.AWS_EXECUTION_ENV = process.env.RECSYS_RUNTIME_EXECUTION_ENV || 'AWS_Lambda_nodejs22.x';
process.env.NODE_PATH =
  process.env.NODE_PATH ||
  '/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules';

function post(suffix, body, contentType = 'application/json') {
  const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return globalThis
    .fetch(`${endpoint}${suffix}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: data,
    })
    .then(
      (response) => {
        if (!response.ok) initLog(`POST ${suffix} answered ${response.status}`);
      },
      (error) => initLog(`POST ${suffix} failed: ${error.message}`),
    );
}

const rawStdout = process.stdout.write.bind(process.stdout);
const rawStderr = process.stderr.write.bind(process.stderr);
function initLog(message) {
  rawStderr(`[recsys-lambda-init] ${message}\n`);
}

// Everything the function prints goes to the container's log and, during an invocation, to the
// invocation's log (LocalStack puts it in CloudWatch Logs and in LogResult).
let captured = null;
let requestId = null;
function capture(raw) {
  return (chunk, encoding, callback) => {
    if (captured !== null)
      captured.push(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
    return raw(chunk, encoding, callback);
  };
}
process.stdout.write = capture(rawStdout);
process.stderr.write = capture(rawStderr);
// Lambda's Node runtime prefixes console lines with time, request id and level.
for (const [name, level] of [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
]) {
  const stream = level === 'ERROR' || level === 'WARN' ? process.stderr : process.stdout;
  console[name] = (...args) => {
    stream.write(
      `${new Date().toISOString()}\t${requestId ?? 'undefined'}\t${level}\t${format(...args)}\n`,
    );
  };
}

function errorBody(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      stackTrace: String(error.stack || '')
        .split('\n')
        .slice(1)
        .map((line) => line.trim()),
    };
  }
  return { errorType: 'string', errorMessage: String(error), stackTrace: [] };
}

/** index.handler, dir/file.handler, file.nested.handler: the module under LAMBDA_TASK_ROOT and its export. */
async function loadHandler(spec) {
  const match = /^(.*?[^/.]+)\.([^/]+)$/.exec(spec || '');
  if (!match)
    throw Object.assign(new Error(`Bad handler ${spec}`), { name: 'Runtime.MalformedHandlerName' });
  const [, modulePath, exportPath] = match;
  const base = path.resolve(taskRoot, modulePath);
  const file = ['.js', '.mjs', '.cjs', '']
    .map((ext) => base + ext)
    .find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
  if (!file) {
    throw Object.assign(new Error(`Cannot find module '${modulePath}'`), {
      name: 'Runtime.ImportModuleError',
    });
  }
  const mod = await import(pathToFileURL(file).href);
  let fn = mod;
  for (const key of exportPath.split('.'))
    fn = fn?.[key] ?? (fn === mod ? mod.default?.[key] : undefined);
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${modulePath}.${exportPath} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return fn;
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(result);
    };
    try {
      const returned = handler(event, context, done);
      if (returned && typeof returned.then === 'function')
        returned.then((r) => done(null, r), done);
      else if (handler.length < 3) done(null, returned);
    } catch (error) {
      done(error);
    }
  });
}

let handler;
let busy = false;

async function invoke(body) {
  const invokeId = body['invoke-id'];
  const deadline = Date.now() + timeoutSeconds * 1000;
  requestId = invokeId;
  captured = [];
  process.env._X_AMZN_TRACE_ID = body['trace-id'] || '';
  const arn = body['invoked-function-arn'] || '';
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: arn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: invokeId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  rawStdout(`START RequestId: ${invokeId} Version: ${context.functionVersion}\n`);
  const started = Date.now();
  let outcome;
  let timer;
  try {
    const event = body.payload === undefined || body.payload === '' ? {} : JSON.parse(body.payload);
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            Object.assign(
              new Error(
                `${new Date().toISOString()} ${invokeId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
              ),
              {
                name: 'Sandbox.Timedout',
                stack: '',
              },
            ),
          ),
        timeoutSeconds * 1000,
      );
    });
    const result = await Promise.race([runHandler(handler, event, context), timeout]);
    outcome = { ok: true, body: result === undefined ? 'null' : JSON.stringify(result) };
  } catch (error) {
    if (error && error.name !== 'Sandbox.Timedout') {
      console.error('Invoke Error', JSON.stringify(errorBody(error)));
    }
    outcome = { ok: false, body: JSON.stringify(errorBody(error)) };
  } finally {
    clearTimeout(timer);
  }
  const ms = Date.now() - started;
  rawStdout(`END RequestId: ${invokeId}\n`);
  const report = `REPORT RequestId: ${invokeId}\tDuration: ${ms.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(ms))} ms\tMemory Size: ${context.memoryLimitInMB} MB\tMax Memory Used: ${Math.round(process.memoryUsage().rss / 1048576)} MB\n`;
  rawStdout(report);
  const logs = `START RequestId: ${invokeId} Version: ${context.functionVersion}\n${captured.join('')}END RequestId: ${invokeId}\n${report}`;
  captured = null;
  requestId = null;
  // Logs first: LocalStack attaches whatever logs it holds when the response arrives.
  await post(`/invocations/${invokeId}/logs`, { logs });
  await post(`/invocations/${invokeId}/${outcome.ok ? 'response' : 'error'}`, outcome.body);
  if (!outcome.ok && JSON.parse(outcome.body).errorType === 'Sandbox.Timedout') {
    // Lambda throws the environment away after a timeout; LocalStack starts a new one.
    process.exit(1);
  }
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/invoke') {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      res.writeHead(400).end(String(error));
      return;
    }
    if (busy) {
      res.writeHead(409).end('busy');
      return;
    }
    busy = true;
    res.writeHead(200).end();
    invoke(body)
      .catch((error) => initLog(`invoke failed: ${error.stack}`))
      .finally(() => {
        busy = false;
      });
  });
});

async function main() {
  if (!endpoint || !runtimeId) {
    initLog(
      'LOCALSTACK_RUNTIME_ENDPOINT and LOCALSTACK_RUNTIME_ID must be set (this runs under LocalStack)',
    );
    process.exit(2);
  }
  // Runtimes with their own runtime interface client (python3.13: awslambdaric) get the Lambda
  // Runtime API from the bridge module their image ships, instead of this file's Node handler.
  if (process.env.RECSYS_RUNTIME_BRIDGE) {
    const { runBridged } = await import(pathToFileURL(process.env.RECSYS_RUNTIME_BRIDGE).href);
    await runBridged({ post, initLog, runtimeId, timeoutSeconds, invocationPort: INVOCATION_PORT });
    return;
  }
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(INVOCATION_PORT, '0.0.0.0', resolve);
  });
  // Init phase: import the handler module (top-level code runs here, as on Lambda).
  try {
    captured = [];
    handler = await loadHandler(process.env._HANDLER);
    captured = null;
  } catch (error) {
    const logs = (captured || []).join('');
    captured = null;
    initLog(`init failed: ${error.stack || error}`);
    await post(`/status/${runtimeId}/error`, { ...errorBody(error), logs });
    process.exit(1);
  }
  await post(`/status/${runtimeId}/ready`, '');
  initLog(`ready: ${process.env._HANDLER} on :${INVOCATION_PORT}`);
}

await main();
