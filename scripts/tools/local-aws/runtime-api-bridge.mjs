/*
 * Test fixture, not product code: the part of our LocalStack init (lambda-init.mjs) for runtimes
 * whose own runtime interface client talks to the Lambda Runtime API, e.g. python3.13 with
 * awslambdaric. The runtime image puts this file at /var/runtime/runtime-api-bridge.mjs and names
 * it in RECSYS_RUNTIME_BRIDGE, with the client's command line in RECSYS_RUNTIME_COMMAND
 * (python-lambda-image.Dockerfile).
 *
 * It serves the Runtime API (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) on
 * 127.0.0.1:9001 to that one child process, and relays to LocalStack's side of the init protocol:
 *   child GET  /2018-06-01/runtime/invocation/next    → first one: POST {endpoint}/status/{id}/ready;
 *                                                         then held until LocalStack POSTs /invoke
 *   child POST /2018-06-01/runtime/invocation/{id}/response → .../invocations/{id}/logs, then /response
 *   child POST /2018-06-01/runtime/invocation/{id}/error    → .../invocations/{id}/logs, then /error
 *   child POST /2018-06-01/runtime/init/error (or exits before its first /next)
 *                                                       → POST {endpoint}/status/{id}/error
 * The function's output is the child's stdout and stderr, copied to the container's log and, during
 * an invocation, to that invocation's log. A timeout reports Sandbox.Timedout and ends the
 * environment, as lambda-init.mjs does for Node.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { clearTimeout, setTimeout } from 'node:timers';

const RUNTIME_API = '127.0.0.1:9001';
const PREFIX = '/2018-06-01/runtime';

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Runs the runtime client named by RECSYS_RUNTIME_COMMAND and bridges it. `io` is the init's:
 * post(suffix, body) to LocalStack, initLog(line), the invocation port and the function timeout.
 */
export async function runBridged(io) {
  const { post, initLog, runtimeId, timeoutSeconds, invocationPort } = io;
  const command = (process.env.RECSYS_RUNTIME_COMMAND || '').split(' ').filter(Boolean);
  if (command.length === 0) throw new Error('RECSYS_RUNTIME_COMMAND is empty');
  let ready = false;
  let waitingNext = null; // the child's held GET /next
  let queued = null; // an invocation LocalStack sent before the child asked
  let current = null; // { id, started, captured: [], timer }

  const deliver = () => {
    if (!waitingNext || !queued) return;
    const { res } = waitingNext;
    const inv = queued;
    waitingNext = null;
    queued = null;
    current = inv;
    process.stdout.write(
      `START RequestId: ${inv.id} Version: ${process.env.AWS_LAMBDA_FUNCTION_VERSION}\n`,
    );
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': inv.id,
      'lambda-runtime-deadline-ms': String(inv.deadline),
      'lambda-runtime-invoked-function-arn': inv.arn,
      'lambda-runtime-trace-id': inv.trace,
    });
    res.end(inv.payload);
  };

  const finish = async (id, ok, body) => {
    if (!current || current.id !== id) return false;
    const inv = current;
    current = null;
    clearTimeout(inv.timer);
    const ms = Date.now() - inv.started;
    const report = `REPORT RequestId: ${id}\tDuration: ${ms.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(ms))} ms\tMemory Size: ${process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE} MB\n`;
    process.stdout.write(`END RequestId: ${id}\n${report}`);
    const logs = `START RequestId: ${id} Version: ${process.env.AWS_LAMBDA_FUNCTION_VERSION}\n${inv.captured.join('')}END RequestId: ${id}\n${report}`;
    // Logs first: LocalStack attaches whatever logs it holds when the result arrives.
    await post(`/invocations/${id}/logs`, { logs });
    await post(`/invocations/${id}/${ok ? 'response' : 'error'}`, body);
    return true;
  };

  const api = http.createServer((req, res) => {
    const url = req.url || '';
    if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) {
      if (!ready) {
        ready = true;
        void post(`/status/${runtimeId}/ready`, '').then(() =>
          initLog(`ready: ${process.env._HANDLER} through ${command.join(' ')}`),
        );
      }
      waitingNext = { res };
      deliver();
      return;
    }
    const done = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && done) {
      void readBody(req).then(async (body) => {
        const known = await finish(decodeURIComponent(done[1]), done[2] === 'response', body);
        res.writeHead(known ? 202 : 400, { 'content-type': 'application/json' });
        res.end(known ? '{"status":"OK"}' : '{"errorMessage":"unknown request id"}');
      });
      return;
    }
    if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
      void readBody(req).then(async (body) => {
        res.writeHead(202).end('{"status":"OK"}');
        initLog(`init failed: ${body}`);
        await post(`/status/${runtimeId}/error`, body);
        process.exit(1);
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve, reject) => {
    api.once('error', reject);
    api.listen(9001, '127.0.0.1', resolve);
  });

  const child = spawn(command[0], [...command.slice(1), process.env._HANDLER || ''], {
    cwd: process.env.LAMBDA_TASK_ROOT || '/var/task',
    env: { ...process.env, AWS_LAMBDA_RUNTIME_API: RUNTIME_API },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const [stream, sink] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    stream.on('data', (chunk) => {
      if (current) current.captured.push(chunk.toString('utf8'));
      sink.write(chunk);
    });
  }
  child.on('exit', (code, signal) => {
    initLog(`${command[0]} exited (${signal ?? code})`);
    const body = {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${current?.id ?? '-'} Error: Runtime exited with ${signal ? `signal ${signal}` : `error: exit status ${code}`}`,
      stackTrace: [],
    };
    const report = ready
      ? current
        ? finish(current.id, false, JSON.stringify(body))
        : Promise.resolve()
      : post(`/status/${runtimeId}/error`, body);
    void report.then(() => process.exit(1));
  });

  const invocations = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/invoke') {
      res.writeHead(404).end();
      return;
    }
    void readBody(req).then((text) => {
      let body;
      try {
        body = JSON.parse(text);
      } catch (error) {
        res.writeHead(400).end(String(error));
        return;
      }
      if (current || queued) {
        res.writeHead(409).end('busy');
        return;
      }
      res.writeHead(200).end();
      const id = body['invoke-id'];
      const started = Date.now();
      queued = {
        id,
        started,
        deadline: started + timeoutSeconds * 1000,
        arn: body['invoked-function-arn'] || '',
        trace: body['trace-id'] || '',
        payload: body.payload === undefined || body.payload === '' ? '{}' : body.payload,
        captured: [],
        timer: setTimeout(() => {
          const message = `${new Date().toISOString()} ${id} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
          const timedOut = { errorType: 'Sandbox.Timedout', errorMessage: message, stackTrace: [] };
          void (
            current?.id === id ? finish(id, false, JSON.stringify(timedOut)) : Promise.resolve()
          )
            // Lambda throws the environment away after a timeout; LocalStack starts a new one.
            .then(() => process.exit(1));
        }, timeoutSeconds * 1000),
      };
      deliver();
    });
  });
  await new Promise((resolve, reject) => {
    invocations.once('error', reject);
    invocations.listen(invocationPort, '0.0.0.0', resolve);
  });
}
