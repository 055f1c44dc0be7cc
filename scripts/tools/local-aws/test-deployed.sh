#!/usr/bin/env bash
# `npm run test:deployed`: the stack as deployed, run here. Starts LocalStack (host mode) with Lambda
# in Docker and a Cassandra for the Lambdas (local-aws.sh), deploys the `local` profile with the cdk
# CLI (deploy.sh), then goes through the deployed resources only (probe-deployed.py): an S3 upload
# → EventBridge → the ingest state machine → chunk Lambdas → Cassandra → training → API Gateway.
# Stops everything it started, whatever happens. Its last stdout line is one JSON object: `stack`,
# `ratings`, `modelId`, `statuses`, `seconds` (per stage), `ok`; it exits non-zero unless `ok`.
#
#   npm run test:deployed [-- --rows N]        (default 10,000 rows of ml-latest-small)
#
# Needs root (dockerd), Python 3.11, and Debian's docker.io, mmdebstrap and docker-registry, which it
# installs when missing. See docs/local-aws.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
HERE="$ROOT/scripts/tools/local-aws"
cd "$ROOT"
ROWS=10000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "test:deployed: --rows needs a positive integer" >&2; exit 2; }
      ROWS=$2
      shift 2
      ;;
    *) echo "test:deployed: unknown argument $1 (only --rows N)" >&2; exit 2 ;;
  esac
done
DATA="${MOVIELENS_DIR:-$ROOT/../shared/datasets/ml-latest-small}"
[[ -f "$DATA/ratings.csv" && -f "$DATA/movies.csv" ]] || {
  echo "test:deployed: no MovieLens folder at $DATA (set MOVIELENS_DIR to one with ratings.csv and movies.csv)" >&2
  exit 2
}
[[ $(id -u) == 0 ]] || { echo "test:deployed: needs root (it runs its own dockerd)" >&2; exit 2; }

seconds_json="{"
stage() {
  local name=$1 started
  shift
  started=$(date +%s%N)
  echo "test:deployed: $name…" >&2
  "$@" >&2
  local took=$((($(date +%s%N) - started) / 1000000))
  seconds_json+="\"$name\": $((took / 1000)).$(printf '%03d' $((took % 1000))), "
}

stage packages "$HERE/local-aws.sh" packages
trap '"$HERE/local-aws.sh" stop >&2 || true' EXIT
stage start "$HERE/local-aws.sh" start
stage cassandra "$HERE/local-aws.sh" cassandra-start
stage deploy "$HERE/deploy.sh"
eval "$("$HERE/local-aws.sh" env)"
"$ROOT/.local/localstack-venv/bin/python" "$HERE/probe-deployed.py" --rows "$ROWS" --data "$DATA" \
  --stage-seconds "${seconds_json%, }}"
