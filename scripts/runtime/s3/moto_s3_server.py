"""Serves moto's S3 backend alone on HOST PORT, for `recsys s3 start` when LocalStack cannot run.

moto_server dispatches every request across all ~150 moto services under one global lock, listing
moto's package directory on each call; S3 alone skips that. Nagle is off because Werkzeug writes
headers and body separately, and with keep-alive clients each small response then waits out a
delayed ACK (measured: ~18 ms per PutObject with it, ~8 ms without).

With DATA_DIR, what moto stores survives a restart: every request that created or deleted a bucket
or an object is followed, before its response leaves, by writing that bucket's or object's current
state (bytes, ETag, Last-Modified, content type and other metadata, checksum) under DATA_DIR, one
file per object, and start-up loads it all back into moto's backend. Kept: buckets and the latest version of each object.
Not kept: versions, tags, ACLs, bucket configuration, unfinished multipart uploads. Writes are
atomic (new file, then rename) but not fsynced: a clean stop or reboot keeps everything, a power cut
can lose the last writes.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import signal
import sys
import threading
import uuid
from typing import Any, Callable, Iterable

from moto import __version__ as moto_version
from moto.moto_server.werkzeug_app import MotoRequestHandler, create_backend_app
from moto.s3.models import FakeKey, S3Backend, s3_backends
from moto.utilities.utils import LowercaseDict, get_partition
from werkzeug.serving import run_simple


class NoDelayRequestHandler(MotoRequestHandler):
    disable_nagle_algorithm = True


# Bucket names that are safe as directory names as they are; any other gets a hashed directory.
SAFE_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,62}$")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return None


def _write_atomic(path: str, *chunks: bytes) -> None:
    tmp = f"{path}.{uuid.uuid4().hex}.tmp"
    with open(tmp, "wb") as f:
        for chunk in chunks:
            f.write(chunk)
    os.replace(tmp, path)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


class DiskStore:
    """Write-through copy of moto's S3 buckets and objects.

    DATA_DIR/<bucket>/bucket.json names the bucket; DATA_DIR/<bucket>/objects/<sha256(key)>.obj holds
    one object: a line of JSON (key, ETag, metadata, ...) and then its bytes. A new version is
    written to a temporary file and renamed over the old one, so a crash at any point leaves either
    the old object or the new one; temporary files left behind are removed at start-up.
    """

    STRIPES = 64

    def __init__(self, root: str) -> None:
        self.root = root
        # One lock per stripe of keys: two requests writing the same key must write in the order
        # they read moto's state, while different keys are written side by side.
        self.locks = [threading.Lock() for _ in range(self.STRIPES)]
        self.local = threading.local()

    def _lock(self, bucket_name: str, key_name: str | None) -> threading.Lock:
        digest = hashlib.blake2b(f"{bucket_name}/{key_name}".encode(), digest_size=4).digest()
        return self.locks[int.from_bytes(digest, "big") % self.STRIPES]

    # Noting and flushing. moto sets an object's metadata after put_object returns, so the hooks only
    # note what changed and the request's end writes the state moto then holds.

    def begin(self) -> None:
        self.local.pending = []

    def note(self, backend: S3Backend, bucket_name: str, key_name: str | None) -> None:
        pending = getattr(self.local, "pending", None)
        if pending is not None:
            pending.append((backend, bucket_name, key_name))

    def flush(self) -> None:
        pending = getattr(self.local, "pending", None) or []
        self.local.pending = None
        for backend, bucket_name, key_name in dict.fromkeys(pending):
            with self._lock(bucket_name, key_name):
                if key_name is None:
                    self._sync_bucket(backend, bucket_name)
                else:
                    self._sync_key(backend, bucket_name, key_name)

    def stop(self) -> None:
        """Waits for writes under way and lets no new one start, so the process can end."""
        for lock in self.locks:
            lock.acquire()

    def _bucket_dir(self, name: str) -> str:
        return os.path.join(self.root, name if SAFE_BUCKET.match(name) else "b-" + _sha256(name))

    def _sync_bucket(self, backend: S3Backend, name: str) -> None:
        directory = self._bucket_dir(name)
        bucket = backend.buckets.get(name)
        if bucket is None:
            # Only empty buckets can be deleted, so nothing but bucket.json and leftovers remain.
            for sub, _dirs, files in os.walk(directory, topdown=False):
                for f in files:
                    _remove(os.path.join(sub, f))
                os.rmdir(sub)
            return
        os.makedirs(os.path.join(directory, "objects"), exist_ok=True)
        info = {
            "name": name,
            "account_id": bucket.account_id,
            "region": bucket.region_name,
            "created": bucket.creation_date.isoformat(),
        }
        _write_atomic(os.path.join(directory, "bucket.json"), json.dumps(info).encode())

    def _sync_key(self, backend: S3Backend, bucket_name: str, key_name: str) -> None:
        bucket = backend.buckets.get(bucket_name)
        if bucket is None:
            return
        directory = self._bucket_dir(bucket_name)
        if not os.path.exists(os.path.join(directory, "bucket.json")):
            self._sync_bucket(backend, bucket_name)
        path = os.path.join(directory, "objects", _sha256(key_name) + ".obj")
        key = bucket.keys.get(key_name)
        value = None
        if isinstance(key, FakeKey):
            try:
                value = key.value
            except ValueError:
                # Deleted (its buffer closed) by a request running beside this one, which writes that.
                value = None
        if value is None:
            _remove(path)
            return
        meta = {
            "key": key_name,
            "size": len(value),
            "etag": key.etag.strip('"'),
            "last_modified": key.last_modified.isoformat(),
            "storage_class": key.storage_class,
            "metadata": dict(key.metadata.items()),
            "checksum_algorithm": key.checksum_algorithm,
            "checksum_value": key.checksum_value,
            "checksum_type": key.checksum_type,
            "checksum_parts": key.checksum_parts,
        }
        # json.dumps escapes newlines inside strings, so the header is exactly the first line.
        _write_atomic(path, json.dumps(meta).encode() + b"\n", value)

    # Start-up.

    def restore(self) -> tuple[int, int, int]:
        """Loads every stored bucket and object into moto; returns (buckets, objects, bytes)."""
        os.makedirs(self.root, exist_ok=True)
        buckets = objects = size = 0
        for entry in sorted(os.listdir(self.root)):
            directory = os.path.join(self.root, entry)
            info = _read_json(os.path.join(directory, "bucket.json"))
            if not info:
                continue
            for name in os.listdir(directory):
                if name.endswith(".tmp"):
                    _remove(os.path.join(directory, name))
            backend = s3_backends[info["account_id"]][get_partition(info["region"])]
            bucket = backend.create_bucket(info["name"], info["region"])
            bucket.creation_date = datetime.datetime.fromisoformat(info["created"])
            buckets += 1
            object_dir = os.path.join(directory, "objects")
            os.makedirs(object_dir, exist_ok=True)
            for name in sorted(os.listdir(object_dir)):
                path = os.path.join(object_dir, name)
                if not name.endswith(".obj"):
                    # A write cut short by the end of the process.
                    _remove(path)
                    continue
                with open(path, "rb") as f:
                    try:
                        meta = json.loads(f.readline())
                    except ValueError:
                        meta = {}
                    value = f.read()
                if meta.get("size") != len(value):
                    # Only a crash of the machine (writes are not fsynced) can leave one like this.
                    print(f"skipping {path}: damaged (header or size wrong)", file=sys.stderr)
                    continue
                key = backend.put_object(
                    info["name"],
                    meta["key"],
                    value,
                    storage=meta["storage_class"],
                    etag=meta["etag"],
                    disable_notification=True,
                )
                key._metadata = LowercaseDict()
                key.set_metadata(dict(meta["metadata"]))
                key.last_modified = datetime.datetime.fromisoformat(meta["last_modified"])
                key.checksum_algorithm = meta["checksum_algorithm"]
                key.checksum_value = meta["checksum_value"]
                key.checksum_type = meta["checksum_type"]
                key.checksum_parts = meta["checksum_parts"]
                objects += 1
                size += len(value)
        return buckets, objects, size

    def install(self) -> None:
        """Wraps the S3Backend calls every create and delete of buckets and objects goes through."""
        store = self
        put_object = S3Backend.put_object
        delete_object = S3Backend.delete_object
        create_bucket = S3Backend.create_bucket
        delete_bucket = S3Backend.delete_bucket

        # Parameters named as moto names them, so positional and keyword calls both bind.
        def put(self: S3Backend, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
            key = put_object(self, bucket_name, key_name, *args, **kwargs)
            store.note(self, bucket_name, key_name)
            return key

        def delete(self: S3Backend, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
            result = delete_object(self, bucket_name, key_name, *args, **kwargs)
            store.note(self, bucket_name, key_name)
            return result

        def create(self: S3Backend, bucket_name: str, *args: Any, **kwargs: Any) -> Any:
            bucket = create_bucket(self, bucket_name, *args, **kwargs)
            store.note(self, bucket_name, None)
            return bucket

        def drop(self: S3Backend, bucket_name: str) -> Any:
            bucket = delete_bucket(self, bucket_name)
            store.note(self, bucket_name, None)
            return bucket

        S3Backend.put_object = put  # type: ignore[method-assign]
        S3Backend.delete_object = delete  # type: ignore[method-assign]
        S3Backend.create_bucket = create  # type: ignore[method-assign]
        S3Backend.delete_bucket = drop  # type: ignore[method-assign]

    def wrap(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        """Writes what each request changed before its response is sent; a failed write is a 500."""

        def persisting(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            self.begin()
            result = app(environ, start_response)
            try:
                self.flush()
            except Exception as error:  # noqa: BLE001 - any failure to persist must reach the client
                print(f"persisting to {self.root} failed: {error!r}", file=sys.stderr, flush=True)
                close = getattr(result, "close", None)
                if close:
                    close()
                body = (
                    "<?xml version='1.0' encoding='UTF-8'?><Error><Code>InternalError</Code>"
                    f"<Message>could not persist to {self.root}: {error}</Message></Error>"
                ).encode()
                start_response(
                    "500 Internal Server Error",
                    [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))],
                    sys.exc_info(),
                )
                return [body]
            return result

        return persisting


def main() -> None:
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: moto_s3_server.py HOST PORT [DATA_DIR]")
    host, port = sys.argv[1], int(sys.argv[2])
    app = create_backend_app("s3")
    store = DiskStore(sys.argv[3]) if len(sys.argv) == 4 else None
    if store:
        started = datetime.datetime.now()
        buckets, objects, size = store.restore()
        seconds = (datetime.datetime.now() - started).total_seconds()
        print(
            f"restored {buckets} buckets, {objects} objects ({size / 2**20:.1f} MiB) "
            f"from {store.root} in {seconds:.1f} s",
            flush=True,
        )
        store.install()
        app = store.wrap(app)

    def stop(*_: Any) -> None:
        # SIGTERM from `recsys s3 stop` ends the process quietly, like Ctrl-C, but never halfway
        # through writing a request's changes.
        if store:
            store.stop()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    print(f"moto {moto_version} S3 on http://{host}:{port}", flush=True)
    run_simple(host, port, app, threaded=True, request_handler=NoDelayRequestHandler)


if __name__ == "__main__":
    main()
