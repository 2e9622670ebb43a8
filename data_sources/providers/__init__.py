"""Live data providers: one :class:`ProviderRecord` and one :class:`Provider` each.

The store sees one method, :meth:`Provider.download`, which answers **per series**: a frame, or
the error that series met. One series failing never costs another. Inside, each provider does
three small, separately testable steps: build the request (a URL, or a symbol for yfinance),
fetch the raw payload (the **only** network step, through :mod:`data_sources.http` or yfinance,
behind timeouts, retries and the refresh's :class:`~data_sources.deadline.Deadline`), and parse
the payload into a series frame (see ``data_sources.frames``); the parsers are public and
tested on payloads in each provider's real format.

Every fact about a provider (display name, website and manual download page, credentials,
timeouts, rate limit, accepted upload formats) is declared once, in its record, and read by the
store, the CLI and the app through ``data_sources.registry``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeAlias

import pandas as pd

from data_sources.deadline import Deadline
from data_sources.errors import DataSourceError

Parser = Callable[[bytes, str], pd.DataFrame]
"""``parser(data, filename) -> series frame``; raises a ``BadPayload`` with a user message."""

SeriesResult: TypeAlias = pd.DataFrame | DataSourceError
"""What a download gives for one series key: its frame, or the error it met."""

Progress = Callable[[str], None]
"""Called with one short human line as a provider makes progress (e.g. CBOE's backfill)."""


@dataclass(frozen=True)
class UploadFormat:
    """A file a user may download by hand and load for one series key."""

    key: str
    description: str  # e.g. "AAII's sentiment.xls, or a CSV with Date, Bullish, Neutral, Bearish"
    suffixes: tuple[str, ...]  # accepted file name endings, lower case, e.g. (".xls", ".csv")
    parser: Parser


@dataclass(frozen=True)
class ProviderRecord:
    """Everything about one provider, declared once."""

    name: str  # the series-key prefix: "fred" in "fred:DGS10"
    display_name: str  # "FRED (Federal Reserve Bank of St. Louis)"
    website: str
    manual_page: str | None  # where a user downloads the file by hand, if anywhere
    credentials: tuple[str, ...] = ()  # secret / environment names, e.g. ("FRED_API_KEY",)
    timeout: float = 30.0  # seconds, per request
    budget: float = 120.0  # seconds for the whole provider within one refresh
    min_interval: float = 0.0  # seconds between two requests (the provider's rate limit)
    base_url_env: str | None = None  # environment variable that overrides the base URL
    uploads: tuple[UploadFormat, ...] = field(default_factory=tuple)
    short_name: str = ""  # "FRED": what messages and the app call it; default: display_name

    def __post_init__(self) -> None:
        if not self.short_name:
            object.__setattr__(self, "short_name", self.display_name)


class Provider(Protocol):
    """The one thing the store calls."""

    @property
    def record(self) -> ProviderRecord: ...

    def download(
        self,
        keys: Sequence[str],
        *,
        deadline: Deadline,
        stored_last: Mapping[str, pd.Timestamp | None],
        progress: Progress | None = None,
    ) -> dict[str, SeriesResult]:
        """One result per key in ``keys``. ``stored_last`` is the last stored date per key (None
        when the store holds nothing), for providers that fetch only what is missing (CBOE's
        daily backfill resumes from it). Never raises for one series' failure; an error that
        costs every key (provider unreachable) is returned for every key."""
        ...


def unpublished(
    record: ProviderRecord, keys: Sequence[str], served: str
) -> dict[str, SeriesResult]:
    """An error for every key of ``keys`` other than ``served``, the one key a single-series
    provider publishes: "<short name> does not publish <key>"."""
    return {
        key: DataSourceError(f"{record.short_name} does not publish {key}")
        for key in keys
        if key != served
    }


def one_series_at_a_time(
    short_name: str,
    keys: Sequence[str],
    fetch: Callable[[str], SeriesResult],
    stops_the_rest: Callable[[DataSourceError], bool],
    progress: Progress | None = None,
) -> dict[str, SeriesResult]:
    """``fetch(symbol)`` for each key in turn (it returns a frame or the error it met), one
    progress line per key ("<short name> <symbol>: ok (2 of 5)"). Once an error
    ``stops_the_rest`` (a rate limit, no connection, the deadline), the keys not yet asked get
    "<short name> <symbol>: not asked, because <error>" of the same error type, unasked."""
    results: dict[str, SeriesResult] = {}
    stop: DataSourceError | None = None
    for number, key in enumerate(keys, start=1):
        symbol = symbol_of(key)
        if stop is not None:
            results[key] = type(stop)(f"{short_name} {symbol}: not asked, because {stop}")
            continue
        result = fetch(symbol)
        results[key] = result
        if isinstance(result, DataSourceError) and stops_the_rest(result):
            stop = result
        if progress is not None:
            state = "ok" if isinstance(result, pd.DataFrame) else "failed"
            progress(f"{short_name} {symbol}: {state} ({number} of {len(keys)})")
    return results


def symbol_of(key: str) -> str:
    """``"fred:DGS10"`` -> ``"DGS10"``."""
    return key.split(":", 1)[1]
