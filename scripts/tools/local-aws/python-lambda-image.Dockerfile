# Lambda runtime image for python3.13 under LocalStack (CDK's own custom-resource handlers use it),
# built from package registries only: FROM a Debian trixie minbase rootfs with Debian's python3.13
# (mmdebstrap, `docker import`), plus AWS's runtime interface client awslambdaric from PyPI in
# /var/runtime. Our init (lambda-init.mjs, run by the Node 22 binary of the `node` devDependency)
# hands over to runtime-api-bridge.mjs, which serves awslambdaric the Lambda Runtime API on
# 127.0.0.1:9001 and relays to LocalStack (RECSYS_RUNTIME_BRIDGE, RECSYS_RUNTIME_COMMAND).
ARG BASE=recsys-local/debian:trixie-python3.13
FROM ${BASE}
COPY node /var/lang/bin/node
COPY runtime /var/runtime
COPY runtime-api-bridge.mjs /var/runtime/runtime-api-bridge.mjs
COPY lambda-init.mjs /var/rapid/init
RUN mkdir -p /var/task /opt
ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin:/bin \
    LANG=C.UTF-8 \
    TZ=:/etc/localtime \
    LAMBDA_TASK_ROOT=/var/task \
    LAMBDA_RUNTIME_DIR=/var/runtime \
    PYTHONPATH=/var/runtime \
    PYTHONUNBUFFERED=1 \
    RECSYS_RUNTIME_BRIDGE=/var/runtime/runtime-api-bridge.mjs \
    RECSYS_RUNTIME_COMMAND="/usr/bin/python3.13 -m awslambdaric" \
    RECSYS_RUNTIME_EXECUTION_ENV=AWS_Lambda_python3.13
WORKDIR /var/task
ENTRYPOINT ["/var/rapid/init"]
