"""One writer at a time: a lease object (``lease.json``) with an owner and an expiry.

The lease holds ``{"owner", "host", "pid", "acquired_at", "expires_at"}`` (times in UTC epoch
seconds). A writer takes it before it writes anything, renews it every ``seconds / 3`` from a
daemon thread while it works (a long refresh keeps it), checks it is still the holder just
before switching the store's pointer, and deletes it when done.

Rules:

* An unexpired lease of another owner: :class:`StoreBusy`, naming the holder and the time its
  lease ends.
* A stale lease is taken over: expired, or held by a process of this same host that no longer
  runs (a killed CLI then does not block the next one for the whole lease time).
* Taking, renewing and taking over are **conditional writes** where the storage has them
  (local folder: a file lock around read-compare-write; S3: ``If-None-Match: *`` to create,
  ``If-Match: <ETag>`` to replace), so two writers can never both succeed.
* Where the storage has no conditional write (GCS/Azure through fsspec, ``memory://``), the
  lease is written, then read back after ``SETTLE`` seconds, and kept only if it still names us.
  **Race window**: two writers that both read "free" and whose writes land within ``SETTLE`` of
  each other can each read back their own lease if their read-backs fall between the writes
  (A writes, A reads A, B writes, B reads B): both then believe they hold it. The window is the
  time between one writer's read of "free" and its read-back (network round trips plus
  ``SETTLE``); the pointer check before commit narrows what can go wrong to two commits in quick
  succession, each of which is still a complete generation (objects are content-addressed and
  immutable, so neither can corrupt the other), the later one winning. On S3 the conditional
  writes close this window.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass

import pandas as pd

from data_sources.errors import StoreError
from data_sources.storage import Stamped, Storage

LEASE_NAME = "lease.json"
LEASE_SECONDS = 60.0
SETTLE = 0.2


class StoreBusy(StoreError):
    """Another writer holds the store's lease."""


@dataclass(frozen=True)
class LeaseInfo:
    owner: str
    host: str
    pid: int
    expires_at: float

    @property
    def until(self) -> str:
        stamp = pd.Timestamp(self.expires_at, unit="s", tz="UTC")
        return str(stamp.strftime("%Y-%m-%d %H:%M:%S UTC"))

    def stale(self, now: float) -> bool:
        """Expired, or held by a process of this host that has ended."""
        return now >= self.expires_at or (
            self.host == socket.gethostname() and not _process_runs(self.pid)
        )


def _process_runs(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _parse(stamped: Stamped) -> LeaseInfo | None:
    """The lease in ``stamped``; None when it is unreadable (a torn write counts as free)."""
    try:
        document = json.loads(stamped.data)
        return LeaseInfo(
            owner=str(document["owner"]),
            host=str(document["host"]),
            pid=int(document["pid"]),
            expires_at=float(document["expires_at"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


class Lease:
    """The write lease of one store; use as a context manager."""

    def __init__(self, storage: Storage, seconds: float = LEASE_SECONDS) -> None:
        self.storage = storage
        self.seconds = seconds
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._token: str | None = None
        self._lost: str | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._renewer: threading.Thread | None = None

    def _document(self) -> bytes:
        now = time.time()
        return json.dumps(
            {
                "owner": self.owner,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "acquired_at": now,
                "expires_at": now + self.seconds,
            }
        ).encode()

    def _busy(self, holder: LeaseInfo) -> StoreBusy:
        return StoreBusy(
            f"the store {self.storage.display} is being written by {holder.owner} "
            f"(lease held until {holder.until}); try again after that"
        )

    def acquire(self) -> None:
        """Take the lease or raise :class:`StoreBusy`."""
        current = self.storage.read_stamped(LEASE_NAME)
        data = self._document()
        if current is not None:
            holder = _parse(current)
            if holder is not None and not holder.stale(time.time()):
                raise self._busy(holder)
        if self.storage.conditional:
            token = (
                self.storage.create_exclusive(LEASE_NAME, data)
                if current is None
                else self.storage.replace_if(LEASE_NAME, data, current.token)
            )
            if token is None:
                raise self._busy_now()
        else:
            self.storage.write(LEASE_NAME, data)
            time.sleep(SETTLE)
            if self.storage.read(LEASE_NAME) != data:
                raise self._busy_now()
            token = data.hex()
        self._token = token
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew_loop, daemon=True, name="lease")
        self._renewer.start()

    def _busy_now(self) -> StoreBusy:
        stamped = self.storage.read_stamped(LEASE_NAME)
        holder = _parse(stamped) if stamped is not None else None
        if holder is None:
            return StoreBusy(f"another writer took the store {self.storage.display} just now")
        return self._busy(holder)

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            self.renew()

    def renew(self) -> None:
        """Push the expiry ``seconds`` ahead; remembers (and :meth:`check` raises) a lost lease."""
        with self._lock:
            if self._lost or self._token is None:
                return
            data = self._document()
            token: str | None = None
            try:
                if self.storage.conditional:
                    token = self.storage.replace_if(LEASE_NAME, data, self._token)
                elif _parse_bytes(self.storage.read(LEASE_NAME)) == self.owner:
                    self.storage.write(LEASE_NAME, data)
                    token = data.hex()
            except OSError as exc:
                self._lost = f"the lease could not be renewed ({exc})"
                return
            if token is None:
                self._lost = "another writer took over the lease"
                return
            self._token = token

    def check(self) -> None:
        """Raise :class:`StoreBusy` unless this writer still holds the lease."""
        with self._lock:
            data = self.storage.read(LEASE_NAME)
            holder = _parse(Stamped(data, "")) if data is not None else None
            if self._lost is None and (holder is None or holder.owner != self.owner):
                self._lost = "another writer took over the lease"
            if self._lost is None and holder is not None and holder.expires_at <= time.time():
                self._lost = "the lease expired"
        if self._lost is not None:
            raise StoreBusy(f"the write to {self.storage.display} was abandoned: {self._lost}")

    def release(self) -> None:
        """Stop renewing and delete the lease if it is still ours."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
        with self._lock:
            if _parse_bytes(self.storage.read(LEASE_NAME)) == self.owner:
                self.storage.delete(LEASE_NAME)
            self._token = None

    def __enter__(self) -> Lease:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _parse_bytes(data: bytes | None) -> str | None:
    """The owner named in lease bytes, or None."""
    if data is None:
        return None
    holder = _parse(Stamped(data, ""))
    return holder.owner if holder else None
