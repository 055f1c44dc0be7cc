#!/usr/bin/env bash
# `npm run deploy:local`: the stack as deployed, left running for you. Starts LocalStack (host mode)
# with Lambda in Docker and the Cassandra container (local-aws.sh), deploys the `local` profile
# (deploy.sh), then prints how to reach it. `npm run local-aws -- stop` stops all of it.
# `npm run test:deployed` does the same and then runs the whole pipeline through it.
#
#   npm run deploy:local [-- extra cdk deploy args]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
[[ $(id -u) == 0 ]] || { echo "deploy:local: needs root (it runs its own dockerd)" >&2; exit 2; }
"$HERE/local-aws.sh" packages
"$HERE/local-aws.sh" start
"$HERE/local-aws.sh" cassandra-start
"$HERE/deploy.sh" "$@"
eval "$("$HERE/local-aws.sh" env)"
"$ROOT/.local/localstack-venv/bin/python" - "$ROOT/.local/local-aws/outputs.json" <<'PY'
import json, os, sys
import boto3
stack, outputs = next(iter(json.load(open(sys.argv[1])).items()))
endpoint = os.environ["AWS_ENDPOINT_URL"]
api_id = outputs["ApiApiUrlF2D81078"].split("//")[1].split(".")[0]
key = boto3.client("apigateway").get_api_key(apiKey=outputs["ApiApiKeyId05B7A5A4"], includeValue=True)["value"]
print(f"""deploy:local: {stack} is up (outputs in .local/local-aws/outputs.json)
  upload:  npx recsys upload --dir ../shared/datasets/ml-latest-small --endpoint {endpoint} --bucket {outputs["BucketName"]}
           (ingestion, then training, start by themselves)
  API:     curl -H 'x-api-key: {key}' {endpoint}/_aws/execute-api/{api_id}/v1/users/1/recommendations
  AWS CLI: eval "$(scripts/tools/local-aws/local-aws.sh env)"
  stop:    npm run local-aws -- stop""")
PY
