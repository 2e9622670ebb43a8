"""Provider parsers on fixture payloads in each provider's real format, and the fetch step's
failure paths (the network is never touched: the HTTP session and yfinance are replaced)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests

from data_sources import http
from data_sources.errors import (
    EmptyPayload,
    MissingColumn,
    RateLimited,
    SourceUnavailable,
)
from data_sources.providers import download
from data_sources.providers.fred import FredProvider, parse_fredgraph_csv
from data_sources.providers.yahoo import YahooProvider

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data_sources"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# ---- HTTP: timeouts, retries, backoff ------------------------------------------------------


class FakeResponse:
    def __init__(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.status_code, self.content, self.headers = status, body, headers or {}


class FakeSession:
    """Answers from a script: a FakeResponse, or an exception to raise."""

    def __init__(self, script: list) -> None:
        self.script, self.urls = list(script), []

    def get(self, url, params=None, timeout=None, headers=None):
        self.urls.append(url)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def _get(script: list, **kwargs):
    waits: list[float] = []
    session = FakeSession(script)
    result = http.get_bytes(
        "https://example.test/data.csv", session=session, sleep=waits.append, **kwargs
    )
    return result, waits, session


def test_retries_server_errors_with_exponential_backoff() -> None:
    body, waits, session = _get([FakeResponse(503), FakeResponse(502), FakeResponse(200, b"a,b")])
    assert body == b"a,b"
    assert waits == [1.0, 2.0] and len(session.urls) == 3


def test_timeouts_exhaust_the_retries_with_a_clear_message() -> None:
    with pytest.raises(SourceUnavailable, match="no answer within 5 s after 3 attempts"):
        _get([requests.Timeout(), requests.Timeout(), requests.Timeout()], timeout=5)


def test_rate_limit_uses_retry_after_then_raises_rate_limited() -> None:
    limited = FakeResponse(429, headers={"Retry-After": "7"})
    with pytest.raises(RateLimited, match="rate limited"):
        _get([limited, limited, limited])
    _, waits, _ = _get([limited, FakeResponse(200, b"ok")])
    assert waits == [7.0]


@pytest.mark.parametrize(
    ("response", "error", "message"),
    [
        (FakeResponse(403), http.Blocked, "refused the download"),
        (FakeResponse(200, b"<!DOCTYPE html><html>"), http.Blocked, "web page instead"),
        (FakeResponse(404), SourceUnavailable, "HTTP 404"),
    ],
)
def test_blocked_and_client_errors_are_not_retried(response, error, message) -> None:
    with pytest.raises(error, match=message):
        _get([response])


# ---- FRED ----------------------------------------------------------------------------------


def test_fredgraph_csv_new_and_old_headers_and_missing_dots() -> None:
    frame = parse_fredgraph_csv(_fixture("fredgraph_DGS10.csv"), "DGS10")
    assert list(frame.index.strftime("%Y-%m-%d")) == [
        "2024-01-02",
        "2024-01-03",
        "2024-01-04",
        "2024-01-05",
    ]  # the "." on 1 January is a missing value, dropped
    assert frame["value"].tolist() == [3.95, 3.91, 3.99, 4.05]
    old = parse_fredgraph_csv(_fixture("fredgraph_UNRATE_old_header.csv"), "UNRATE")
    assert old["value"].tolist() == [3.7, 3.7, 3.7]
    with pytest.raises(MissingColumn, match="no date column"):
        parse_fredgraph_csv(b"when,DGS10\n2024-01-02,3.9\n", "DGS10")
    with pytest.raises(MissingColumn, match="'DGS10'"):
        parse_fredgraph_csv(b"observation_date,DGS2\n2024-01-02,3.9\n", "DGS10")
    with pytest.raises(EmptyPayload):
        parse_fredgraph_csv(b"observation_date,DGS10\n2024-01-01,.\n", "DGS10")


def test_keyless_fred_path_downloads_fredgraph_csv(monkeypatch) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    asked: list[tuple[str, dict]] = []

    def fake_get(url, params=None, timeout=None, **_):
        asked.append((url, params))
        return _fixture("fredgraph_DGS10.csv")

    monkeypatch.setattr(http, "get_bytes", fake_get)
    provider = FredProvider()
    request = provider.build_request(["fred:DGS10"])
    assert request.urls == ("https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS10",)
    frames = download(provider, ["fred:DGS10"], timeout=3)
    assert asked == [("https://fred.stlouisfed.org/graph/fredgraph.csv", {"id": "DGS10"})]
    assert frames["fred:DGS10"]["value"].iloc[-1] == 4.05
    assert "key=none" in repr(provider)


def test_fredapi_call_is_bounded_by_a_timeout_and_the_key_is_never_shown(monkeypatch) -> None:
    import threading

    import fredapi

    release = threading.Event()

    class SlowFred:
        def __init__(self, api_key):
            self.api_key = api_key

        def get_series(self, series_id):
            release.wait(5)
            return pd.Series([1.0], index=pd.to_datetime(["2024-01-02"]))

    monkeypatch.setattr(fredapi, "Fred", SlowFred)
    provider = FredProvider(key="secret-key-123")
    assert "secret-key-123" not in repr(provider)
    request = provider.build_request(["fred:DGS10"])
    with pytest.raises(SourceUnavailable, match=r"no answer for DGS10 within 0\.2 s") as caught:
        provider.fetch(request, timeout=0.2)
    assert "secret-key-123" not in str(caught.value)
    release.set()


def test_fredapi_series_is_parsed() -> None:
    provider = FredProvider(key="k")
    series = pd.Series(
        [4.1, np.nan, 4.3], index=pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"])
    )
    frames = provider.parse({"DGS10": series}, ["fred:DGS10"])
    assert frames["fred:DGS10"]["value"].tolist() == [4.1, 4.3]


# ---- Yahoo ---------------------------------------------------------------------------------


def _yf_download_frame() -> pd.DataFrame:
    """The shape of ``yf.download([...], auto_adjust=False, group_by="ticker")``."""
    dates = pd.DatetimeIndex(["2024-06-12", "2024-06-13", "2024-06-14"], name="Date")
    fields = ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
    columns = pd.MultiIndex.from_product([["SPY", "^VIX"], fields], names=["Ticker", "Price"])
    data = np.array(
        [
            [541.6, 542.8, 539.1, 541.4, 536.6, 6.1e7, 12.1, 12.4, 11.9, 12.0, 12.0, 0],
            [543.1, 543.3, 539.6, 542.4, 537.6, 4.4e7, 12.0, 12.6, 11.9, 12.7, 12.7, 0],
            [540.9, 542.9, 540.1, 542.8, 538.0, 4.0e7, 12.9, 13.1, 12.3, 12.7, 12.7, 0],
        ]
    )
    return pd.DataFrame(data, index=dates, columns=columns)


def test_yahoo_parse_keeps_quoted_and_adjusted_close_per_symbol() -> None:
    frames = YahooProvider().parse(_yf_download_frame(), ["yahoo:SPY", "yahoo:^VIX"])
    spy = frames["yahoo:SPY"]
    assert list(spy.columns) == ["open", "high", "low", "close", "volume", "adj_close"]
    assert spy["close"].iloc[-1] == 542.8 and spy["adj_close"].iloc[-1] == 538.0
    assert spy.index.name == "date" and frames["yahoo:^VIX"]["close"].iloc[0] == 12.0
    with pytest.raises(EmptyPayload, match="no prices"):
        YahooProvider().parse(_yf_download_frame(), ["yahoo:QQQ"])


def test_yahoo_empty_download_and_rate_limit_become_clear_errors(monkeypatch) -> None:
    import yfinance as yf
    from yfinance.exceptions import YFRateLimitError

    provider = YahooProvider()
    request = provider.build_request(["yahoo:SPY"])
    assert request.options["auto_adjust"] is False and request.symbols == ("SPY",)
    monkeypatch.setattr(yf, "download", lambda *a, **k: pd.DataFrame())
    with pytest.raises(SourceUnavailable, match="returned no data for SPY"):
        provider.fetch(request, timeout=1)

    def limited(*args, **kwargs):
        raise YFRateLimitError()

    monkeypatch.setattr(yf, "download", limited)
    with pytest.raises(RateLimited, match="rate limiting"):
        provider.fetch(request, timeout=1)
