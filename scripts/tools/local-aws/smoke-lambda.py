"""Smoke test for the local Lambda runtimes (test fixture): creates nodejs22.x and python3.13 functions in the
LocalStack that local-aws.sh started and invokes them. Run with the LocalStack venv's Python:
    .local/localstack-venv/bin/python scripts/tools/local-aws/smoke-lambda.py [--endpoint URL]
Prints one JSON line per check and exits non-zero on the first failure."""

import argparse
import base64
import io
import json
import sys
import time
import zipfile

import boto3
from botocore.config import Config

HANDLER_OK = """
import { createHash } from 'node:crypto';
console.log('init: module loaded');
export const handler = async (event, context) => {
  console.log('hello from', context.functionName, 'request', context.awsRequestId);
  console.error('a line on stderr');
  return {
    echo: event,
    node: process.version,
    remainingMs: context.getRemainingTimeInMillis(),
    handlerEnv: process.env._HANDLER,
    greeting: process.env.GREETING,
    endpoint: process.env.AWS_ENDPOINT_URL,
    sha: createHash('sha256').update(JSON.stringify(event)).digest('hex').slice(0, 12),
  };
};
"""

HANDLER_NESTED = """
exports.api = { handler(event, context, callback) { callback(null, { callback: true, n: event.n + 1 }); } };
"""

HANDLER_THROWS = """
export const handler = async () => { throw new TypeError('boom from the handler'); };
"""

HANDLER_SLOW = """
export const handler = async () => { await new Promise((r) => setTimeout(r, 5000)); return 'late'; };
"""

PY_HANDLER_OK = """
import os, sys
print('init: module loaded')

def handler(event, context):
    print('hello from', context.function_name, 'request', context.aws_request_id)
    return {
        'echo': event,
        'python': sys.version.split()[0],
        'remainingMs': context.get_remaining_time_in_millis(),
        'greeting': os.environ.get('GREETING'),
        'executionEnv': os.environ.get('AWS_EXECUTION_ENV'),
    }
"""

PY_HANDLER_THROWS = """
def handler(event, context):
    raise ValueError('boom from python')
"""

PY_HANDLER_SLOW = """
import time

def handler(event, context):
    time.sleep(5)
    return 'late'
"""


def zip_of(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", default="http://127.0.0.1:4599")
    args = parser.parse_args()
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    cfg = Config(read_timeout=120, retries={"max_attempts": 0})
    lam = session.client("lambda", endpoint_url=args.endpoint, config=cfg)
    role = "arn:aws:iam::000000000000:role/lambda-role"
    functions = {
        "recsys-smoke-ok": ("index.handler", {"index.mjs": HANDLER_OK}, 3),
        "recsys-smoke-nested": ("lib/api.api.handler", {"lib/api.js": HANDLER_NESTED}, 3),
        "recsys-smoke-throws": ("index.handler", {"index.mjs": HANDLER_THROWS}, 3),
        "recsys-smoke-slow": ("index.handler", {"index.mjs": HANDLER_SLOW}, 2),
        "recsys-smoke-py-ok": ("app.handler", {"app.py": PY_HANDLER_OK}, 3),
        "recsys-smoke-py-throws": ("app.handler", {"app.py": PY_HANDLER_THROWS}, 3),
        "recsys-smoke-py-slow": ("app.handler", {"app.py": PY_HANDLER_SLOW}, 2),
    }
    failures = 0

    def check(name, ok, **details):
        nonlocal failures
        print(json.dumps({"check": name, "ok": bool(ok), **details}), flush=True)
        if not ok:
            failures += 1

    for name, (handler, files, timeout) in functions.items():
        try:
            lam.delete_function(FunctionName=name)
        except lam.exceptions.ResourceNotFoundException:
            pass
        t0 = time.time()
        lam.create_function(
            FunctionName=name,
            Runtime="python3.13" if name.startswith("recsys-smoke-py-") else "nodejs22.x",
            Role=role,
            Handler=handler,
            Code={"ZipFile": zip_of(files)},
            Timeout=timeout,
            Environment={"Variables": {"GREETING": "hi"}},
        )
        lam.get_waiter("function_active_v2").wait(FunctionName=name)
        state = lam.get_function(FunctionName=name)["Configuration"]
        check(f"{name} active", state["State"] == "Active", state=state["State"],
              reason=state.get("StateReason"), seconds=round(time.time() - t0, 2))

    def invoke(name, event):
        t0 = time.time()
        r = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode(), LogType="Tail")
        body = r["Payload"].read().decode()
        logs = base64.b64decode(r.get("LogResult", "")).decode()
        return r, body, logs, round(time.time() - t0, 2)

    r, body, logs, s = invoke("recsys-smoke-ok", {"hello": "world"})
    result = json.loads(body)
    check("ok cold invoke", r["StatusCode"] == 200 and "FunctionError" not in r
          and result["echo"] == {"hello": "world"} and result["node"].startswith("v22."),
          seconds=s, result=result, logs_have_print="hello from recsys-smoke-ok" in logs)
    r, body, logs, s = invoke("recsys-smoke-ok", {"n": 2})
    check("ok warm invoke", json.loads(body)["echo"] == {"n": 2}, seconds=s)
    r, body, logs, s = invoke("recsys-smoke-nested", {"n": 41})
    check("nested export, callback style", json.loads(body) == {"callback": True, "n": 42}, seconds=s, body=body)
    r, body, logs, s = invoke("recsys-smoke-throws", {})
    err = json.loads(body)
    check("handler error", r.get("FunctionError") == "Unhandled" and err.get("errorType") == "TypeError"
          and err.get("errorMessage") == "boom from the handler", seconds=s, body=err)
    r, body, logs, s = invoke("recsys-smoke-slow", {})
    check("timeout", r.get("FunctionError") == "Unhandled" and "timed out" in body, seconds=s, body=body)
    r, body, logs, s = invoke("recsys-smoke-py-ok", {"hello": "python"})
    result = json.loads(body)
    check("python3.13 cold invoke", r["StatusCode"] == 200 and "FunctionError" not in r
          and result["echo"] == {"hello": "python"} and result["python"].startswith("3.13.")
          and 0 < result["remainingMs"] <= 3000 and result["greeting"] == "hi"
          and result["executionEnv"] == "AWS_Lambda_python3.13",
          seconds=s, result=result, logs_have_print="hello from recsys-smoke-py-ok" in logs)
    r, body, logs, s = invoke("recsys-smoke-py-ok", {"n": 3})
    check("python3.13 warm invoke", json.loads(body)["echo"] == {"n": 3}, seconds=s)
    r, body, logs, s = invoke("recsys-smoke-py-throws", {})
    err = json.loads(body)
    check("python3.13 handler error", r.get("FunctionError") == "Unhandled"
          and err.get("errorType") == "ValueError" and err.get("errorMessage") == "boom from python",
          seconds=s, body=err)
    r, body, logs, s = invoke("recsys-smoke-py-slow", {})
    check("python3.13 timeout", r.get("FunctionError") == "Unhandled" and "Task timed out after 2.00 seconds" in body,
          seconds=s, body=body)
    r, body, logs, s = invoke("recsys-smoke-py-ok", {"after": "timeout"})
    check("python3.13 after a timeout elsewhere", json.loads(body)["echo"] == {"after": "timeout"}, seconds=s)
    for name in functions:
        lam.delete_function(FunctionName=name)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
