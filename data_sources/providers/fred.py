"""FRED series, one request and one result per series.

* **Without a key**: FRED's keyless download ``https://fred.stlouisfed.org/graph/fredgraph.csv
  ?id=SERIES``: a CSV with the header ``observation_date,SERIES`` (older files: ``DATE``) and
  ``.`` for a missing value.
* **With a key**: FRED's JSON API ``https://api.stlouisfed.org/fred/series/observations
  ?series_id=SERIES&api_key=KEY&file_type=json``: ``{"observations": [{"date": …, "value": …},
  …]}``; errors come back as HTTP 400/404 with ``{"error_code": 400, "error_message": …}`` (or
  the XML ``<error code="400" message="…"/>``).

Three steps per series: :meth:`FredProvider._request` (the URL and query), ``_fetch`` (the
bytes; the only network step) and :func:`parse_fredgraph_csv` / :func:`parse_api_json`. Both
go through :mod:`data_sources.http` (real timeouts, bounded retries, the refresh's
deadline, and FRED's rate limit of about 2 requests per second as ``min_interval=0.5`` s per
host across threads). fredapi is **not** used: it has no timeout, leaves threads that never end
behind a hung network, and puts the key into the URLs of its error messages.

The key (argument, else ``FRED_API_KEY``) is normalised once (white space and quotes removed,
see :mod:`data_sources.redact`) and never reaches a message, a log, a repr or a stored file:
every error leaving this module is passed through ``redact``.

Base URLs: ``INVESTABLE_FRED_URL`` (keyless download) and ``INVESTABLE_FRED_API_URL`` (API)
point at a mirror or a local test server.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from data_sources import http
from data_sources.catalog import LIVE_SERIES
from data_sources.deadline import Deadline
from data_sources.errors import (
    BadPayload,
    Blocked,
    CredentialsRejected,
    DataSourceError,
    HttpStatusError,
    MissingColumn,
    RateLimited,
    SeriesNotFound,
    SourceUnavailable,
)
from data_sources.frames import parse_dates, tidy_frame
from data_sources.providers import (
    Progress,
    ProviderRecord,
    SeriesResult,
    UploadFormat,
    one_series_at_a_time,
    symbol_of,
)
from data_sources.redact import normalise_secret, redact, register_secret
from data_sources.validate import check_dates

if TYPE_CHECKING:
    import requests

FRED_GRAPH_URL = "https://fred.stlouisfed.org"
FRED_API_URL = "https://api.stlouisfed.org"
FRED_URL_ENV = "INVESTABLE_FRED_URL"
FRED_API_URL_ENV = "INVESTABLE_FRED_API_URL"
KEY_ENV = "FRED_API_KEY"
CSV_PATH = "/graph/fredgraph.csv"
API_PATH = "/fred/series/observations"
CSV_URL = FRED_GRAPH_URL + CSV_PATH
DATE_HEADERS = ("observation_date", "DATE")


def parse_fredgraph_csv(body: bytes, series_id: str) -> pd.DataFrame:
    """``observation_date`` (or the older ``DATE``) and a column named after the series; "." is
    missing. Dates out of order are rejected; a repeated date follows
    :func:`data_sources.validate.one_row_per_date`."""
    source = f"FRED {series_id}"
    if body.lstrip()[:1] == b"<":
        raise BadPayload(
            f"{source}: FRED answered with a web page, not the CSV file (no date column)"
        )
    try:
        raw = pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        raise BadPayload(f"{source}: the answer is not a CSV file") from None
    raw = raw.rename(columns=lambda c: str(c).strip())
    date_column = next((c for c in DATE_HEADERS if c in raw.columns), None)
    if date_column is None:
        raise MissingColumn(
            f"{source}: no date column (expected observation_date or DATE); "
            f"columns are {list(raw.columns)}"
        )
    check_dates(parse_dates(raw[date_column]), source=source)
    return tidy_frame(raw, date_column, {"value": series_id}, source=source)


def parse_api_json(body: bytes, series_id: str) -> pd.DataFrame:
    """FRED API ``series/observations`` JSON: ``observations[].date`` and ``.value`` ("." is
    missing). An error body raises the matching error (see :func:`error_from_body`)."""
    source = f"FRED {series_id}"
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise error_from_body(200, body, series_id) from None
    if not isinstance(document, dict):
        raise BadPayload(f"{source}: the API answer is not a JSON object")
    if "error_message" in document or "error_code" in document:
        raise error_from_body(int(document.get("error_code") or 400), body, series_id)
    observations = document.get("observations")
    if not isinstance(observations, list):
        raise MissingColumn(f"{source}: the API answer has no 'observations' list")
    rows = [row for row in observations if isinstance(row, dict)]
    if any("date" not in row or "value" not in row for row in rows):
        raise MissingColumn(f"{source}: an observation lacks its 'date' or 'value'")
    raw = pd.DataFrame(
        {"date": [str(row["date"]) for row in rows], "value": [str(row["value"]) for row in rows]}
    )
    check_dates(parse_dates(raw["date"]), source=source)
    return tidy_frame(raw, "date", {"value": "value"}, source=source)


def error_message(body: bytes) -> str | None:
    """FRED's own error text from a JSON (``error_message``), XML (``message="…"``) or HTML
    (``<title>``) body; None when there is none."""
    text = body[:4096].decode("utf-8", errors="replace")
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if isinstance(document, dict) and document.get("error_message"):
        return " ".join(str(document["error_message"]).split())
    for pattern in (r'<error[^>]*\bmessage="([^"]*)"', r"<message>([^<]*)</message>"):
        match = re.search(pattern, text)
        if match:
            return " ".join(match.group(1).split())
    match = re.search(r"<title>([^<]*)</title>", text, flags=re.IGNORECASE)
    return " ".join(match.group(1).split()) if match else None


def error_from_body(status: int, body: bytes, series_id: str) -> DataSourceError:
    """The error for an HTTP error answer: a refused key costs every series
    (:class:`CredentialsRejected`); an unknown series is :class:`SeriesNotFound`; a 429 is
    :class:`RateLimited`; anything else :class:`SourceUnavailable` or :class:`BadPayload`."""
    message = error_message(body)
    said = f": {message}" if message else ""
    lowered = (message or "").lower()
    if "api_key" in lowered or "api key" in lowered:
        return CredentialsRejected(
            f"FRED refused the API key{said}. Check {KEY_ENV}, or remove it to use FRED's "
            "keyless download"
        )
    if status == 429:
        return RateLimited(f"FRED {series_id}: rate limited (HTTP 429); try again later")
    if "does not exist" in lowered or status == 404:
        return SeriesNotFound(f"FRED has no series {series_id}{said or f' (HTTP {status})'}")
    if status == 200:
        return BadPayload(f"FRED {series_id}: the answer is neither data nor an error{said}")
    return SourceUnavailable(f"FRED {series_id}: HTTP {status}{said}")


def _costs_every_series(error: DataSourceError) -> bool:
    """A refused key, a rate limit, or no connection at all (not an HTTP answer)."""
    return isinstance(error, CredentialsRejected | RateLimited) or type(error) is SourceUnavailable


class _CsvUpload:
    """Parser of a hand-downloaded fredgraph CSV for one series."""

    def __init__(self, series_id: str) -> None:
        self.series_id = series_id

    def __call__(self, data: bytes, filename: str) -> pd.DataFrame:
        return parse_fredgraph_csv(data, self.series_id)

    def __repr__(self) -> str:
        return f"fredgraph CSV parser for {self.series_id}"


FRED_RECORD = ProviderRecord(
    name="fred",
    display_name="FRED (Federal Reserve Bank of St. Louis)",
    short_name="FRED",
    website="https://fred.stlouisfed.org/",
    manual_page="https://fred.stlouisfed.org/",
    credentials=(KEY_ENV,),
    timeout=30.0,
    budget=180.0,
    min_interval=0.5,
    base_url_env=FRED_URL_ENV,
    uploads=tuple(
        UploadFormat(
            key=series.key,
            description=(
                f"FRED's CSV download of {symbol_of(series.key)} (the 'Download' button, CSV: "
                f"columns observation_date, {symbol_of(series.key)})"
            ),
            suffixes=(".csv",),
            parser=_CsvUpload(symbol_of(series.key)),
        )
        for series in LIVE_SERIES
        if series.key.startswith("fred:")
    ),
)


def api_key(explicit: str | None = None) -> str | None:
    """The normalised key: ``explicit``, else ``FRED_API_KEY``; None when neither is set."""
    return normalise_secret(explicit) or normalise_secret(os.environ.get(KEY_ENV))


class FredProvider:
    """FRED through its keyless CSV download, or its JSON API when a key is set."""

    name = "fred"
    manual_page = FRED_RECORD.manual_page

    def __init__(
        self,
        key: str | None = None,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        pacer: http.Pacer | None = None,
    ) -> None:
        self._key = api_key(key)
        register_secret(self._key)  # kept out of the HTTP libraries' debug logs
        self._session = session
        self._sleep = sleep
        self._pacer = pacer

    def __repr__(self) -> str:  # never show the key
        return f"FredProvider(key={'set' if self._key else 'none'})"

    @property
    def record(self) -> ProviderRecord:
        return FRED_RECORD

    @property
    def uses_api(self) -> bool:
        return self._key is not None

    # ---- per series ---------------------------------------------------------------------

    def download(
        self,
        keys: Sequence[str],
        *,
        deadline: Deadline,
        stored_last: Mapping[str, pd.Timestamp | None] | None = None,
        progress: Progress | None = None,
    ) -> dict[str, SeriesResult]:
        """One frame or error per key; one series failing leaves the others their frames. A
        refused key, a rate limit or no connection is given to every key not yet asked."""

        def fetch(series_id: str) -> SeriesResult:
            try:
                return self._parse(self._fetch(series_id, deadline), series_id)
            except DataSourceError as error:
                return self._redacted(error)

        return one_series_at_a_time("FRED", keys, fetch, _costs_every_series, progress)

    def _request(self, series_id: str) -> tuple[str, dict[str, str]]:
        """The URL and query for one series: the keyless CSV, or the API with the key (the
        query never reaches a message: :mod:`data_sources.http` names URLs without it)."""
        if self._key is None:
            url = http.base_url(FRED_GRAPH_URL, FRED_URL_ENV) + CSV_PATH
            return url, {"id": series_id}
        url = http.base_url(FRED_API_URL, FRED_API_URL_ENV) + API_PATH
        return url, {"series_id": series_id, "api_key": self._key, "file_type": "json"}

    def _fetch(self, series_id: str, deadline: Deadline) -> bytes:
        """The raw answer for one series; raises a redacted :class:`DataSourceError`."""
        options: dict[str, Any] = {
            "timeout": FRED_RECORD.timeout,
            "deadline": deadline,
            "min_interval": FRED_RECORD.min_interval,
            "session": self._session,
            "sleep": self._sleep,
            "pacer": self._pacer,
        }
        try:
            url, params = self._request(series_id)
            return http.get_bytes(url, params=params, **options)
        except HttpStatusError as error:
            if error.status >= 500:  # after retries; FRED's own words when it sent any
                said = error_message(error.body)
                error.args = (f"FRED {series_id}: {error}" + (f" ({said})" if said else ""),)
                raise self._redacted(error) from None
            raise self._redacted(error_from_body(error.status, error.body, series_id)) from None
        except Blocked as error:
            if error.status != 403:  # a web page where the data was expected
                raise self._redacted(
                    BadPayload(
                        f"FRED {series_id}: FRED answered with a web page instead of the data "
                        "(FRED may be down, or the address is a login page)"
                    )
                ) from None
            raise self._redacted(type(error)(f"FRED {series_id}: {error}")) from None
        except DataSourceError as error:
            raise self._redacted(type(error)(f"FRED {series_id}: {error}")) from None

    def _parse(self, body: bytes, series_id: str) -> pd.DataFrame:
        if body.lstrip()[:1] == b"{":
            return parse_api_json(body, series_id)
        return parse_fredgraph_csv(body, series_id)

    def _redacted(self, error: DataSourceError) -> DataSourceError:
        """``error`` with the key removed from its text and no chained cause (whose text could
        hold a URL with the key)."""
        error.args = (redact(str(error), [self._key]),)
        error.__cause__ = None
        error.__context__ = None
        error.__suppress_context__ = True
        return error
