"""Probe of the deployed `local` stack in LocalStack (spike, test fixture): goes through the deployed
resources only and prints one JSON line per step.
  1. GET /health through API Gateway (API Gateway -> API Lambda in a container -> our init).
  2. Upload a small MovieLens slice to s3://<bucket>/datasets/probe/ with manifest.json last; the
     EventBridge rule should start the ingest state machine, whose Task states invoke Lambdas.
  3. Report the execution's status and the first failing state with its error.
  4. Wait for the train execution that the ingest starts (its StartTraining state).
  5. Through API Gateway with the API key: GET /users/1/recommendations, POST /recommendations,
     PUT /users/1/ratings/<movie>, and GET /users/1/ratings to read the rating back.
Its last line is one JSON object (what `npm run test:deployed` prints): `stack` (CloudFormation
status), `ratings` (ingested), `modelId`, `statuses` (HTTP status per API call), `seconds` (per
stage, with the ones passed in --stage-seconds), `ok`; it exits 1 unless every step succeeded.
Run: .local/localstack-venv/bin/python scripts/tools/local-aws/probe-deployed.py [--rows N]
     (--api-only: steps 1 and 5 against what is deployed and trained already)"""

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


# What the last line reports; filled in as the steps run.
SUMMARY = {"stack": None, "ratings": None, "modelId": None, "statuses": {}, "seconds": {}, "ok": False}


def new_execution(sfn, machine_arn, is_new, within, pause):
    """The first execution of `machine_arn` that `is_new` accepts, polled for `within` seconds."""
    started = time.time()
    while time.time() - started < within:
        fresh = [e for e in sfn.list_executions(stateMachineArn=machine_arn)["executions"] if is_new(e)]
        if fresh:
            return fresh[0]["executionArn"]
        time.sleep(pause)
    return None


def finished(sfn, arn, deadline, pause):
    """The execution's description once it is no longer RUNNING (or at `deadline`)."""
    while time.time() < deadline and sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
        time.sleep(pause)
    return sfn.describe_execution(executionArn=arn)


def finish(ok):
    SUMMARY["ok"] = ok
    print(json.dumps(SUMMARY), flush=True)
    raise SystemExit(0 if ok else 1)


def awaited_execution(sfn, machine_arn, is_new, started_by, t, within, pause, wait, poll):
    """The execution `is_new` accepts (polled for `within` s), said, then run to its end (by `t` +
    `wait`): its description and history events; None when none started."""
    arn = new_execution(sfn, machine_arn, is_new, within=within, pause=pause)
    say(started_by, started=arn is not None, arn=arn, seconds=round(time.time() - t, 2))
    if arn is None:
        return None
    d = finished(sfn, arn, deadline=t + wait, pause=poll)
    return d, sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4599"))
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "datasets", "ml-latest-small"))
    parser.add_argument("--wait", type=int, default=240)
    parser.add_argument("--train-wait", type=int, default=900)
    parser.add_argument("--api-only", action="store_true")
    parser.add_argument("--stage-seconds", default="{}", help="JSON: seconds of the stages before this")
    args = parser.parse_args()
    SUMMARY["seconds"].update(json.loads(args.stage_seconds))
    try:
        ok = probe(args)
    except Exception as error:  # one line saying what broke, then the summary
        say("probe failed", error=f"{type(error).__name__}: {error}")
        ok = False
    finish(ok)


def probe(args):
    kw = dict(endpoint_url=args.endpoint, region_name="us-east-1",
              aws_access_key_id="test", aws_secret_access_key="test")
    stacks = json.load(open(os.path.join(ROOT, ".local", "local-aws", "outputs.json")))
    stack_name, outputs = next(iter(stacks.items()))
    cfn = boto3.client("cloudformation", **kw)
    SUMMARY["stack"] = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
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
    SUMMARY["statuses"]["GET /health"] = status
    if args.api_only:
        return api_calls(args.endpoint, api_id, key)

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
    run = awaited_execution(sfn, outputs["IngestStateMachineArn"], lambda e: e["executionArn"] not in before,
                            "ingest execution started by EventBridge", t0, within=30, pause=1,
                            wait=args.wait, poll=3)
    if run is None:
        return False
    d, events = run
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    failures = [
        {k: v for k, v in e.items() if k.endswith("FailedEventDetails") or k == "type"}
        for e in events if e["type"].endswith("Failed") or e["type"].endswith("TimedOut")
    ]
    tasks = [e["type"] for e in events if e["type"].startswith("Task")]
    say("ingest execution", status=d["status"], seconds=round(time.time() - t0, 2),
        states_entered=entered, tasks_succeeded=tasks.count("TaskSucceeded"),
        tasks_failed=tasks.count("TaskFailed"),
        error=d.get("error"), cause=(d.get("cause") or "")[:800], first_failures=failures[:3])
    SUMMARY["seconds"]["ingest"] = round(time.time() - t0, 1)
    if d["status"] != "SUCCEEDED":
        return False
    SUMMARY["ratings"] = (json.loads(d.get("output") or "{}").get("counts") or {}).get("ratings")

    # 4. training, started by the ingest's StartTraining state
    t1 = time.time()
    run = awaited_execution(sfn, outputs["TrainStateMachineArn"], lambda e: e["startDate"].timestamp() >= t0 - 5,
                            "train execution started by the ingest", t1, within=60, pause=2,
                            wait=args.train_wait, poll=5)
    if run is None:
        return False
    d, events = run
    output = json.loads(d.get("output") or "null")
    say("train execution", status=d["status"], seconds=round(time.time() - t1, 2),
        states_entered=sum(1 for e in events if "stateEnteredEventDetails" in e),
        error=d.get("error"), cause=(d.get("cause") or "")[:800],
        output=json.dumps(output)[:600])
    SUMMARY["seconds"]["train"] = round(time.time() - t1, 1)
    if d["status"] != "SUCCEEDED":
        return False
    SUMMARY["modelId"] = (output or {}).get("modelId")
    t2 = time.time()
    ok = api_calls(args.endpoint, api_id, key)
    SUMMARY["seconds"]["api"] = round(time.time() - t2, 1)
    return ok and status == 200 and SUMMARY["ratings"] == args.rows


def api_calls(endpoint, api_id, key):
    base = f"{endpoint}/_aws/execute-api/{api_id}/v1"

    def call(method, path, body=None):
        t0 = time.time()
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"x-api-key": key, "content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        say(f"{method} {path}", status=status, body=text[:400], seconds=round(time.time() - t0, 2))
        SUMMARY["statuses"][f"{method} {path.split('?')[0]}"] = status
        try:
            return status, json.loads(text)
        except ValueError:
            return status, None

    _, recs = call("GET", "/users/1/recommendations?limit=5")
    call("POST", "/recommendations", {"ratings": [{"movieId": 1, "rating": 5}, {"movieId": 260, "rating": 4.5}], "limit": 5})
    movie = 2571
    call("PUT", f"/users/1/ratings/{movie}", {"rating": 4.5})
    _, mine = call("GET", "/users/1/ratings?limit=1000")
    items = (mine or {}).get("items", [])
    hit = [i for i in items if i.get("movieId") == movie]
    say("rating read back", found=bool(hit), rating=hit[0].get("rating") if hit else None, listed=len(items))
    SUMMARY["ratingReadBack"] = bool(hit) and hit[0].get("rating") == 4.5
    return SUMMARY["ratingReadBack"] and all(code == 200 for code in SUMMARY["statuses"].values())


if __name__ == "__main__":
    main()
