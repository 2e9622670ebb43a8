"""Yahoo: yfinance 1.7 driven through its own HTTP layer (its curl_cffi session, cookie, crumb
and v8 chart requests) against a real HTTP server on 127.0.0.1 that answers in Yahoo's formats
(``INVESTABLE_YAHOO_URL`` points the provider's session at it). Nothing in yfinance is mocked;
only its on-disk caches are swapped for its own no-op caches so tests do not share state."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data_sources import http
from data_sources.deadline import Deadline
from data_sources.errors import (
    BadPayload,
    Blocked,
    EmptyPayload,
    RateLimited,
    Rejected,
    SeriesNotFound,
    SourceUnavailable,
)
from data_sources.providers.yahoo import YAHOO_RECORD, YahooProvider, parse_history
from data_sources.providers.yahoo_session import YahooSession
from tests.data_sources.recorded_server import Asked, RecordedServer, Reply, closed_port_url

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data_sources"
SPY_CHART = (FIXTURES / "yahoo_chart_SPY.json").read_bytes()  # Yahoo's v8 chart layout
NOT_FOUND = (FIXTURES / "yahoo_chart_not_found.json").read_bytes()  # Yahoo's 404 body
JSON = {"Content-Type": "application/json;charset=utf-8"}


class Unpaced(http.Pacer):
    def wait(self, *args, **kwargs) -> float:
        return 0.0


@pytest.fixture(autouse=True)
def fresh_yfinance(monkeypatch):
    """yfinance keeps a process-wide YfData (cookie, crumb) and sqlite caches for time zones
    and cookies in the user's cache folder: use its own no-op caches and a new YfData."""
    from yfinance import cache, data

    monkeypatch.setattr(cache._TzCacheManager, "_tz_cache", cache._TzCacheDummy())
    monkeypatch.setattr(cache._CookieCacheManager, "_Cookie_cache", cache._CookieCacheDummy())
    data.YfData._instances.pop(data.YfData, None)
    yield
    data.YfData._instances.pop(data.YfData, None)


def yahoo_site(chart: dict[str, list[Reply]] | None = None):
    """Answers like Yahoo: fc.yahoo.com's cookie, the crumb, and per symbol a queue of chart
    replies (the last one repeats); unknown symbols get Yahoo's 404 JSON."""
    queues = {symbol: list(replies) for symbol, replies in (chart or {}).items()}

    def answer(asked: Asked) -> Reply:
        if asked.path == "/":
            return Reply(404, b"", {"Set-Cookie": "A3=d=AQABBKx; Path=/; HttpOnly"})
        if asked.path == "/v1/test/getcrumb":
            return Reply(200, b"Xy1crumbAB", {"Content-Type": "text/plain"})
        if asked.path.startswith("/v8/finance/chart/"):
            symbol = asked.path.rsplit("/", 1)[1]
            queue = queues.get(symbol)
            if not queue:
                return Reply(404, NOT_FOUND, JSON)
            return queue.pop(0) if len(queue) > 1 else queue[0]
        if asked.path.startswith("/v10/finance/quoteSummary/"):
            body = b'{"quoteSummary":{"result":null,"error":{"code":"Not Found",'
            body += b'"description":"Quote not found for symbol"}}}'
            return Reply(404, body, JSON)
        return Reply(404, b"Not Found", {"Content-Type": "text/plain"})

    return answer


def _serve(monkeypatch, answer) -> RecordedServer:
    server = RecordedServer(answer)
    monkeypatch.setenv("INVESTABLE_YAHOO_URL", server.url)
    return server


def _provider(waits: list[float] | None = None) -> YahooProvider:
    sleep = waits.append if waits is not None else time.sleep
    return YahooProvider(sleep=sleep, pacer=Unpaced())


def test_chart_json_becomes_quoted_and_adjusted_closes(monkeypatch) -> None:
    with _serve(monkeypatch, yahoo_site({"SPY": [Reply(200, SPY_CHART, JSON)]})) as server:
        results = _provider().download(["yahoo:SPY"], deadline=Deadline(20), stored_last={})
    spy = results["yahoo:SPY"]
    assert isinstance(spy, pd.DataFrame)
    assert list(spy.columns) == ["open", "high", "low", "close", "volume", "adj_close"]
    assert spy.index.name == "date" and spy.index.tz is None
    assert list(spy.index.strftime("%Y-%m-%d")) == [
        "2024-03-13",
        "2024-03-14",
        "2024-03-15",
        "2024-03-18",
        "2024-03-19",
    ]
    chart = json.loads(SPY_CHART)["chart"]["result"][0]["indicators"]
    assert spy["close"].tolist() == chart["quote"][0]["close"]  # quoted close, as sent
    assert spy["adj_close"].tolist() == chart["adjclose"][0]["adjclose"]  # dividend-adjusted
    assert spy.loc["2024-03-15", "close"] == 509.83 and spy.loc["2024-03-15", "adj_close"] == 505.47
    assert spy["volume"].iloc[0] == 55104100.0
    history = [
        a for a in server.requests if a.path == "/v8/finance/chart/SPY" and "period1" in a.query
    ]
    assert len(history) == 1
    assert history[0].query["interval"] == "1d" and history[0].query["crumb"] == "Xy1crumbAB"
    assert "/v1/test/getcrumb" in server.paths()  # yfinance's own cookie/crumb handshake ran


def test_unknown_symbol_is_its_own_error_and_the_others_land(monkeypatch) -> None:
    site = yahoo_site({"SPY": [Reply(200, SPY_CHART, JSON)]})
    lines: list[str] = []
    with _serve(monkeypatch, site):
        results = _provider().download(
            ["yahoo:NOPE", "yahoo:SPY"],
            deadline=Deadline(20),
            stored_last={},
            progress=lines.append,
        )
    assert isinstance(results["yahoo:NOPE"], SeriesNotFound)
    assert str(results["yahoo:NOPE"]) == (
        "Yahoo Finance has no prices for NOPE (unknown or delisted symbol)"
    )
    assert results["yahoo:SPY"]["close"].iloc[-1] == 515.71
    assert lines == ["Yahoo NOPE: failed (1 of 2)", "Yahoo SPY: ok (2 of 2)"]


def test_a_429_is_rate_limited_backed_off_and_retried(monkeypatch) -> None:
    limited = Reply(429, b"Too Many Requests\r\n", {"Content-Type": "text/plain"})
    # yfinance asks twice per attempt (its second cookie strategy) before raising
    site = yahoo_site({"SPY": [limited, limited, Reply(200, SPY_CHART, JSON)]})
    waits: list[float] = []
    with _serve(monkeypatch, site):
        results = _provider(waits).download(["yahoo:SPY"], deadline=Deadline(20), stored_last={})
    assert waits == [2.0]  # one backoff of 2 s, then the retry succeeded
    assert results["yahoo:SPY"]["adj_close"].iloc[-1] == 511.30


def test_a_lasting_429_gives_rate_limited_for_every_symbol_not_yet_asked(monkeypatch) -> None:
    limited = Reply(429, b"Too Many Requests\r\n", {"Content-Type": "text/plain"})
    waits: list[float] = []
    with _serve(monkeypatch, yahoo_site({"SPY": [limited]})) as server:
        results = _provider(waits).download(
            ["yahoo:SPY", "yahoo:^VIX"], deadline=Deadline(20), stored_last={}
        )
    assert waits == [2.0, 4.0]  # backoff 2 s, 4 s: three attempts
    assert isinstance(results["yahoo:SPY"], RateLimited)
    assert str(results["yahoo:SPY"]) == (
        "Yahoo SPY: Yahoo Finance is rate limiting requests; try again later"
    )
    assert isinstance(results["yahoo:^VIX"], RateLimited)
    assert not any("VIX" in path for path in server.paths())


def test_no_backoff_sleeps_past_the_deadline(monkeypatch) -> None:
    limited = Reply(429, b"Too Many Requests\r\n", {"Content-Type": "text/plain"})
    waits: list[float] = []
    with _serve(monkeypatch, yahoo_site({"SPY": [limited]})):
        results = _provider(waits).download(["yahoo:SPY"], deadline=Deadline(1.5), stored_last={})
    assert waits == [] and isinstance(results["yahoo:SPY"], RateLimited)


def test_server_errors_and_unreadable_answers(monkeypatch) -> None:
    site = yahoo_site(
        {
            "SPY": [Reply(500, b"<html><body>Will be right back</body></html>")],
            "QQQ": [Reply(200, b'{"chart":{"result":[{"meta":{}}],"error":null}}', JSON)],
        }
    )
    with _serve(monkeypatch, site):
        results = _provider().download(
            ["yahoo:SPY", "yahoo:QQQ"], deadline=Deadline(20), stored_last={}
        )
    assert isinstance(results["yahoo:SPY"], SourceUnavailable)
    assert str(results["yahoo:SPY"]) == "Yahoo SPY: server error (HTTP 500)"
    assert isinstance(results["yahoo:QQQ"], BadPayload)
    assert "not with prices yfinance can read" in str(results["yahoo:QQQ"])


def test_a_403_is_blocked_and_an_empty_chart_is_unreadable(monkeypatch) -> None:
    empty = json.loads(SPY_CHART)
    empty["chart"]["result"][0]["indicators"] = {"quote": [{}]}
    site = yahoo_site(
        {
            "SPY": [
                Reply(403, b"<html><body>Forbidden</body></html>", {"Content-Type": "text/html"})
            ],
            "QQQ": [Reply(200, json.dumps(empty).encode(), JSON)],
        }
    )
    with _serve(monkeypatch, site):
        results = _provider().download(
            ["yahoo:SPY", "yahoo:QQQ"], deadline=Deadline(20), stored_last={}
        )
    assert isinstance(results["yahoo:SPY"], Blocked)
    assert str(results["yahoo:SPY"]) == (
        "Yahoo SPY: Yahoo Finance refused the request (HTTP 403); try again later, or from "
        "another network"
    )
    assert isinstance(results["yahoo:QQQ"], BadPayload)


def test_unreachable_yahoo_is_source_unavailable(monkeypatch) -> None:
    monkeypatch.setenv("INVESTABLE_YAHOO_URL", closed_port_url())
    results = _provider().download(["yahoo:SPY"], deadline=Deadline(20), stored_last={})
    assert isinstance(results["yahoo:SPY"], SourceUnavailable)
    assert str(results["yahoo:SPY"]) == (
        "Yahoo SPY: cannot connect (no network, or the server is down or refuses connections)"
    )


def test_a_hanging_yahoo_is_cut_by_the_deadline(monkeypatch) -> None:
    slow = Reply(200, SPY_CHART, JSON, delay=4)
    with _serve(monkeypatch, yahoo_site({"SPY": [slow]})):
        started = time.monotonic()
        results = _provider().download(
            ["yahoo:SPY", "yahoo:XLE"], deadline=Deadline(1.0), stored_last={}
        )
        elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert isinstance(results["yahoo:SPY"], SourceUnavailable)
    assert str(results["yahoo:XLE"]).startswith("Yahoo XLE: not asked, because Yahoo SPY:")


def test_session_redirects_every_yahoo_host_to_the_mirror() -> None:
    session = YahooSession("http://mirror.example:8080/yahoo/")
    assert session.redirect("https://query2.finance.yahoo.com/v8/finance/chart/SPY?range=1d") == (
        "http://mirror.example:8080/yahoo/v8/finance/chart/SPY?range=1d"
    )
    assert session.redirect("https://fc.yahoo.com") == "http://mirror.example:8080/yahoo/"
    assert YahooSession().redirect("https://fc.yahoo.com/x") == "https://fc.yahoo.com/x"
    session.start(Deadline(0), cap=5)
    with pytest.raises(SourceUnavailable, match="ran out of time"):
        session.get("https://query2.finance.yahoo.com/v8/finance/chart/SPY")
    assert session.failures == ["no time left in the refresh"]


def test_record() -> None:
    assert YAHOO_RECORD.name == "yahoo" and YAHOO_RECORD.base_url_env == "INVESTABLE_YAHOO_URL"
    assert YAHOO_RECORD.credentials == () and YAHOO_RECORD.manual_page is None
    assert YahooProvider().record is YAHOO_RECORD


def _history_frame() -> pd.DataFrame:
    """The shape of ``yf.Ticker(symbol).history(auto_adjust=False, actions=False)``: a
    DatetimeIndex in the exchange's time zone, Yahoo's column names."""
    dates = pd.DatetimeIndex(["2024-06-12", "2024-06-13", "2024-06-14"], name="Date").tz_localize(
        "America/New_York"
    )
    data = np.array(
        [
            [541.6, 542.8, 539.1, 541.4, 536.6, 6.1e7],
            [543.1, 543.3, 539.6, 542.4, 537.6, 4.4e7],
            [540.9, 542.9, 540.1, 542.8, 538.0, 4.0e7],
        ]
    )
    columns = ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
    return pd.DataFrame(data, index=dates, columns=columns)


def test_parse_history_names_columns_drops_rows_without_a_close_and_the_time_zone() -> None:
    spy = parse_history(_history_frame(), "SPY")
    assert list(spy.columns) == ["open", "high", "low", "close", "volume", "adj_close"]
    assert spy.index.tz is None and spy.index.name == "date"
    assert spy.index[0] == pd.Timestamp("2024-06-12")
    assert spy["close"].iloc[-1] == 542.8 and spy["adj_close"].iloc[-1] == 538.0
    raw = _history_frame()
    raw.iloc[-1, raw.columns.get_loc("Close")] = np.nan
    assert len(parse_history(raw, "SPY")) == 2
    raw["Close"] = np.nan
    with pytest.raises(EmptyPayload, match="no closing prices for SPY"):
        parse_history(raw, "SPY")
    with pytest.raises(EmptyPayload, match="no closing prices for SPY"):
        parse_history(_history_frame().drop(columns="Close"), "SPY")


def test_parse_history_repeated_sessions_follow_the_one_row_per_date_rule() -> None:
    raw = _history_frame()
    repeat = pd.concat([raw.iloc[:2], raw.iloc[1:]])  # 2024-06-13 twice, same values
    assert parse_history(repeat, "SPY").equals(parse_history(raw, "SPY"))
    nudged = repeat.copy()
    nudged.iloc[2, nudged.columns.get_loc("Close")] += 0.005  # boundary: still the same
    assert len(parse_history(nudged, "SPY")) == 3
    nudged.iloc[2, nudged.columns.get_loc("Close")] += 0.002  # 0.007 apart: a conflict
    with pytest.raises(Rejected, match="2024-06-13 appears 2 times with different values"):
        parse_history(nudged, "SPY")
    backwards = raw.iloc[[0, 2, 1]]
    with pytest.raises(Rejected, match="out of order"):
        parse_history(backwards, "SPY")


def test_chart_repeats_finds_a_session_given_twice_with_other_prices() -> None:
    """yfinance keeps the first of two bars for one date without a word; the session reads the
    raw chart first. Timestamps are 13:30 UTC bars (gmtoffset −4 h: still the same date)."""
    from data_sources.providers.yahoo import chart_repeats

    def chart(stamps: list[int], closes: list[float]) -> bytes:
        result = {
            "meta": {"gmtoffset": -14400},
            "timestamp": stamps,
            "indicators": {"quote": [{"close": closes}], "adjclose": [{"adjclose": closes}]},
        }
        return json.dumps({"chart": {"result": [result]}}).encode()

    day, next_day = 1718285400, 1718371800  # 2024-06-13 and 2024-06-14, 13:30 UTC
    assert chart_repeats(chart([day, next_day], [540.0, 541.0])) is None
    assert chart_repeats(chart([day, day, next_day], [540.0, 540.0, 541.0])) is None
    message = chart_repeats(chart([day, day + 3600, next_day], [540.0, 545.0, 541.0]))
    assert message is not None and "2024-06-13 appears 2 times with different values" in message
    assert chart_repeats(b"<html>not a chart</html>") is None
