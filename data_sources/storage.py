"""Where the store's bytes live: a local folder or any fsspec URL, behind one small interface.

``open_storage(location, storage_options)`` accepts a plain path (``~/cache/investable``) or an
fsspec URL (``s3://bucket/prefix``, ``gs://bucket/prefix``, ``az://container/prefix``,
``memory://name``). Every name below is relative to that root, with ``/`` separators.

Writes are atomic per object:

* **local folder**: the bytes go to a temporary file in the same folder, are flushed to disk
  (``fsync``) and renamed over the target (``os.replace``); a killed writer leaves the old file
  or the new one, never half of one, and at worst a ``.*.tmp`` file that the store's garbage
  collection removes.
* **object storage**: one ``PUT`` of the whole object, which S3, GCS and Azure make visible
  all at once (strong read-after-write consistency on all three).

Conditional writes, for the writer lease (:mod:`data_sources.lease`):

* local folder: a :class:`filelock.FileLock` beside the object makes read-compare-write one step;
* S3: ``PutObject`` with ``If-None-Match: *`` (create only if absent) and ``If-Match: <ETag>``
  (replace only what we read), which AWS S3 has honoured since 2024 (and moto, MinIO, R2 too);
* anything else: no conditional primitive, so :attr:`Storage.conditional` is False and the
  lease falls back to write-then-read-back (see the race window described there).

S3 endpoint and credentials come from the usual places, in s3fs/botocore's own order:
``storage_options`` (``key``, ``secret``, ``token``, ``endpoint_url``, ``client_kwargs``) win;
then fsspec's configuration, which maps ``FSSPEC_S3_<KWARG>`` environment variables (read once,
when fsspec is imported: e.g. ``FSSPEC_S3_ENDPOINT_URL=http://127.0.0.1:9000``) and
``~/.config/fsspec/*.json`` to s3fs keyword arguments; then botocore's chain:
``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN``, ``AWS_PROFILE`` and
``~/.aws/credentials``, ``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``
(a MinIO, R2 or moto endpoint), and instance roles. ``s3fs`` is a dependency; GCS and Azure
need the extras ``gcs`` (``gcsfs``) / ``azure`` (``adlfs``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import fsspec
from filelock import FileLock

from data_sources.errors import StoreError

INSTALL_HINTS = {
    "s3": "s3fs",
    "gs": "gcsfs (pip install 'investable[gcs]')",
    "az": "adlfs (pip install 'investable[azure]')",
}


def is_url(location: str) -> bool:
    """True for ``scheme://…`` locations other than ``file://``."""
    scheme = urlsplit(location).scheme
    return "://" in location and len(scheme) > 1 and scheme != "file"


def display_location(location: str) -> str:
    """The location without any ``user:password@`` part (safe to show and log)."""
    if not is_url(location):
        return location
    parts = urlsplit(location)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


@dataclass(frozen=True)
class Stamped:
    """An object's bytes and the token a conditional write compares against."""

    data: bytes
    token: str


class Storage:
    """Objects under one root of one fsspec filesystem."""

    def __init__(self, fs: Any, root: str, *, local: bool, display: str) -> None:
        self.fs = fs
        self.root = root.rstrip("/")
        self.local = local
        self.display = display
        protocols = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
        self.s3 = "s3" in protocols or "s3a" in protocols
        self.conditional = local or self.s3

    def path(self, name: str) -> str:
        return f"{self.root}/{name}"

    # ---- reading ---------------------------------------------------------------------------

    def read(self, name: str) -> bytes | None:
        """The object's bytes, or None when it does not exist."""
        try:
            data: bytes = self.fs.cat_file(self.path(name))
        except FileNotFoundError:
            return None
        except IsADirectoryError as exc:
            raise StoreError(f"{self.display}/{name} is a folder, not a store object") from exc
        return data

    def read_stamped(self, name: str) -> Stamped | None:
        """Bytes plus a version token (S3: the ETag read first; elsewhere the bytes)."""
        if self.s3:
            try:
                etag = str(self.fs.info(self.path(name))["ETag"])
            except FileNotFoundError:
                return None
            data = self.read(name)
            return None if data is None else Stamped(data, etag)
        data = self.read(name)
        return None if data is None else Stamped(data, data.hex())

    def exists(self, name: str) -> bool:
        return bool(self.fs.exists(self.path(name)))

    def list(self, folder: str) -> list[str]:
        """Names (relative to the root) of the objects under ``folder``, recursively."""
        if not self.local:
            self.fs.invalidate_cache()
        base = self.path(folder)
        try:
            found = self.fs.find(base)
        except FileNotFoundError:
            return []
        root = self.fs._strip_protocol(self.root).rstrip("/") + "/"
        names = []
        for path in found:
            stripped = self.fs._strip_protocol(path)
            if stripped.startswith(root):
                names.append(stripped[len(root) :])
        return sorted(names)

    # ---- writing ---------------------------------------------------------------------------

    def write(self, name: str, data: bytes) -> None:
        """Replace the object with ``data`` atomically (see the module docstring)."""
        if self.local:
            _atomic_local_write(Path(self.path(name)), data)
        else:
            self.fs.pipe_file(self.path(name), data)

    def delete(self, name: str) -> None:
        try:
            if self.local:
                Path(self.path(name)).unlink(missing_ok=True)
            else:
                self.fs.rm_file(self.path(name))
        except FileNotFoundError:
            pass

    def create_exclusive(self, name: str, data: bytes) -> str | None:
        """Write only if no such object exists. Returns the new version token, or None when
        the object exists. Needs :attr:`conditional`."""
        if self.local:
            with self._guard(name):
                if Path(self.path(name)).exists():
                    return None
                self.write(name, data)
                return data.hex()
        return self._put_conditionally(name, data, IfNoneMatch="*")

    def replace_if(self, name: str, data: bytes, token: str) -> str | None:
        """Write only if the object is still the version ``token`` came from. Returns the new
        version token, or None when the object changed or vanished."""
        if self.local:
            with self._guard(name):
                current = self.read(name)
                if current is None or current.hex() != token:
                    return None
                self.write(name, data)
                return data.hex()
        return self._put_conditionally(name, data, IfMatch=token)

    def _put_conditionally(self, name: str, data: bytes, **condition: str) -> str | None:
        try:
            answer = self.fs.pipe_file(self.path(name), data, **condition)
        except (FileNotFoundError, FileExistsError):
            return None
        except OSError as exc:
            if "pre-condition" in str(exc) or "Precondition" in str(exc):
                return None
            raise
        etag = answer.get("ETag") if isinstance(answer, dict) else None
        if etag is None:
            stamped = self.read_stamped(name)
            return stamped.token if stamped is not None and stamped.data == data else None
        return str(etag)

    def _guard(self, name: str) -> FileLock:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(path.with_name(f".{path.name}.lock")), timeout=30)


def _atomic_local_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def open_storage(location: str, storage_options: Mapping[str, Any] | None = None) -> Storage:
    """A :class:`Storage` for a path or fsspec URL; raises :class:`StoreError` for a location
    that is an existing file or whose filesystem package is not installed."""
    display = display_location(location)
    if not is_url(location):
        path = Path(location.removeprefix("file://")).expanduser()
        if path.is_file():
            raise StoreError(f"{path} is a file; the store needs a folder (or an s3:// URL)")
        fs = fsspec.filesystem("file")
        return Storage(fs, str(path.absolute()), local=True, display=str(path))
    options = dict(storage_options or {})
    scheme = urlsplit(location).scheme
    if scheme in ("s3", "s3a"):
        options.setdefault("use_listings_cache", False)
    try:
        fs, root = fsspec.core.url_to_fs(location, **options)
    except ImportError as exc:
        need = INSTALL_HINTS.get(scheme, f"the fsspec package for {scheme}://")
        raise StoreError(f"the store {display} needs {need}, which is not installed") from exc
    except ValueError as exc:
        raise StoreError(f"the store location {display} is not usable: {exc}") from exc
    return Storage(fs, root, local=False, display=display)
