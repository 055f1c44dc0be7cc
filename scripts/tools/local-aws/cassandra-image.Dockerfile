# Cassandra 5 image built from package registries only (docs/local-aws.md): FROM the Debian rootfs
# with OpenJDK 17 that local-aws.sh builds with mmdebstrap and `docker import`s, plus the same
# Cassandra 5.0.6 jars the JVM path resolves with Maven (scripts/runtime/cassandra/pom.xml), the
# project's cassandra.yaml (logins and grants on) and logback.xml, and the JVM path's own arguments
# (jvm.args, written by cassandra-image.ts from jvm.ts jvmArguments). CQL on 9042 of the
# container's address, like the cassandra:5 image; the entrypoint takes the same MAX_HEAP_SIZE,
# CASSANDRA_BROADCAST_RPC_ADDRESS and JVM_EXTRA_OPTS variables as that image.
ARG BASE=recsys-local/debian:bookworm-jre17
FROM ${BASE}
RUN useradd --system --uid 999 --user-group --home-dir /var/lib/cassandra --create-home cassandra
COPY lib /opt/cassandra/lib
COPY cassandra.yaml logback.xml jvm.args cassandra-entrypoint.sh /etc/cassandra/
ENV PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8
USER cassandra
WORKDIR /var/lib/cassandra
EXPOSE 9042 7000
ENTRYPOINT ["/etc/cassandra/cassandra-entrypoint.sh"]
