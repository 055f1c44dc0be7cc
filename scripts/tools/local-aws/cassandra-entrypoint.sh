#!/bin/sh
# Entrypoint of the Cassandra image (cassandra-image.Dockerfile). Writes the project's
# cassandra.yaml with this container's addresses, then runs CassandraDaemon in the foreground
# with the JVM path's arguments (jvm.args) and these, in this order, after them:
#   MAX_HEAP_SIZE                    -Xmx (jvm.args has 768m)
#   CASSANDRA_BROADCAST_RPC_ADDRESS  the address drivers are told to use (system.local
#                                    rpc_address, and peers'): default the container's own
#   JVM_EXTRA_OPTS                   more JVM options
set -eu
ip=$(hostname -i | cut -d' ' -f1)
rpc=${CASSANDRA_BROADCAST_RPC_ADDRESS:-$ip}
mkdir -p /var/lib/cassandra/data /var/lib/cassandra/log
sed -e "s/^listen_address: .*/listen_address: $ip/" \
  -e "s/^rpc_address: .*/rpc_address: 0.0.0.0\nbroadcast_rpc_address: $rpc/" \
  -e "s/- seeds: .*/- seeds: '$ip:7000'/" \
  /etc/cassandra/cassandra.yaml >/var/lib/cassandra/cassandra.yaml
heap=
if [ -n "${MAX_HEAP_SIZE:-}" ]; then heap="-Xmx$MAX_HEAP_SIZE"; fi
echo "cassandra-entrypoint: listen $ip, rpc 0.0.0.0:9042 (advertised $rpc)${heap:+, $heap}" >&2
# shellcheck disable=SC2086 # JVM_EXTRA_OPTS is a list of options
exec java @/etc/cassandra/jvm.args $heap ${JVM_EXTRA_OPTS:-} org.apache.cassandra.service.CassandraDaemon
