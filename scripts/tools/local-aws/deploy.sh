#!/usr/bin/env bash
# Deploys the `local` profile of the stack to the LocalStack that local-aws.sh started, through the
# same code as `npm run deploy:compose` (scripts/tools/infra/deploy-localstack.ts), with this
# setup's endpoints: LocalStack on 127.0.0.1:$LOCALSTACK_PORT from the host and on the bridge
# address from the Lambdas, and the Cassandra that `local-aws.sh cassandra-start` started
# (published on 127.0.0.1:$LAMBDA_CASSANDRA_PORT for the migration; the Lambdas use
# `local-aws.sh cassandra-address`, or RECSYS_LAMBDA_CASSANDRA). See docs/local-aws.md.
#
#   scripts/tools/local-aws/deploy.sh [extra cdk deploy args]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$ROOT"
PORT="${LOCALSTACK_PORT:-4599}"
GATEWAY_IP="${LAMBDA_SUBNET_PREFIX:-172.31.250}.1"
eval "$(scripts/tools/local-aws/local-aws.sh env)"
CASSANDRA_AT="${RECSYS_LAMBDA_CASSANDRA:-$(scripts/tools/local-aws/local-aws.sh cassandra-address)}"
exec "$ROOT/node_modules/node/bin/node" --import tsx scripts/tools/infra/deploy-localstack.ts \
  --endpoint "http://127.0.0.1:$PORT" --cassandra "127.0.0.1:${LAMBDA_CASSANDRA_PORT:-9543}" \
  --lambda-s3 "http://$GATEWAY_IP:$PORT" --lambda-cassandra "$CASSANDRA_AT" \
  --outputs .local/local-aws/outputs.json --cdk-out .local/local-aws/cdk.out "$@"
