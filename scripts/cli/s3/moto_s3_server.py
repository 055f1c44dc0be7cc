"""Serves moto's S3 backend alone on HOST PORT, for `recsys s3 start` when no Docker engine answers.

moto_server dispatches every request across all ~150 moto services under one global lock, listing
moto's package directory on each call; S3 alone skips that. Nagle is off because Werkzeug writes
headers and body separately, and with keep-alive clients each small response then waits out a
delayed ACK (measured: ~18 ms per PutObject with it, ~8 ms without).
"""

import signal
import sys

from moto import __version__ as moto_version
from moto.moto_server.werkzeug_app import MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


class NoDelayRequestHandler(MotoRequestHandler):
    disable_nagle_algorithm = True


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: moto_s3_server.py HOST PORT")
    host, port = sys.argv[1], int(sys.argv[2])
    # SIGTERM from `recsys s3 stop` should end the process quietly, like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"moto {moto_version} S3 on http://{host}:{port}", flush=True)
    run_simple(
        host,
        port,
        create_backend_app("s3"),
        threaded=True,
        request_handler=NoDelayRequestHandler,
    )


if __name__ == "__main__":
    main()
