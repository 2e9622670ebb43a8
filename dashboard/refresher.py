"""The background refresh: one job per store location per process, watched by every session.

No Streamlit here: the app holds one :class:`Refresher` per store location in
``st.cache_resource`` (``dashboard.state.refresher``) and polls :meth:`Refresher.state`.

Rules:

* :meth:`Refresher.start` runs ``store.refresh(progress=…)`` in a daemon thread and returns at
  once. While a job runs, further starts (another session, another tab) join it: there is never
  more than one job per :class:`Refresher`.
* After a refresh that committed something, ``after_commit(store)`` runs in the same thread
  (:func:`dashboard.precompute.precompute` by default). Its failure is noted, not fatal: the data
  is committed and pages compute the model on demand.
* A refresh **fails** when it raises (the store is busy with another writer, damaged, …), when
  every live source is unreachable, or when nothing at all was stored while some series failed.
  Failures are remembered with back-off: after the n-th failure in a row, automatic starts wait
  ``min(BACKOFF_FIRST × 2^(n−1), BACKOFF_MAX)`` seconds (5, 10, 20, 40 minutes, then 1 hour).
  An explicit start (a person pressing "Refresh now") may override it with ``force=True``.
  A success clears the failure count.
* Every session sees new data on its next run because the app's caches are keyed by the store
  generation, which a landed refresh changes; :attr:`RefreshState.generation` records it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

BACKOFF_FIRST = 300.0
BACKOFF_MAX = 3600.0
MAX_LINES = 50


class RefreshResult(Protocol):
    """The part of ``data_sources.store.RefreshReport`` the refresher reads."""

    added: dict[str, int]
    failed: dict[str, str]
    unreachable: bool

    @property
    def message(self) -> str: ...


class RefreshableStore(Protocol):
    def refresh(self, *args: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class RefreshState:
    """What every session may look at. Times are ``clock()`` values (seconds)."""

    running: bool = False
    started_at: float | None = None
    finished_at: float | None = None
    done: int = 0
    total: int = 0
    lines: tuple[str, ...] = ()
    message: str = ""
    succeeded: bool | None = None
    failed_series: dict[str, str] = field(default_factory=dict)
    failures: int = 0
    retry_at: float | None = None
    generation: object = None
    runs: int = 0
    note: str = ""

    def backing_off(self, now: float) -> bool:
        """An automatic start must wait (a recent failure)."""
        return self.retry_at is not None and now < self.retry_at


def backoff_seconds(failures: int) -> float:
    """``min(BACKOFF_FIRST × 2^(failures−1), BACKOFF_MAX)``; 0 without a failure."""
    if failures <= 0:
        return 0.0
    return min(BACKOFF_FIRST * 2.0 ** (failures - 1), BACKOFF_MAX)


def refresh_failed(report: RefreshResult) -> bool:
    """Every source unreachable, or failures with nothing stored (see the module rules)."""
    return bool(report.unreachable or (report.failed and not report.added))


class Refresher:
    """One background refresh of one store location at a time (see the module docstring)."""

    def __init__(
        self,
        open_store: Callable[[], RefreshableStore],
        *,
        after_commit: Callable[[Any], None] | None = None,
        generation_of: Callable[[Any], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if after_commit is None:
            from dashboard.after_commit import after_commit as precompute_and_notify

            after_commit = precompute_and_notify
        self._open_store = open_store
        self._after_commit = after_commit
        self._generation_of = generation_of
        self._clock = clock
        self._lock = threading.Lock()
        self._state = RefreshState()
        self._thread: threading.Thread | None = None

    def state(self) -> RefreshState:
        """A consistent copy of the job's state."""
        with self._lock:
            return self._state

    def start(self, *, force: bool = False) -> bool:
        """Start a refresh in the background; False when one is running or (unless ``force``)
        a recent failure's back-off has not passed."""
        with self._lock:
            now = self._clock()
            if self._state.running or (not force and self._state.backing_off(now)):
                return False
            self._state = replace(
                self._state,
                running=True,
                started_at=now,
                finished_at=None,
                done=0,
                total=0,
                lines=(),
                message="Contacting the sources…",
                succeeded=None,
                failed_series={},
                note="",
                runs=self._state.runs + 1,
            )
            self._thread = threading.Thread(
                target=self._run, name="investable-refresh", daemon=True
            )
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the running job (if any) ends; True when none is running afterwards."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self.state().running

    def _progress(self, provider: str, done: int, total: int, message: str) -> None:
        with self._lock:
            lines = (*self._state.lines, message)[-MAX_LINES:]
            self._state = replace(
                self._state,
                done=done,
                total=total,
                lines=lines,
                message=f"{done} of {total} sources done",
            )

    def _run(self) -> None:
        report: Any = None
        error = ""
        note = ""
        store: Any = None
        try:
            store = self._open_store()
            report = store.refresh(progress=self._progress)
        except Exception as exc:  # StoreBusy, a damaged store, anything: remembered, shown
            error = str(exc) or type(exc).__name__
        failed = bool(error) or refresh_failed(report)
        if report is not None and report.added:
            try:
                self._after_commit(store)
            except Exception as exc:  # the data is in; pages compute the model on demand
                note = f"The model was not precomputed ({exc}); pages compute it on demand."
        generation = None
        if store is not None and self._generation_of is not None:
            try:
                generation = self._generation_of(store)
            except Exception:
                generation = None
        with self._lock:
            now = self._clock()
            failures = self._state.failures + 1 if failed else 0
            self._state = replace(
                self._state,
                running=False,
                finished_at=now,
                message=error or (report.message if report is not None else ""),
                succeeded=not failed,
                failed_series=dict(report.failed) if report is not None else {},
                failures=failures,
                retry_at=now + backoff_seconds(failures) if failed else None,
                generation=generation if generation is not None else self._state.generation,
                note=note,
            )
