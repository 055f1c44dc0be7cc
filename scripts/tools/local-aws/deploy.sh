#!/usr/bin/env bash
# Deploys the `local` profile of the stack to the LocalStack that local-aws.sh started (spike; see
# docs/local-aws.md). Not `npm run deploy:compose`: that one also runs `recsys db migrate` against
# CASSANDRA_CONTACT_POINTS (127.0.0.1:9042 by default), which this spike leaves alone.
#
#   scripts/tools/local-aws/deploy.sh [extra cdk deploy args]
#
# What it works around, each found by running it (docs/local-aws.md has the errors):
#  1. aws-cdk-lib 2.276 gives its own custom-resource providers (S3 auto-delete) nodejs24.x, a
#     runtime LocalStack 4.9.2 rejects at CreateFunction: the template is patched to nodejs22.x.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$ROOT"
PORT="${LOCALSTACK_PORT:-4599}"
GATEWAY_IP="${LAMBDA_SUBNET_PREFIX:-172.31.250}.1"
eval "$(scripts/tools/local-aws/local-aws.sh env)"
export CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=1
OUT="$ROOT/.local/local-aws/cdk.out"
# What the Lambdas in containers use: LocalStack on the bridge address; Cassandra wherever
# RECSYS_LAMBDA_CASSANDRA points (default: what `local-aws.sh cassandra-start` started for
# LAMBDA_CASSANDRA: the container's address on the bridge, or the JVM path's forwarder).
CASSANDRA_AT="${RECSYS_LAMBDA_CASSANDRA:-$(scripts/tools/local-aws/local-aws.sh cassandra-address)}"
echo "deploy: the Lambdas' Cassandra at $CASSANDRA_AT" >&2
CONTEXT=(-c profile=local -c "s3Endpoint=http://$GATEWAY_IP:$PORT" -c "cassandraContactPoints=$CASSANDRA_AT")

t0=$(date +%s)
npx cdklocal bootstrap aws://000000000000/us-east-1 >/dev/null
t1=$(date +%s)
echo "deploy: bootstrap $((t1 - t0))s" >&2
# With the credentials above the CLI pins the stack to account 000000000000 and us-east-1, as a
# real `cdk deploy` pins it to the caller's (infra/nag.ts matches literal ARNs since this ran).
npx cdk synth --quiet "${CONTEXT[@]}" --output "$OUT" >/dev/null
t2=$(date +%s)
echo "deploy: synth $((t2 - t1))s" >&2
for template in "$OUT"/*.template.json; do
  if grep -q '"nodejs24.x"' "$template"; then
    sed -i 's/"nodejs24\.x"/"nodejs22.x"/g' "$template"
    echo "deploy: $(basename "$template"): nodejs24.x -> nodejs22.x (LocalStack 4.9.2 lacks nodejs24.x)" >&2
  fi
done
status=0
npx cdklocal deploy --app "$OUT" --require-approval never \
  --outputs-file "$ROOT/.local/local-aws/outputs.json" "$@" || status=$?
t3=$(date +%s)
# Community LocalStack skips custom resources (CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES), so CDK's
# Custom::S3BucketNotifications never turns on the bucket's EventBridge notifications and uploads
# would start nothing: turn them on the way that resource would.
if [[ $status == 0 ]]; then
  "$ROOT/.local/localstack-venv/bin/python" - "$ROOT/.local/local-aws/outputs.json" <<'PY'
import json, os, sys
import boto3
outputs = next(iter(json.load(open(sys.argv[1])).values()))
bucket = outputs["BucketName"]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
s3.put_bucket_notification_configuration(
    Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
)
print(f"deploy: EventBridge notifications on for s3://{bucket}", file=sys.stderr)
PY
fi
echo "deploy: deploy $((t3 - t2))s, exit $status" >&2
exit $status
