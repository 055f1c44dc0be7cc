# The `cassandra` service's build in docker-compose.yml, for machines that cannot pull `cassandra:5`
# (compose v2 and later pull first and build only when the pull fails). Compose cannot run
# mmdebstrap, so the image itself comes from
#   LOCAL_AWS_DOCKER_SOCK=/var/run/docker.sock scripts/tools/local-aws/local-aws.sh cassandra-image
# (Debian's OpenJDK 17 + the JVM path's Maven jars; it reads the same MAX_HEAP_SIZE and
# CASSANDRA_BROADCAST_RPC_ADDRESS variables as cassandra:5). This build only names it for compose.
ARG LOCAL_IMAGE=recsys-local/cassandra:5.0.6
FROM ${LOCAL_IMAGE}
