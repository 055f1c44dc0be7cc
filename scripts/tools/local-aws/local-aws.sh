#!/usr/bin/env bash
# LocalStack in host mode with Lambda in Docker, built from package registries only (no container
# registry, no internet). See docs/local-aws.md. Everything it starts listens on loopback or on a
# private Docker bridge, and its dockerd uses its own socket, so `docker info` on the default socket
# (what `recsys cassandra start` asks) does not see it.
#
#   scripts/tools/local-aws/local-aws.sh packages  # docker.io, mmdebstrap, docker-registry if missing
#   scripts/tools/local-aws/local-aws.sh venv      # pinned LocalStack venv (.local/localstack-venv)
#   scripts/tools/local-aws/local-aws.sh start     # dockerd + registry + images + LocalStack
#   scripts/tools/local-aws/local-aws.sh smoke     # create and invoke nodejs22.x functions
#   scripts/tools/local-aws/local-aws.sh cassandra-image  # the Cassandra 5 image (built, not pulled)
#   scripts/tools/local-aws/local-aws.sh cassandra-start  # Cassandra for the Lambdas + schema (below)
#   scripts/tools/local-aws/local-aws.sh cassandra-address  # where the Lambdas reach it
#   scripts/tools/local-aws/deploy.sh              # the `local` profile (CREATE_COMPLETE)
#   .local/localstack-venv/bin/python scripts/tools/local-aws/probe-deployed.py  # upload→…→API
#   scripts/tools/local-aws/local-aws.sh env       # exports for clients (eval "$(... env)")
#   scripts/tools/local-aws/local-aws.sh status
#   scripts/tools/local-aws/local-aws.sh stop      # LocalStack, registry, dockerd (state is dropped)
#
# Settings (environment): LOCALSTACK_PORT (4599), REGISTRY_PORT (5599), LAMBDA_CASSANDRA_PORT (9543),
# LAMBDA_SUBNET_PREFIX (172.31.250: the bridge is .0/24, the host is .1, the Cassandra container .2),
# LAMBDA_CASSANDRA (container: the Cassandra image; jvm: the JVM launcher + a forwarder),
# DEBIAN_SUITE (bookworm), LOCAL_AWS_DOCKER_SOCK (/run/recsys-docker.sock, started by this script;
# another socket, e.g. /var/run/docker.sock, must already answer: `cassandra-image` then builds the
# image for `recsys cassandra start` and docker-compose.yml into that engine).
# Needs root, python3.11, and the Debian packages docker.io, mmdebstrap and docker-registry
# (`local-aws.sh apt` installs them).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
HERE="$ROOT/scripts/tools/local-aws"
STATE="$ROOT/.local/local-aws"
VENV="$ROOT/.local/localstack-venv"
IMAGES="$ROOT/.local/images"
PORT="${LOCALSTACK_PORT:-4599}"
REGISTRY_PORT="${REGISTRY_PORT:-5599}"
SUBNET_PREFIX="${LAMBDA_SUBNET_PREFIX:-172.31.250}"
SUITE="${DEBIAN_SUITE:-bookworm}"
NETWORK=recsys-local
BRIDGE=recsys-lambda
GATEWAY_IP="$SUBNET_PREFIX.1"
# LOCAL_AWS_DOCKER_SOCK=/var/run/docker.sock builds the images into the machine's own engine (for
# `recsys cassandra start` and docker-compose.yml); this script then never starts a dockerd there.
PRIVATE_SOCK=/run/recsys-docker.sock
SOCK="${LOCAL_AWS_DOCKER_SOCK:-$PRIVATE_SOCK}"
export DOCKER_HOST="unix://$SOCK"
BASE_IMAGE="recsys-local/debian:$SUITE-minbase"
LAMBDA_IMAGE="127.0.0.1:$REGISTRY_PORT/recsys-local/lambda:nodejs22.x"
# python3.13: Debian trixie's python3.13 (bookworm has 3.11) and awslambdaric from PyPI.
PYTHON_SUITE=trixie
PYTHON_BASE="recsys-local/debian:$PYTHON_SUITE-python3.13"
PYTHON_LAMBDA_IMAGE="127.0.0.1:$REGISTRY_PORT/recsys-local/lambda:python3.13"
AWSLAMBDARIC_VERSION=4.2.2
# LocalStack looks for its init binary here (an existing file counts as installed).
LAMBDA_RUNTIME_VERSION=v0.1.35-pre
FS_ROOT="$STATE/filesystem"
INIT_MARKER="$FS_ROOT/var/lib/localstack/lib/lambda-runtime/$LAMBDA_RUNTIME_VERSION/x86_64/var/rapid/init"

log() { echo "local-aws: $*" >&2; }
die() {
  log "$*"
  exit 1
}
alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
since() { echo "$(($(date +%s%N) / 1000000 - $1))ms"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The Debian packages, only when one is missing (apt-get update alone takes ~20 s).
cmd_packages() {
  if ! command -v dockerd >/dev/null || ! command -v mmdebstrap >/dev/null ||
    ! command -v docker-registry >/dev/null; then
    cmd_apt
  fi
}

cmd_apt() {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io mmdebstrap docker-registry
}

cmd_venv() {
  local t
  t=$(now_ms)
  if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import localstack.runtime.main' 2>/dev/null; then
    log "venv $VENV present"
    return
  fi
  command -v python3.11 >/dev/null || die "python3.11 is needed (localstack-core 4.9.2; the 2026 releases need 3.12 and a token)"
  python3.11 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
  log "venv $VENV ready in $(since "$t")"
}

# LocalStack 4.9.2 bug: an EventBridge rule whose Step Functions target has an InputTransformer
# fails every delivery with "Failed to deliver to target Target0: 'id'" (StatesTargetSender names
# the execution event["id"], and the transformed input has no id). AWS names it with a UUID; so
# does this one-line patch of the venv (idempotent; docs/local-aws.md).
patch_localstack() {
  local target="$VENV/lib/python3.11/site-packages/localstack/services/events/target.py"
  if grep -q 'name=event\["id"\], input=to_json_str(event)' "$target"; then
    sed -i 's/name=event\["id"\], input=to_json_str(event)/name=(event.get("id") if isinstance(event, dict) else None) or __import__("uuid").uuid4().hex, input=to_json_str(event)/' "$target"
    log "patched $target (EventBridge -> Step Functions with an InputTransformer)"
  fi
}

docker_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

cmd_docker_start() {
  if docker_up; then return; fi
  [[ $SOCK == "$PRIVATE_SOCK" ]] || die "no Docker engine answers on $SOCK (this script starts only its own, on $PRIVATE_SOCK)"
  command -v dockerd >/dev/null || die "dockerd missing: local-aws.sh apt"
  mkdir -p "$STATE"
  # Own socket, data root and exec root; no iptables rules, no default bridge: only the private
  # bridge created below, which the host reaches directly.
  dockerd -H "$DOCKER_HOST" --data-root /var/lib/recsys-docker --exec-root /run/recsys-docker \
    --pidfile /run/recsys-docker.pid --iptables=false --ip-masq=false --bridge=none \
    --storage-driver overlay2 >"$STATE/dockerd.log" 2>&1 &
  for _ in $(seq 60); do
    docker_up && break
    sleep 0.5
  done
  docker_up || die "dockerd did not start: see $STATE/dockerd.log"
  log "dockerd up on $SOCK"
}

cmd_docker_stop() {
  [[ $SOCK == "$PRIVATE_SOCK" ]] || return 0 # never the machine's own engine or its containers
  if [[ -f /run/recsys-docker.pid ]] && kill -0 "$(cat /run/recsys-docker.pid)" 2>/dev/null; then
    local pid
    pid=$(cat /run/recsys-docker.pid)
    # Lambda containers first, so dockerd's shutdown does not wait on them.
    docker ps -q | xargs -r docker rm -f >/dev/null 2>&1 || true
    kill "$pid"
    for _ in $(seq 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    log "dockerd stopped"
  fi
  # dockerd leaves its bridge behind; it makes it again from its network store on the next start.
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link delete "$BRIDGE" && log "bridge $BRIDGE removed"; fi
}

cmd_registry_start() {
  mkdir -p "$STATE/registry"
  if alive "$STATE/registry.pid"; then return; fi
  command -v docker-registry >/dev/null || die "docker-registry missing: local-aws.sh apt"
  cat >"$STATE/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE/registry
http:
  addr: 127.0.0.1:$REGISTRY_PORT
EOF
  docker-registry serve "$STATE/registry.yml" >"$STATE/registry.log" 2>&1 &
  echo $! >"$STATE/registry.pid"
  for _ in $(seq 40); do
    curl -sf "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null && return
    sleep 0.25
  done
  die "registry did not answer on 127.0.0.1:$REGISTRY_PORT: see $STATE/registry.log"
}

cmd_registry_stop() {
  if alive "$STATE/registry.pid"; then kill "$(cat "$STATE/registry.pid")" && log "registry stopped"; fi
  rm -f "$STATE/registry.pid"
}

# Debian base (mmdebstrap minbase, cached tarball) → docker import → Node 22 Lambda image → the
# local registry (LocalStack pulls the runtime image when a function is created, so it must be
# pullable; a registry on 127.0.0.1 needs no TLS).
cmd_images() {
  local t tar ctx node
  t=$(now_ms)
  mkdir -p "$IMAGES"
  tar="$IMAGES/debian-$SUITE-minbase.tar"
  if [[ ! -s "$tar" ]]; then
    command -v mmdebstrap >/dev/null || die "mmdebstrap missing: local-aws.sh apt"
    # mmdebstrap picks the output format from the name: keep .tar at the end of the temporary one.
    rm -rf "${tar%.tar}.partial.tar"
    mmdebstrap --quiet --variant=minbase --aptopt='Acquire::Check-Valid-Until "false"' "$SUITE" "${tar%.tar}.partial.tar"
    mv "${tar%.tar}.partial.tar" "$tar"
    log "base rootfs $tar built in $(since "$t")"
  fi
  if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    docker import "$tar" "$BASE_IMAGE" >/dev/null
    log "imported $BASE_IMAGE"
  fi
  node="$ROOT/node_modules/node/bin/node"
  [[ -x "$node" ]] || die "no Node binary at $node (npm ci installs the node@22 devDependency)"
  "$node" --version | grep -q '^v22\.' || die "$node is not Node 22"
  ctx=$(mktemp -d)
  ln "$node" "$ctx/node" 2>/dev/null || cp "$node" "$ctx/node"
  install -m 0755 "$HERE/lambda-init.mjs" "$ctx/lambda-init.mjs"
  docker build -q --build-arg "BASE=$BASE_IMAGE" -f "$HERE/lambda-image.Dockerfile" \
    -t "$LAMBDA_IMAGE" "$ctx" >/dev/null 2>"$STATE/build.log" || die "image build failed: see $STATE/build.log"
  rm -rf "$ctx"
  cmd_python_image
  cmd_registry_start
  docker push -q "$LAMBDA_IMAGE" >/dev/null
  docker push -q "$PYTHON_LAMBDA_IMAGE" >/dev/null
  log "images ready in $(since "$t"): $LAMBDA_IMAGE, $PYTHON_LAMBDA_IMAGE"
}

# Debian trixie minbase + python3.13 (cached tarball) → docker import → + Node 22 (our init),
# awslambdaric (PyPI wheels for cp313, fetched by the venv's pip) and runtime-api-bridge.mjs.
# debian_image TAR SUITE PACKAGE IMAGE WHAT STARTED_MS: a minbase Debian rootfs with PACKAGE, built
# once into the cached tarball TAR (mmdebstrap), then `docker import`ed as IMAGE when it is missing.
debian_image() {
  local tar=$1 suite=$2 package=$3 image=$4 what=$5 t=$6
  if [[ ! -s "$tar" ]]; then
    command -v mmdebstrap >/dev/null || die "mmdebstrap missing: local-aws.sh apt"
    rm -rf "${tar%.tar}.partial.tar"
    # (not /usr/share/man: the JRE's postinst links its man pages with update-alternatives)
    mmdebstrap --quiet --variant=minbase --include="$package" \
      --aptopt='Acquire::Check-Valid-Until "false"' --aptopt='APT::Install-Recommends "false"' \
      --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' "$suite" "${tar%.tar}.partial.tar"
    mv "${tar%.tar}.partial.tar" "$tar"
    log "$what rootfs $tar built in $(since "$t")"
  fi
  if ! docker image inspect "$image" >/dev/null 2>&1; then
    docker import "$tar" "$image" >/dev/null
    log "imported $image"
  fi
}

cmd_python_image() {
  local t tar ctx
  t=$(now_ms)
  tar="$IMAGES/debian-$PYTHON_SUITE-python3.13.tar"
  debian_image "$tar" "$PYTHON_SUITE" python3.13 "$PYTHON_BASE" python3.13 "$t"
  ctx=$(mktemp -d)
  "$VENV/bin/pip" install -q --disable-pip-version-check --target "$ctx/runtime" --python-version 3.13 \
    --implementation cp --platform manylinux2014_x86_64 --only-binary=:all: \
    "awslambdaric==$AWSLAMBDARIC_VERSION" || die "could not fetch awslambdaric $AWSLAMBDARIC_VERSION for cp313"
  ln "$ROOT/node_modules/node/bin/node" "$ctx/node" 2>/dev/null || cp "$ROOT/node_modules/node/bin/node" "$ctx/node"
  install -m 0755 "$HERE/lambda-init.mjs" "$ctx/lambda-init.mjs"
  install -m 0644 "$HERE/runtime-api-bridge.mjs" "$ctx/runtime-api-bridge.mjs"
  docker build -q --build-arg "BASE=$PYTHON_BASE" -f "$HERE/python-lambda-image.Dockerfile" \
    -t "$PYTHON_LAMBDA_IMAGE" "$ctx" >/dev/null 2>"$STATE/python-build.log" ||
    die "python3.13 image build failed: see $STATE/python-build.log"
  rm -rf "$ctx"
  log "$PYTHON_LAMBDA_IMAGE built in $(since "$t") ($(docker image inspect --format '{{.Size}}' "$PYTHON_LAMBDA_IMAGE" | awk '{printf "%d MB", $1 / 1e6}'))"
}

cmd_network() {
  if ! docker network inspect "$NETWORK" >/dev/null 2>&1; then
    docker network create --driver bridge --subnet "$SUBNET_PREFIX.0/24" --gateway "$GATEWAY_IP" \
      -o "com.docker.network.bridge.name=$BRIDGE" "$NETWORK" >/dev/null
    log "network $NETWORK ($SUBNET_PREFIX.0/24, host $GATEWAY_IP)"
  fi
}

localstack_env() {
  # Host mode even though this machine may itself be a container (/.dockerenv would make LocalStack
  # look for its own container and use /var/lib/localstack).
  export OVERRIDE_IN_DOCKER=0
  export FILESYSTEM_ROOT="$FS_ROOT"
  # hypercorn binds exactly these addresses (the default twisted server binds 0.0.0.0 whatever
  # GATEWAY_LISTEN says). The bridge address is where Lambda containers reach LocalStack.
  export GATEWAY_SERVER=hypercorn
  export GATEWAY_LISTEN="127.0.0.1:$PORT,$GATEWAY_IP:$PORT"
  export LOCALSTACK_HOST="localhost.localstack.cloud:$PORT"
  export HOSTNAME_FROM_LAMBDA="$GATEWAY_IP"
  export LAMBDA_DOCKER_NETWORK="$NETWORK"
  # python3.13 is CDK's S3 bucket-notifications handler (community LocalStack creates it but never
  # invokes it: no custom resources); smoke-lambda.py invokes python3.13 functions of its own.
  export LAMBDA_RUNTIME_IMAGE_MAPPING="{\"nodejs22.x\":\"$LAMBDA_IMAGE\",\"python3.13\":\"$PYTHON_LAMBDA_IMAGE\"}"
  export LAMBDA_INIT_BIN_PATH="$HERE/lambda-init.mjs"
  # The API Lambda is arm64 (Graviton); the image is the host's x86_64. Without this, container
  # creation fails: "image with reference ... was found but does not match the specified platform".
  export LAMBDA_IGNORE_ARCHITECTURE=1
  export DNS_ADDRESS=0 # no DNS server on port 53
  export DISABLE_EVENTS=1
  export SKIP_SSL_CERT_DOWNLOAD=1
  export LS_LOG="${LS_LOG:-info}"
}

health() { curl -sf "http://127.0.0.1:$PORT/_localstack/health" >/dev/null 2>&1; }

cmd_start() {
  local t0 t
  t0=$(now_ms)
  mkdir -p "$STATE"
  if alive "$STATE/localstack.pid" && health; then
    log "LocalStack already answers on 127.0.0.1:$PORT"
    return
  fi
  cmd_venv
  patch_localstack
  cmd_docker_start
  cmd_registry_start
  local input stale=
  for input in lambda-init.mjs runtime-api-bridge.mjs lambda-image.Dockerfile python-lambda-image.Dockerfile; do
    [[ "$HERE/$input" -nt "$STATE/images.stamp" ]] && stale=1
  done
  if [[ -n $stale ]] || ! docker image inspect "$LAMBDA_IMAGE" >/dev/null 2>&1 ||
    ! docker image inspect "$PYTHON_LAMBDA_IMAGE" >/dev/null 2>&1; then
    cmd_images
    touch "$STATE/images.stamp"
  fi
  cmd_network
  mkdir -p "$(dirname "$INIT_MARKER")"
  install -m 0755 "$HERE/lambda-init.mjs" "$INIT_MARKER"
  t=$(now_ms)
  (
    localstack_env
    cd "$STATE"
    exec "$VENV/bin/python" -m localstack.runtime.main >"$STATE/localstack.log" 2>&1
  ) &
  echo $! >"$STATE/localstack.pid"
  for _ in $(seq 120); do
    health && break
    alive "$STATE/localstack.pid" || die "LocalStack exited: see $STATE/localstack.log"
    sleep 0.5
  done
  health || die "LocalStack did not answer on 127.0.0.1:$PORT: see $STATE/localstack.log"
  log "LocalStack answers on http://127.0.0.1:$PORT after $(since "$t") (whole start $(since "$t0")); log $STATE/localstack.log"
}

cmd_stop() {
  if alive "$STATE/localstack.pid"; then
    local pid
    pid=$(cat "$STATE/localstack.pid")
    kill "$pid"
    for _ in $(seq 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "LocalStack stopped"
  fi
  rm -f "$STATE/localstack.pid"
  cmd_cassandra_stop
  cmd_registry_stop
  cmd_docker_stop
}

# The Lambdas' Cassandra, two ways (LAMBDA_CASSANDRA):
#  - container (default): the Cassandra 5 image built here (`cassandra-image`), on the recsys-local
#    network at $CASSANDRA_IP (CQL 9042 there, advertised as that address in system.local, so the
#    driver in the Lambdas keeps using it), CQL published on 127.0.0.1:$CASSANDRA_PORT only for
#    `recsys db migrate` on the host;
#  - jvm: the project's own JVM launcher (`recsys cassandra start`, mode jvm) with its own state dir
#    and ports (CQL 127.0.0.1:$CASSANDRA_PORT), and a TCP forwarder from the bridge address, since
#    that Cassandra listens on loopback only.
# Either way the local profile's schema and the per-function roles come from `recsys db migrate`
# (keyspace recsys_local) as the default superuser; deploy.sh points the stack at
# `cassandra-address` (RECSYS_LAMBDA_CASSANDRA overrides it). Never 9042 on the host.
CASSANDRA_PORT="${LAMBDA_CASSANDRA_PORT:-9543}"
CASSANDRA_MODE="${LAMBDA_CASSANDRA:-container}"
[[ $CASSANDRA_MODE == container || $CASSANDRA_MODE == jvm ]] || die "LAMBDA_CASSANDRA must be container or jvm, got \"$CASSANDRA_MODE\""
CASSANDRA_IP="$SUBNET_PREFIX.2"
CASSANDRA_CONTAINER=recsys-lambda-cassandra
CASSANDRA_IMAGE=recsys-local/cassandra:5.0.6
JRE_IMAGE="recsys-local/debian:$SUITE-jre17"
# One stamp per engine: each has its own copy of the image.
if [[ $SOCK == "$PRIVATE_SOCK" ]]; then CASSANDRA_STAMP="$STATE/cassandra-image.stamp"; else CASSANDRA_STAMP="$STATE/cassandra-image$(echo "$SOCK" | tr / -).stamp"; fi
CASSANDRA_HEAP="${CASSANDRA_HEAP:-768m}"
NODE="$ROOT/node_modules/node/bin/node" # Node 22, as under npm scripts
cassandra_env() {
  export RECSYS_CASSANDRA_MODE=jvm RECSYS_CASSANDRA_STATE_DIR="$STATE/cassandra"
  export CASSANDRA_PORT CASSANDRA_STORAGE_PORT=$((CASSANDRA_PORT - 2000)) CASSANDRA_HEAP
  export CASSANDRA_CONTACT_POINTS="127.0.0.1:$CASSANDRA_PORT" RECSYS_KEYSPACE="${RECSYS_KEYSPACE:-recsys_local}"
}

cmd_cassandra_address() {
  if [[ $CASSANDRA_MODE == container ]]; then echo "$CASSANDRA_IP:9042"; else echo "$GATEWAY_IP:$CASSANDRA_PORT"; fi
}

# The image's inputs; a change to any of them rebuilds it.
cassandra_image_inputs() {
  echo "$HERE/cassandra-image.Dockerfile" "$HERE/cassandra-entrypoint.sh" "$HERE/cassandra-image.ts" \
    "$ROOT"/scripts/runtime/cassandra/{pom.xml,cassandra.yaml,logback.xml,jvm.ts}
}

# Debian rootfs with OpenJDK 17 (mmdebstrap, cached tarball, `docker import`) + the JVM path's jars,
# yaml, logback and JVM arguments (cassandra-image.ts context) → recsys-local/cassandra:5.0.6.
cmd_cassandra_image() {
  local t tar ctx input
  t=$(now_ms)
  cmd_docker_start
  mkdir -p "$IMAGES" "$STATE"
  tar="$IMAGES/debian-$SUITE-jre17.tar"
  debian_image "$tar" "$SUITE" openjdk-17-jre-headless "$JRE_IMAGE" JRE "$t"
  if docker image inspect "$CASSANDRA_IMAGE" >/dev/null 2>&1 && [[ -f "$CASSANDRA_STAMP" ]]; then
    local stale=
    for input in $(cassandra_image_inputs); do [[ "$input" -nt "$CASSANDRA_STAMP" ]] && stale=1; done
    if [[ -z $stale ]]; then
      log "$CASSANDRA_IMAGE up to date"
      return
    fi
  fi
  ctx=$(mktemp -d)
  (
    cassandra_env # the JVM path's state dir: the same cached classpath
    cd "$ROOT"
    "$NODE" --import tsx "$HERE/cassandra-image.ts" context "$ctx"
  ) || die "could not assemble the Cassandra image's build context"
  install -m 0755 "$HERE/cassandra-entrypoint.sh" "$ctx/cassandra-entrypoint.sh"
  docker build -q --build-arg "BASE=$JRE_IMAGE" -f "$HERE/cassandra-image.Dockerfile" \
    -t "$CASSANDRA_IMAGE" "$ctx" >/dev/null 2>"$STATE/cassandra-build.log" ||
    die "Cassandra image build failed: see $STATE/cassandra-build.log"
  rm -rf "$ctx"
  touch "$CASSANDRA_STAMP"
  log "$CASSANDRA_IMAGE built in $(since "$t") ($(docker image inspect --format '{{.Size}}' "$CASSANDRA_IMAGE" | awk '{printf "%d MB", $1 / 1e6}'))"
}

cmd_cassandra_start() {
  local t
  t=$(now_ms)
  if [[ $CASSANDRA_MODE == container ]]; then
    cmd_docker_start
    cmd_network
    cmd_cassandra_image
    # A fresh container each start: LocalStack keeps no state, so neither does this Cassandra (an
    # active model left from an earlier run points at S3 objects the new bucket lacks).
    docker rm -f "$CASSANDRA_CONTAINER" >/dev/null 2>&1 || true
    docker run --detach --name "$CASSANDRA_CONTAINER" --network "$NETWORK" --ip "$CASSANDRA_IP" \
      --publish "127.0.0.1:$CASSANDRA_PORT:9042" --env "MAX_HEAP_SIZE=$CASSANDRA_HEAP" \
      --env "CASSANDRA_BROADCAST_RPC_ADDRESS=$CASSANDRA_IP" "$CASSANDRA_IMAGE" >/dev/null
    (
      cassandra_env
      cd "$ROOT"
      # Wait on the container's own address (the host is on the bridge): through the published
      # port docker-proxy accepts before Cassandra listens, and a probe loop there took 60 s more
      # than the server did (twice); the address refuses at once until CQL is up. Then check the
      # published port the migration uses.
      "$NODE" --import tsx "$HERE/cassandra-image.ts" wait "$CASSANDRA_IP:9042" 180 &&
        "$NODE" --import tsx "$HERE/cassandra-image.ts" wait "127.0.0.1:$CASSANDRA_PORT" 30 ||
        { docker logs --tail 30 "$CASSANDRA_CONTAINER" >&2; exit 1; }
      "$NODE" bin/recsys.mjs db migrate
    )
  else
    if ! alive "$STATE/cassandra/cassandra.pid"; then rm -rf "$STATE/cassandra/data"; fi
    (
      cassandra_env
      cd "$ROOT"
      "$NODE" bin/recsys.mjs cassandra start
      "$NODE" bin/recsys.mjs db migrate
    )
    if ! alive "$STATE/tcp-forward.pid"; then
      "$NODE" "$HERE/tcp-forward.mjs" "$GATEWAY_IP:$CASSANDRA_PORT" "127.0.0.1:$CASSANDRA_PORT" >"$STATE/tcp-forward.log" 2>&1 &
      echo $! >"$STATE/tcp-forward.pid"
    fi
  fi
  log "Cassandra ($CASSANDRA_MODE) for the Lambdas at $(cmd_cassandra_address) in $(since "$t")"
}

# Stops both kinds, whichever LAMBDA_CASSANDRA says.
cmd_cassandra_stop() {
  if docker_up && docker inspect "$CASSANDRA_CONTAINER" >/dev/null 2>&1; then
    docker rm -f "$CASSANDRA_CONTAINER" >/dev/null && log "container $CASSANDRA_CONTAINER removed"
  fi
  if alive "$STATE/tcp-forward.pid"; then kill "$(cat "$STATE/tcp-forward.pid")"; fi
  rm -f "$STATE/tcp-forward.pid"
  if [[ -f "$STATE/cassandra/cassandra.pid" ]]; then
    (
      cassandra_env
      cd "$ROOT"
      "$NODE" bin/recsys.mjs cassandra stop
    ) || true
  fi
}

cmd_env() {
  cat <<EOF
export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT
export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$PORT
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=us-east-1
export AWS_REGION=us-east-1
export LOCALSTACK_HOSTNAME=127.0.0.1
export EDGE_PORT=$PORT
export RECSYS_DOCKER_HOST=$DOCKER_HOST
EOF
}

cmd_status() {
  docker_up && echo "dockerd: up ($SOCK)" || echo "dockerd: down"
  alive "$STATE/registry.pid" && echo "registry: up (127.0.0.1:$REGISTRY_PORT)" || echo "registry: down"
  health && echo "localstack: up (http://127.0.0.1:$PORT)" || echo "localstack: down"
}

cmd_smoke() {
  "$VENV/bin/python" "$HERE/smoke-lambda.py" --endpoint "http://127.0.0.1:$PORT"
}

case "${1:-}" in
  apt) cmd_apt ;;
  packages) cmd_packages ;;
  venv) cmd_venv ;;
  docker-start) cmd_docker_start ;;
  docker-stop) cmd_docker_stop ;;
  images) cmd_docker_start && cmd_images && touch "$STATE/images.stamp" ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) cmd_env ;;
  status) cmd_status ;;
  smoke) cmd_smoke ;;
  cassandra-start) cmd_cassandra_start ;;
  cassandra-stop) cmd_cassandra_stop ;;
  cassandra-image) cmd_cassandra_image ;;
  cassandra-address) cmd_cassandra_address ;;
  *)
    sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
