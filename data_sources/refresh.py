"""Run the providers of one refresh: concurrently, per-series isolated, in bounded time.

Keys are grouped by provider (``catalog.provider_name``); each provider runs in its own daemon
thread with ``Deadline.within(record.budget)`` of the refresh's deadline and answers per key
(a frame or a :class:`DataSourceError`). The caller waits for each provider at most until its
own deadline ends (budget, capped by the refresh's remaining time) plus ``GRACE`` seconds; a
provider still running then gets "no answer within … s" for each of its keys and is abandoned
(its thread is a daemon: the refresh returns, and the process can exit, without it). A provider
that raises (a bug) costs only its own keys, each with the message. Whatever a provider sends
for keys it was not asked about is ignored; a key it forgets gets "sent nothing for …".

Progress: ``progress(provider, done, total, message)`` with ``done`` of ``total`` providers
finished; a provider's own lines (e.g. a long backfill) come through with the current ``done``.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data_sources.deadline import Deadline
from data_sources.errors import DataSourceError, SourceUnavailable
from data_sources.providers import Provider, SeriesResult

DEFAULT_DEADLINE = 15 * 60.0
DEFAULT_BUDGET = 120.0
GRACE = 0.5

RefreshProgress = Callable[[str, int, int, str], None]


def _seconds(value: float) -> str:
    """``0.598`` -> ``"0.6"``, ``120.0`` -> ``"120"``."""
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def budget_of(provider: Any) -> float:
    record = getattr(provider, "record", None)
    return float(getattr(record, "budget", DEFAULT_BUDGET))


@dataclass(frozen=True)
class ProviderOutcome:
    name: str
    results: dict[str, SeriesResult]


def _run_one(
    name: str,
    provider: Provider,
    keys: list[str],
    deadline: Deadline,
    stored_last: Mapping[str, pd.Timestamp | None],
    line: Callable[[str], None],
    answers: queue.Queue[ProviderOutcome],
) -> None:
    try:
        results = provider.download(keys, deadline=deadline, stored_last=stored_last, progress=line)
        if not isinstance(results, Mapping):
            raise TypeError("download returned no per-series results")
        outcome: dict[str, SeriesResult] = {
            key: results[key]
            if key in results and isinstance(results[key], pd.DataFrame | DataSourceError)
            else SourceUnavailable(f"{name} sent nothing for {key}")
            for key in keys
        }
    except DataSourceError as exc:
        outcome = dict.fromkeys(keys, exc)
    except Exception as exc:  # a provider bug costs only its own keys
        failure = DataSourceError(
            f"{name} failed unexpectedly ({type(exc).__name__}: {exc}); other sources are "
            "unaffected and the stored data is kept"
        )
        outcome = dict.fromkeys(keys, failure)
    answers.put(ProviderOutcome(name, outcome))


def run_providers(
    groups: Mapping[str, list[str]],
    providers: Mapping[str, Provider],
    stored_last: Mapping[str, pd.Timestamp | None],
    deadline: Deadline,
    on_done: Callable[[ProviderOutcome, int, int], None],
    progress: RefreshProgress | None = None,
) -> None:
    """Start one thread per provider; call ``on_done(outcome, done, total)`` in this thread as
    each provider answers or runs out of time. Returns when every provider is accounted for."""
    answers: queue.Queue[ProviderOutcome] = queue.Queue()
    total = len(groups)
    done = 0
    ends: dict[str, tuple[float, float]] = {}
    for name, keys in groups.items():
        own = deadline.within(budget_of(providers[name]))
        ends[name] = (time.monotonic() + own.seconds + GRACE, own.seconds)

        def line(message: str, name: str = name) -> None:
            if progress is not None:
                progress(name, done, total, message)

        thread = threading.Thread(
            target=_run_one,
            args=(name, providers[name], keys, own, stored_last, line, answers),
            daemon=True,
            name=f"refresh-{name}",
        )
        thread.start()
    pending = set(groups)
    while pending:
        wait = min(ends[name][0] for name in pending) - time.monotonic()
        try:
            outcome = answers.get(timeout=max(0.0, wait))
        except queue.Empty:
            now = time.monotonic()
            for name in sorted(n for n in pending if ends[n][0] <= now):
                pending.discard(name)
                done += 1
                error = SourceUnavailable(
                    f"{name}: no answer within {_seconds(ends[name][1])} s; the stored data is kept"
                )
                on_done(ProviderOutcome(name, dict.fromkeys(groups[name], error)), done, total)
            continue
        if outcome.name not in pending:
            continue  # a provider that answered after it was given up
        pending.discard(outcome.name)
        done += 1
        on_done(outcome, done, total)
