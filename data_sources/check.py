"""The source check: ask every live provider once for one series and say what answered.

``check_sources(providers)`` calls each provider's ``download([key], deadline=…,
stored_last={key: None})`` for one representative series, all providers at once (one daemon
thread each, so a provider that hangs past the deadline never keeps the caller waiting), and
returns one :class:`SourceCheck` per provider, in the order given.

Rules:

* **reachable** is true only when the provider answered that series with at least one row.
* **reason** is the provider's own error message, prefixed with its kind ("rate limited",
  "unreachable", "unexpected answer", "discontinued", "error"); for a reachable source it says
  how many observations came back.
* **latency_s** is the wall time of the one ``download`` call (the deadline for a provider that
  did not answer in time).
* **newest** is the last date of the answered series (``None`` when nothing came back).
* A provider without ``download`` (one not yet ported to the per-series contract) is reported as
  "not checkable", never called.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data_sources.catalog import LIVE_SERIES
from data_sources.deadline import Deadline
from data_sources.errors import (
    BadPayload,
    DataSourceError,
    RateLimited,
    SeriesDiscontinued,
    SourceUnavailable,
)

DEFAULT_DEADLINE = 60.0
PREFERRED_KEYS: Mapping[str, str] = {"yahoo": "yahoo:SPY", "fred": "fred:DGS10"}
"""The series asked of a provider when the catalog's first one is not the telling one: SPY
shows yesterday's close, DGS10 is daily (the catalog's first FRED series is monthly)."""

NOT_CHECKABLE = "not checkable"


@dataclass(frozen=True)
class SourceCheck:
    """What one provider did when asked for one series."""

    name: str  # the series-key prefix, e.g. "fred"
    display_name: str
    reachable: bool
    reason: str
    latency_s: float
    newest: pd.Timestamp | None
    key: str  # the series asked for ("" when none could be)


def representative_key(name: str) -> str | None:
    """The series to ask provider ``name`` for: :data:`PREFERRED_KEYS`, else the catalog's first
    series with that prefix, else ``None``."""
    if name in PREFERRED_KEYS:
        return PREFERRED_KEYS[name]
    return next((s.key for s in LIVE_SERIES if s.key.split(":", 1)[0] == name), None)


def display_name(name: str, provider: Any) -> str:
    """The provider record's display name, or the bare name for a provider without a record."""
    try:
        record = provider.record
    except AttributeError:
        return name
    return str(getattr(record, "display_name", name) or name)


def describe_error(error: BaseException) -> str:
    """``"<kind>: <message>"`` for a data-layer error; an unexpected exception (a bug in the
    provider) is named as such, with its type, since its message alone rarely explains it."""
    message = str(error).strip() or type(error).__name__
    if isinstance(error, RateLimited):
        return f"rate limited: {message}"
    if isinstance(error, SourceUnavailable):
        return f"unreachable: {message}"
    if isinstance(error, BadPayload):
        return f"unexpected answer: {message}"
    if isinstance(error, SeriesDiscontinued):
        return f"discontinued: {message}"
    if isinstance(error, DataSourceError):
        return f"error: {message}"
    return f"the provider failed unexpectedly ({type(error).__name__}: {message})"


def _judge(name: str, title: str, key: str, answer: Any, latency: float) -> SourceCheck:
    """Turn one ``download`` answer (or the exception it raised) into a :class:`SourceCheck`."""
    if isinstance(answer, BaseException):
        return SourceCheck(name, title, False, describe_error(answer), latency, None, key)
    result = answer.get(key) if isinstance(answer, Mapping) else None
    if isinstance(result, pd.DataFrame):
        if result.empty:
            return SourceCheck(name, title, False, "answered with no rows", latency, None, key)
        newest = pd.Timestamp(result.index.max())
        reason = f"{len(result)} observations"
        return SourceCheck(name, title, True, reason, latency, newest, key)
    if isinstance(result, BaseException):
        return SourceCheck(name, title, False, describe_error(result), latency, None, key)
    return SourceCheck(name, title, False, f"answered nothing for {key}", latency, None, key)


def check_sources(
    providers: Mapping[str, Any], *, deadline: float = DEFAULT_DEADLINE
) -> list[SourceCheck]:
    """Ask each provider once, concurrently, for its representative series; one
    :class:`SourceCheck` per provider, in ``providers`` order, returned within ``deadline``
    seconds (plus thread start-up) whatever the providers do."""
    limit = Deadline(deadline)
    results: dict[str, SourceCheck] = {}
    guard = threading.Lock()
    closed = threading.Event()
    threads: list[threading.Thread] = []

    def ask(name: str, title: str, provider: Any, key: str) -> None:
        started = time.monotonic()
        answer: Any
        try:
            answer = provider.download([key], deadline=limit, stored_last={key: None})
        except Exception as exc:  # the provider broke its contract: report it, never crash
            answer = exc
        check = _judge(name, title, key, answer, time.monotonic() - started)
        with guard:
            if not closed.is_set():
                results[name] = check

    for name, provider in providers.items():
        title = display_name(name, provider)
        key = representative_key(name)
        if not callable(getattr(provider, "download", None)):
            reason = f"{NOT_CHECKABLE}: this provider does not offer a per-series download yet"
            with guard:
                results[name] = SourceCheck(name, title, False, reason, 0.0, None, key or "")
        elif key is None:
            reason = f"{NOT_CHECKABLE}: no series of this source is in the catalog"
            with guard:
                results[name] = SourceCheck(name, title, False, reason, 0.0, None, "")
        else:
            thread = threading.Thread(
                target=ask, args=(name, title, provider, key), name=f"check-{name}", daemon=True
            )
            thread.start()
            threads.append(thread)
    for thread in threads:
        thread.join(timeout=limit.remaining())
    with guard:
        closed.set()
        for name, provider in providers.items():
            if name not in results:
                key = representative_key(name) or ""
                reason = f"unreachable: no answer within {deadline:g} s"
                title = display_name(name, provider)
                results[name] = SourceCheck(name, title, False, reason, deadline, None, key)
        return [results[name] for name in providers]
