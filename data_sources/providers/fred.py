"""FRED series: fredapi with an API key, FRED's keyless ``fredgraph.csv`` download without one.

The key comes from the caller (the app passes the Streamlit secret) or the environment variable
``FRED_API_KEY``; it is never printed. fredapi has no timeout of its own, so its call runs in a
worker thread bounded by ``future.result(timeout)``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import pandas as pd

from data_sources import http
from data_sources.errors import MissingColumn, SourceUnavailable
from data_sources.frames import tidy_frame
from data_sources.providers import Request, symbol_of

CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
DATE_HEADERS = ("observation_date", "DATE")


def api_key(explicit: str | None = None) -> str | None:
    return explicit or os.environ.get("FRED_API_KEY") or None


class FredProvider:
    name = "fred"
    manual_page = "https://fred.stlouisfed.org/"

    def __init__(self, key: str | None = None) -> None:
        self._key = key

    def __repr__(self) -> str:  # never show the key
        return f"FredProvider(key={'set' if api_key(self._key) else 'none'})"

    def build_request(self, keys: Sequence[str]) -> Request:
        ids = tuple(symbol_of(key) for key in keys)
        urls = tuple(f"{CSV_URL}?id={series_id}" for series_id in ids)
        return Request(urls=urls, symbols=ids, options={"api": bool(api_key(self._key))})

    def fetch(self, request: Request, timeout: float) -> dict[str, Any]:
        """Per series id: CSV bytes (keyless) or a pandas Series (fredapi)."""
        if request.options.get("api"):
            return {sid: self._fetch_api(sid, timeout) for sid in request.symbols}
        return {
            sid: http.get_bytes(CSV_URL, params={"id": sid}, timeout=timeout)
            for sid in request.symbols
        }

    def _fetch_api(self, series_id: str, timeout: float) -> pd.Series:
        from fredapi import Fred

        client = Fred(api_key=api_key(self._key))
        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(client.get_series, series_id)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout as exc:
            message = f"FRED API: no answer for {series_id} within {timeout:g} s"
            raise SourceUnavailable(message) from exc
        except ValueError as exc:  # fredapi raises ValueError with FRED's own message
            raise SourceUnavailable(f"FRED API refused {series_id}: {exc}") from exc
        except OSError as exc:
            raise SourceUnavailable(f"FRED API unreachable for {series_id}: {exc}") from exc
        finally:
            pool.shutdown(wait=False)  # a hung call must not hold the refresh

    def parse(self, payload: dict[str, Any], keys: Sequence[str]) -> dict[str, pd.DataFrame]:
        frames = {}
        for key in keys:
            series_id = symbol_of(key)
            raw = payload[series_id]
            if isinstance(raw, pd.Series):
                frames[key] = parse_api_series(raw, series_id)
            else:
                frames[key] = parse_fredgraph_csv(raw, series_id)
        return frames


def parse_fredgraph_csv(body: bytes, series_id: str) -> pd.DataFrame:
    """``observation_date`` (or the older ``DATE``) and a column named after the series; "." is
    missing."""
    try:
        raw = pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise MissingColumn(f"FRED {series_id}: not a CSV ({exc})") from exc
    date_column = next((c for c in DATE_HEADERS if c in raw.columns), None)
    if date_column is None:
        raise MissingColumn(
            f"FRED {series_id}: no date column (expected observation_date or DATE); "
            f"columns are {list(raw.columns)}"
        )
    return tidy_frame(raw, date_column, {"value": series_id}, source=f"FRED {series_id}")


def parse_api_series(series: pd.Series, series_id: str) -> pd.DataFrame:
    raw = pd.DataFrame({"date": series.index.astype(str), series_id: series.astype(str).values})
    return tidy_frame(raw, "date", {"value": series_id}, source=f"FRED API {series_id}")
