"""Probe of the deployed `local` stack in LocalStack (spike, test fixture): goes through the deployed
resources only and prints one JSON line per step.
  1. GET /health through API Gateway (API Gateway -> API Lambda in a container -> our init).
  2. Upload a small MovieLens slice to s3://<bucket>/datasets/probe/ with manifest.json last; the
     EventBridge rule should start the ingest state machine, whose Task states invoke Lambdas.
  3. Report the execution's status and the first failing state with its error.
Run: .local/localstack-venv/bin/python scripts/tools/local-aws/probe-deployed.py [--rows N]"""

import argparse
import hashlib
import json
import os
import time
import urllib.error
import urllib.request

import boto3

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def say(step, **details):
    print(json.dumps({"step": step, **details}, default=str), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4599"))
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "datasets", "ml-latest-small"))
    parser.add_argument("--wait", type=int, default=240)
    args = parser.parse_args()
    kw = dict(endpoint_url=args.endpoint, region_name="us-east-1",
              aws_access_key_id="test", aws_secret_access_key="test")
    outputs = next(iter(json.load(open(os.path.join(ROOT, ".local", "local-aws", "outputs.json"))).values()))
    api_id = outputs["ApiApiUrlF2D81078"].split("//")[1].split(".")[0]
    key = boto3.client("apigateway", **kw).get_api_key(apiKey=outputs["ApiApiKeyId05B7A5A4"], includeValue=True)["value"]

    # 1. health
    url = f"{args.endpoint}/_aws/execute-api/{api_id}/v1/health"
    t0 = time.time()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"x-api-key": key}), timeout=120) as r:
            status, body = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read().decode()
    say("GET /health via API Gateway", status=status, body=body[:300], seconds=round(time.time() - t0, 2))

    # 2. upload
    s3 = boto3.client("s3", **kw)
    sfn = boto3.client("stepfunctions", **kw)
    bucket = outputs["BucketName"]
    prefix = "datasets/probe"
    files = []
    for name, rows in (("ratings.csv", args.rows), ("movies.csv", None)):
        with open(os.path.join(args.data, name), "rb") as f:
            lines = f.read().splitlines(keepends=True)
        data = b"".join(lines if rows is None else lines[: rows + 1])
        s3.put_object(Bucket=bucket, Key=f"{prefix}/{name}", Body=data)
        files.append({"name": name, "key": f"{prefix}/{name}", "bytes": len(data),
                      "sha256": hashlib.sha256(data).hexdigest()})
    manifest = {"dataset": "probe", "ratingsFormat": "csv", "files": files,
                "uploadedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    before = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=outputs["IngestStateMachineArn"])["executions"]}
    t0 = time.time()
    s3.put_object(Bucket=bucket, Key=f"{prefix}/manifest.json", Body=json.dumps(manifest).encode())
    say("uploaded", bucket=bucket, prefix=prefix, ratings=args.rows)

    # 3. did EventBridge start the ingest state machine?
    arn = None
    while time.time() - t0 < 30 and arn is None:
        now = sfn.list_executions(stateMachineArn=outputs["IngestStateMachineArn"])["executions"]
        fresh = [e for e in now if e["executionArn"] not in before]
        arn = fresh[0]["executionArn"] if fresh else None
        time.sleep(1)
    say("ingest execution started by EventBridge", started=arn is not None, arn=arn,
        seconds=round(time.time() - t0, 2))
    if arn is None:
        return
    while time.time() - t0 < args.wait:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            break
        time.sleep(3)
    d = sfn.describe_execution(executionArn=arn)
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    failures = [
        {k: v for k, v in e.items() if k.endswith("FailedEventDetails") or k == "type"}
        for e in events if e["type"].endswith("Failed") or e["type"].endswith("TimedOut")
    ]
    lambdas = [e["type"] for e in events if e["type"].startswith("LambdaFunction")]
    say("ingest execution", status=d["status"], seconds=round(time.time() - t0, 2),
        states_entered=entered, lambda_events=lambdas.count("LambdaFunctionSucceeded"),
        lambda_failed=lambdas.count("LambdaFunctionFailed"),
        error=d.get("error"), cause=(d.get("cause") or "")[:800], first_failures=failures[:3])


if __name__ == "__main__":
    main()
