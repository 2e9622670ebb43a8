"""The file providers driven through a real HTTP server on 127.0.0.1 with recorded payloads in
each provider's real format (base URLs overridden by ``INVESTABLE_<NAME>_URL``): the page-link
steps of NAAIM and Shiller, AAII's browser headers, CBOE's resumable backfill, and every
failure (403, 404, 429, 500, timeout, empty, truncated, renamed column, web page, no link)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from data_sources import http
from data_sources.deadline import Deadline
from data_sources.errors import (
    DataSourceError,
    RateLimited,
    Rejected,
    SourceUnavailable,
)
from data_sources.providers.files import AAII, FINRA, NAAIM, SHILLER, CboeProvider
from data_sources.providers.single_file import FileProvider
from data_sources.validate import check_update
from tests.data_sources.test_files_parsers import (
    FINRA_HEADER,
    naaim_workbook,
    shiller_workbook,
    workbook,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data_sources"
NAAIM_FILE = "/wp-content/uploads/2026/07/USE_Data-since-Inception_2026-07-01.xlsx"
SHILLER_FILE = (
    "/blobby/go/e5e77e0b-59d1-44d9-ab25-4763ac982e53/downloads/"
    "34a1781b-f073-448f-b9f9-6230becb2e49/ie_data.xls?ver=1767600000000"
)
HANG = -1  # a status meaning "answer nothing for HANG_SECONDS"
HANG_SECONDS = 3.0


@dataclass
class Recorded:
    """A local server answering from ``routes``: path (with query) -> (status, body, headers)."""

    url: str = ""
    routes: dict[str, tuple[int, bytes, dict[str, str]]] = field(default_factory=dict)
    hits: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def serve(self, path: str, body: bytes, status: int = 200, **headers: str) -> None:
        self.routes[path] = (status, body, headers)

    def paths(self) -> list[str]:
        return [path for path, _ in self.hits]


@pytest.fixture
def server() -> Iterator[Recorded]:
    recorded = Recorded()
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            recorded.hits.append((self.path, dict(self.headers.items())))
            status, body, headers = recorded.routes.get(self.path, (404, b"Not Found", {}))
            if status == HANG:
                release.wait(HANG_SECONDS)
                status = 200
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    recorded.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield recorded
    release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch) -> None:
    """Retries back off without sleeping (the waits are asserted where they matter)."""
    for provider in (AAII, NAAIM, FINRA, SHILLER):
        monkeypatch.setattr(provider, "sleep", lambda seconds: None)


def point_at(monkeypatch, server: Recorded, *names: str) -> None:
    for name in names:
        monkeypatch.setenv(f"INVESTABLE_{name.upper()}_URL", server.url + "/")


def fetch_one(provider: FileProvider, seconds: float = 20.0) -> pd.DataFrame | DataSourceError:
    results = provider.download(
        [provider.key], deadline=Deadline(seconds), stored_last={provider.key: None}
    )
    assert list(results) == [provider.key]
    return results[provider.key]


def naaim_page() -> bytes:
    return (FIXTURES / "naaim_exposure_index_page.html").read_bytes()


def shiller_page() -> bytes:
    return (FIXTURES / "shillerdata_page.html").read_bytes()


def finra_workbook() -> bytes:
    rows = [FINRA_HEADER, ["2026-05", 1_182_531, 201_154, 232_004]]
    return workbook([*rows, ["2026-04", 1_128_377, 205_880, 228_437]])


# ---- the happy paths -----------------------------------------------------------------------


def test_naaim_follows_the_newest_weekly_link_on_its_page(monkeypatch, server) -> None:
    point_at(monkeypatch, server, "naaim")
    server.serve("/programs/naaim-exposure-index/", naaim_page())
    server.serve(NAAIM_FILE, naaim_workbook())
    frame = fetch_one(NAAIM)
    assert isinstance(frame, pd.DataFrame)
    assert frame.index[-1] == pd.Timestamp("2026-07-01") and frame["value"].iloc[-1] == 84.69
    assert len(frame) == 4  # NAAIM's own repeat of 2006-07-05 is one row
    # The page's absolute https://naaim.org/... link was followed on the overriding base URL;
    # the older relative link (2026-04-01) and the PDF were not.
    assert server.paths() == ["/programs/naaim-exposure-index/", NAAIM_FILE]
    assert all(
        headers["User-Agent"] == http.BROWSER_HEADERS["User-Agent"] for _, headers in server.hits
    )


def test_shiller_follows_the_protocol_relative_link_to_the_current_upload(
    monkeypatch, server
) -> None:
    point_at(monkeypatch, server, "shiller")
    server.serve("/", shiller_page())
    server.serve(SHILLER_FILE, shiller_workbook())
    frame = fetch_one(SHILLER)
    assert isinstance(frame, pd.DataFrame)
    assert frame["value"].tolist() == [0.4, 235.25]
    assert server.paths() == ["/", SHILLER_FILE]


@pytest.mark.shared_data
def test_shiller_real_workbook_over_http(monkeypatch, server, shared_data_dir) -> None:
    point_at(monkeypatch, server, "shiller")
    server.serve("/", shiller_page())
    server.serve(SHILLER_FILE, (shared_data_dir / "sp500/raw/shiller_ie_data.xls").read_bytes())
    frame = fetch_one(SHILLER)
    assert isinstance(frame, pd.DataFrame)
    assert frame.index[-1] == pd.Timestamp("2025-09-01") and len(frame) == 1857


def test_aaii_sends_browser_headers_and_reads_the_xls(monkeypatch, server) -> None:
    point_at(monkeypatch, server, "aaii")
    server.serve(
        "/files/surveys/sentiment.xls", (FIXTURES / "aaii_sentiment_small.xls").read_bytes()
    )
    frame = fetch_one(AAII)
    assert isinstance(frame, pd.DataFrame)
    assert frame.loc["2024-06-13", "bullish"] == pytest.approx(44.85)
    (_, headers), *_ = server.hits
    assert headers["User-Agent"].startswith("Mozilla/5.0") and "Chrome/" in headers["User-Agent"]
    assert headers["Referer"] == "https://www.aaii.com/sentimentsurvey/sent_results"
    assert headers["Accept-Language"].startswith("en-US")
    assert "application/vnd.ms-excel" in headers["Accept"]


def test_finra_workbook_over_http_and_its_three_steps(monkeypatch, server) -> None:
    point_at(monkeypatch, server, "finra")
    path = "/sites/default/files/2021-03/margin-statistics.xlsx"
    server.serve(path, finra_workbook())
    frame = fetch_one(FINRA)
    assert isinstance(frame, pd.DataFrame) and frame["value"].tolist() == [1_128_377, 1_182_531]
    assert FINRA.file_url(Deadline(5)) == server.url + path  # step 1: the address
    payload = FINRA.fetch_file(Deadline(5))  # step 2: the bytes (the only network step)
    assert payload == finra_workbook()
    assert FINRA.parse_payload(payload).equals(frame)  # step 3: the parser
    monkeypatch.delenv("INVESTABLE_FINRA_URL")
    assert FINRA.file_url(Deadline(5)) == (
        "https://www.finra.org/sites/default/files/2021-03/margin-statistics.xlsx"
    )


def test_a_base_url_override_that_is_not_an_address_says_so(monkeypatch) -> None:
    monkeypatch.setenv("INVESTABLE_FINRA_URL", "finra.example")
    result = fetch_one(FINRA)
    assert isinstance(result, SourceUnavailable)
    assert str(result).startswith(
        "INVESTABLE_FINRA_URL must be an address starting with http:// or https://"
    )


def test_unknown_keys_get_their_own_error_and_the_rest_still_lands(monkeypatch, server) -> None:
    point_at(monkeypatch, server, "finra")
    server.serve("/sites/default/files/2021-03/margin-statistics.xlsx", finra_workbook())
    results = FINRA.download(
        ["finra:margin_debt", "finra:free_credit"], deadline=Deadline(20), stored_last={}
    )
    assert isinstance(results["finra:margin_debt"], pd.DataFrame)
    assert "does not publish finra:free_credit" in str(results["finra:free_credit"])


# ---- every failure: a clear message naming what to do ----------------------------------------

PROVIDERS = {"aaii": AAII, "naaim": NAAIM, "finra": FINRA, "shiller": SHILLER}
FILE_PATHS = {
    "aaii": "/files/surveys/sentiment.xls",
    "naaim": NAAIM_FILE,
    "finra": "/sites/default/files/2021-03/margin-statistics.xlsx",
    "shiller": SHILLER_FILE,
}
PAGES = {"naaim": ("/programs/naaim-exposure-index/", naaim_page), "shiller": ("/", shiller_page)}


def good_file(name: str) -> bytes:
    return {
        "aaii": lambda: (FIXTURES / "aaii_sentiment_small.xls").read_bytes(),
        "naaim": naaim_workbook,
        "finra": finra_workbook,
        "shiller": shiller_workbook,
    }[name]()


def renamed_file(name: str) -> bytes:
    return {
        "aaii": workbook([["Date", "Bulls", "Neutral", "Bears"], ["2024-06-13", 0.4, 0.3, 0.3]]),
        "naaim": workbook([["Date", "NAAIM Exposure"], [pd.Timestamp("2026-07-01"), 84.7]]),
        "finra": workbook([["Year-Month", "Debits"], ["2026-05", 1]]),
        "shiller": workbook([["Date", "P", "Earnings"], [2025.09, 1, 2]], sheet="Data"),
    }[name]


FAULTS = {
    # fault: (status, body or a function of the provider name, message expected)
    "403": (403, b"Forbidden", r"refused the (automated )?download"),
    "404": (404, b"Not Found", r"HTTP 404"),
    "429": (429, b"Slow down", r"rate limited \(HTTP 429\); try again later"),
    "500": (500, b"Oops", r"server error \(HTTP 500\) after 3 attempts"),
    "timeout": (HANG, b"late", r"no answer within 0\.[345]\d* s|ran out of time"),
    "empty": (200, b"", r"is empty"),
    "truncated": (200, lambda name: good_file(name)[:1500], r"not a readable Excel workbook"),
    "renamed column": (200, renamed_file, r"no .*column|no header row"),
    "web page": (200, b"<!DOCTYPE html><html><body>Sign in</body></html>", r"web page"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("name", list(PROVIDERS))
def test_every_fault_gives_a_clear_message_naming_what_to_do(
    monkeypatch, server, name, fault
) -> None:
    provider = PROVIDERS[name]
    point_at(monkeypatch, server, name)
    if name in PAGES:
        page_path, page = PAGES[name]
        server.serve(page_path, page())
    status, body, pattern = FAULTS[fault]
    server.serve(FILE_PATHS[name], body(name) if callable(body) else body, status, Retry_After="0")
    started = time.monotonic()
    result = fetch_one(provider, seconds=0.5 if fault == "timeout" else 20)
    assert isinstance(result, DataSourceError), result
    message = str(result)
    assert re.search(pattern, message), message
    assert provider.record.manual_page in message
    assert f"import-file --series {provider.key} FILE" in message
    for internal in ("NoneType", "Traceback", "index out of range", "zip file", "\n"):
        assert internal not in message
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("name", list(PAGES))
def test_a_page_without_the_link_says_so(monkeypatch, server, name) -> None:
    provider = PROVIDERS[name]
    point_at(monkeypatch, server, name)
    page_path, _ = PAGES[name]
    server.serve(page_path, b"<!DOCTYPE html><html><body><a href='/about'>About</a></body></html>")
    result = fetch_one(provider)
    assert isinstance(result, DataSourceError)
    assert "no longer links" in str(result) and provider.record.manual_page in str(result)
    assert server.paths() == [page_path]


def test_aaii_refusal_names_the_survey_page_and_the_manual_route(monkeypatch, server) -> None:
    point_at(monkeypatch, server, "aaii")
    server.serve("/files/surveys/sentiment.xls", b"Forbidden", 403)
    message = str(fetch_one(AAII))
    assert message.startswith(
        "AAII refused the automated download even with a web browser's headers"
    )
    assert (
        "Download sentiment.xls from https://www.aaii.com/sentimentsurvey/sent_results" in message
    )
    assert len(server.hits) == 1  # a refusal is not retried


def test_server_errors_are_retried_with_backoff(monkeypatch, server) -> None:
    point_at(monkeypatch, server, "finra")
    waits: list[float] = []
    monkeypatch.setattr(FINRA, "sleep", waits.append)
    path = "/sites/default/files/2021-03/margin-statistics.xlsx"
    server.serve(path, b"busy", 503)
    result = fetch_one(FINRA)
    assert isinstance(result, SourceUnavailable) and waits == [1.0, 2.0]
    assert server.paths() == [path] * 3


def test_the_deadline_bounds_every_request(monkeypatch, server) -> None:
    point_at(monkeypatch, server, "naaim")
    server.serve("/programs/naaim-exposure-index/", b"", HANG)
    started = time.monotonic()
    result = fetch_one(NAAIM, seconds=0.3)
    elapsed = time.monotonic() - started
    assert isinstance(result, SourceUnavailable)
    assert "no answer within 0.3 s" in str(result) or "ran out of time" in str(result)
    assert elapsed < 2.0  # three attempts of at most 0.3 s, never the 30 s request timeout


# ---- CBOE ----------------------------------------------------------------------------------


def daily_json(value: str) -> bytes:
    """CBOE's daily statistics document (its ``ratios`` list), total ratio ``value``."""
    ratios = [
        {"name": "TOTAL PUT/CALL RATIO", "value": value},
        {"name": "INDEX PUT/CALL RATIO", "value": "1.21"},
        {"name": "EQUITY PUT/CALL RATIO", "value": "0.61"},
    ]
    return json.dumps({"ratios": ratios}).encode()


def daily_path(day: str) -> str:
    return f"/data/us/options/market_statistics/daily/{day}_daily_options"


ARCHIVE_PATH = "/resources/options/volume_and_call_put_ratios/totalpc.csv"
# 2019-10-07 .. 2019-10-18: ten sessions (Columbus Day, 10-14, is a trading day).
OCTOBER = [f"2019-10-{d:02d}" for d in (7, 8, 9, 10, 11, 14, 15, 16, 17, 18)]


class FakeClock:
    """Monotonic time that moves only when the provider sleeps or a request is made."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def cboe(today: str, clock: FakeClock | None = None) -> CboeProvider:
    clock = clock or FakeClock()
    return CboeProvider(today=pd.Timestamp(today), sleep=clock.sleep, clock=clock)


def serve_october(
    server: Recorded, skip: tuple[str, ...] = (), empty: tuple[str, ...] = ()
) -> None:
    server.serve(ARCHIVE_PATH, (FIXTURES / "totalpc.csv").read_bytes())
    for number, day in enumerate(OCTOBER):
        if day in skip:
            continue
        value = "" if day in empty else f"{0.80 + number / 100:.2f}"
        server.serve(daily_path(day), daily_json(value))


def test_cboe_fresh_store_gets_archive_and_every_session_with_gaps_reported(
    monkeypatch, server
) -> None:
    point_at(monkeypatch, server, "cboe")
    serve_october(server, skip=("2019-10-09",), empty=("2019-10-10",))
    clock = FakeClock()
    provider = cboe("2019-10-18", clock)
    lines: list[str] = []
    results = provider.download(
        ["cboe:total_put_call"], deadline=Deadline(60), stored_last={}, progress=lines.append
    )
    frame = results["cboe:total_put_call"]
    assert isinstance(frame, pd.DataFrame)
    days = list(frame.index.strftime("%Y-%m-%d"))
    assert days == ["2019-10-01", "2019-10-02", "2019-10-03"] + [
        day for day in OCTOBER if day not in ("2019-10-09", "2019-10-10")
    ]
    assert frame.loc["2019-10-18", "value"] == pytest.approx(0.89)
    assert frame.attrs["gaps"] == [("2019-10-09", "2019-10-10")]
    assert "1 gap(s): 2019-10-09 to 2019-10-10" in frame.attrs["note"]
    assert "pending" not in frame.attrs
    assert lines == ["CBOE backfill: 10 of 10 days"]
    assert server.paths()[0] == ARCHIVE_PATH and len(server.hits) == 11
    assert clock.sleeps == [0.25] * 10  # min_interval between the 11 requests (none before)


def test_cboe_resumes_from_the_stored_last_day_without_the_archive(monkeypatch, server) -> None:
    point_at(monkeypatch, server, "cboe")
    serve_october(server)
    provider = cboe("2019-10-18")
    results = provider.download(
        ["cboe:total_put_call"],
        deadline=Deadline(60),
        stored_last={"cboe:total_put_call": pd.Timestamp("2019-10-16")},
    )
    frame = results["cboe:total_put_call"]
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index.strftime("%Y-%m-%d")) == ["2019-10-16", "2019-10-17", "2019-10-18"]
    assert server.paths() == [daily_path(d) for d in ("2019-10-16", "2019-10-17", "2019-10-18")]
    assert frame.attrs["gaps"] == []


def test_cboe_deadline_keeps_what_arrived_and_the_next_refresh_continues(
    monkeypatch, server
) -> None:
    point_at(monkeypatch, server, "cboe")
    serve_october(server)
    clock = FakeClock()
    provider = cboe("2019-10-18", clock)
    # 1 s at 0.25 s between requests: the archive and three days fit, then time is up.
    results = provider.download(
        ["cboe:total_put_call"], deadline=Deadline(1.0, clock=clock), stored_last={}
    )
    frame = results["cboe:total_put_call"]
    assert isinstance(frame, pd.DataFrame)
    assert frame.index[-1] == pd.Timestamp("2019-10-09")
    assert frame.attrs["pending"] == ("2019-10-10", "2019-10-18")
    assert "7 of 10 days still to fetch from 2019-10-10" in frame.attrs["note"]
    assert "no time left in the refresh" in frame.attrs["note"]  # the pace's wait would overrun
    server.hits.clear()
    again = cboe("2019-10-18").download(
        ["cboe:total_put_call"],
        deadline=Deadline(60),
        stored_last={"cboe:total_put_call": frame.index[-1]},
    )["cboe:total_put_call"]
    assert isinstance(again, pd.DataFrame)
    assert list(again.index.strftime("%Y-%m-%d")) == OCTOBER[2:]
    assert len(server.hits) == 8


def test_cboe_stops_at_a_server_error_and_keeps_the_days_before(monkeypatch, server) -> None:
    point_at(monkeypatch, server, "cboe")
    serve_october(server)
    server.serve(daily_path("2019-10-15"), b"down", 502)
    frame = cboe("2019-10-18").download(
        ["cboe:total_put_call"],
        deadline=Deadline(60),
        stored_last={"cboe:total_put_call": pd.Timestamp("2019-10-11")},
    )["cboe:total_put_call"]
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index.strftime("%Y-%m-%d")) == ["2019-10-11", "2019-10-14"]
    assert frame.attrs["pending"] == ("2019-10-15", "2019-10-18")
    assert "HTTP 502" in frame.attrs["note"]


def test_cboe_refusing_every_day_is_an_error_naming_the_manual_route(monkeypatch, server) -> None:
    point_at(monkeypatch, server, "cboe")
    for day in OCTOBER:
        server.serve(daily_path(day), b"Forbidden", 403)
    result = cboe("2019-10-18").download(
        ["cboe:total_put_call"],
        deadline=Deadline(60),
        stored_last={"cboe:total_put_call": pd.Timestamp("2019-10-04")},
    )["cboe:total_put_call"]
    assert isinstance(result, SourceUnavailable)
    message = str(result)
    assert "5 sessions in a row without statistics" in message
    assert "https://www.cboe.com/us/options/market_statistics/daily/" in message
    assert "import-file --series cboe:total_put_call FILE" in message
    assert len(server.hits) == 5


def test_cboe_nothing_new_yet_refetches_the_last_day(monkeypatch, server) -> None:
    """Refreshing on a Saturday: the stored Friday is fetched again (CBOE may revise it)."""
    point_at(monkeypatch, server, "cboe")
    serve_october(server)
    frame = cboe("2019-10-19").download(
        ["cboe:total_put_call"],
        deadline=Deadline(60),
        stored_last={"cboe:total_put_call": pd.Timestamp("2019-10-18")},
    )["cboe:total_put_call"]
    assert isinstance(frame, pd.DataFrame) and list(frame.index) == [pd.Timestamp("2019-10-18")]


def test_cboe_progress_lines_count_days_with_thousands_separators(monkeypatch, server) -> None:
    point_at(monkeypatch, server, "cboe")
    server.serve(daily_path("2019-10-07"), daily_json("0.9"))
    for day in pd.bdate_range("2019-10-08", "2024-12-31"):
        server.serve(daily_path(f"{day:%Y-%m-%d}"), daily_json("0.9"))
    clock = FakeClock()
    lines: list[str] = []
    provider = cboe("2024-12-31", clock)
    frame = provider.download(
        ["cboe:total_put_call"],
        deadline=Deadline(10.0, clock=clock),  # 40 requests fit
        stored_last={"cboe:total_put_call": pd.Timestamp("2019-10-04")},
        progress=lines.append,
    )["cboe:total_put_call"]
    assert isinstance(frame, pd.DataFrame) and len(frame) == 40
    # Sessions 2019-10-07 .. 2024-12-31: 60 in 2019 (Oct 19, Nov 20, Dec 21), then
    # 253 + 252 + 251 + 250 + 252 = 1,318.
    assert lines == ["CBOE backfill: 40 of 1,318 days"]


@pytest.mark.parametrize(
    ("fault", "status", "body", "error", "pattern"),
    [
        ("403", 403, b"Forbidden", SourceUnavailable, r"no CBOE statistics published since"),
        ("404", 404, b"Not Found", SourceUnavailable, r"no CBOE statistics published since"),
        ("web page", 200, b"<html><body>Hi</body></html>", SourceUnavailable, r"published since"),
        ("429", 429, b"Slow down", RateLimited, r"rate limited \(HTTP 429\); try again later"),
        ("500", 500, b"Oops", SourceUnavailable, r"server error \(HTTP 500\) after 2 attempts"),
        ("timeout", HANG, b"late", SourceUnavailable, r"no answer within 0\.[345]\d* s"),
        ("empty", 200, b"", SourceUnavailable, r"2019-10-18: not JSON"),
        ("malformed", 200, b'{"ratios": 1}', SourceUnavailable, r"no 'ratios' list"),
        ("renamed", 200, b'{"ratios": [{"name": "TOTAL P/C", "value": "1"}]}', SourceUnavailable,
         r"no TOTAL PUT/CALL RATIO entry"),
        ("empty value", 200, daily_json(""), SourceUnavailable, r"2019-10-18: no data rows"),
    ],
)  # fmt: skip
def test_cboe_faults_on_every_requested_day(
    monkeypatch, server, fault, status, body, error, pattern
) -> None:
    point_at(monkeypatch, server, "cboe")
    for day in ("2019-10-17", "2019-10-18"):
        server.serve(daily_path(day), body, status, Retry_After="0")
    result = cboe("2019-10-18").download(
        ["cboe:total_put_call"],
        deadline=Deadline(0.5 if fault == "timeout" else 20),
        stored_last={"cboe:total_put_call": pd.Timestamp("2019-10-17")},
    )["cboe:total_put_call"]
    assert isinstance(result, error), result
    message = str(result)
    assert re.search(pattern, message), message
    assert "import-file --series cboe:total_put_call FILE" in message
    assert "NoneType" not in message and "\n" not in message


def test_cboe_negative_ratios_are_refused_by_validation_not_the_parser(monkeypatch, server) -> None:
    """Plausibility has one home, ``data_sources.validate`` (the store runs it on every
    payload): the provider hands the days over, the check refuses them."""
    point_at(monkeypatch, server, "cboe")
    for day in ("2019-10-17", "2019-10-18"):
        server.serve(daily_path(day), daily_json("-0.16"))
    result = cboe("2019-10-18").download(
        ["cboe:total_put_call"],
        deadline=Deadline(20),
        stored_last={"cboe:total_put_call": pd.Timestamp("2019-10-17")},
    )["cboe:total_put_call"]
    assert isinstance(result, pd.DataFrame) and result["value"].tolist() == [-0.16, -0.16]
    with pytest.raises(Rejected, match=r"value is -0\.16 on 2019-10-17, outside its possible"):
        check_update("cboe:total_put_call", result, None, now=pd.Timestamp("2019-10-18"))


def test_cboe_archive_failure_is_a_reported_gap_and_the_days_still_land(
    monkeypatch, server
) -> None:
    point_at(monkeypatch, server, "cboe")
    serve_october(server)
    server.serve(ARCHIVE_PATH, b"CBOE TOTAL PUT/CALL RATIO\nDATE,CALLS,PUTS\n10/1/2019,1,2\n")
    frame = cboe("2019-10-08").download(
        ["cboe:total_put_call"], deadline=Deadline(20), stored_last={}
    )["cboe:total_put_call"]
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index.strftime("%Y-%m-%d")) == ["2019-10-07", "2019-10-08"]
    assert frame.attrs["gaps"] == [("2006-11-01", "2019-10-04")]


def test_without_an_override_links_are_followed_as_the_page_gives_them(monkeypatch) -> None:
    monkeypatch.delenv("INVESTABLE_SHILLER_URL", raising=False)
    monkeypatch.delenv("INVESTABLE_NAAIM_URL", raising=False)
    pages = {
        "https://shillerdata.com/": shiller_page(),
        "https://naaim.org/programs/naaim-exposure-index/": naaim_page(),
    }
    for provider in (SHILLER, NAAIM):
        monkeypatch.setattr(provider, "_get", lambda url, deadline, expect_html=False: pages[url])
    assert SHILLER.file_url(Deadline(5)) == "https://img1.wsimg.com" + SHILLER_FILE
    assert NAAIM.file_url(Deadline(5)) == "https://naaim.org" + NAAIM_FILE


def test_newest_link_wins_wherever_it_sits_on_the_page() -> None:
    from data_sources.providers.files import newest_weekly_link

    links = [
        "https://naaim.org/wp-content/uploads/2026/04/USE_Data-since-Inception_2026-04-01.xlsx",
        "https://naaim.org/wp-content/uploads/2026/07/use_data-since-inception_2026-07-08.XLSX",
        "https://naaim.org/wp-content/uploads/2026/07/USE_Data-since-Inception_2026-07-01.xlsx",
        "https://naaim.org/wp-content/uploads/2026/07/USE_Data-since-Inception_2026-07-01.pdf",
    ]
    assert newest_weekly_link(links) == links[1]
    assert newest_weekly_link(links[3:]) is None


@pytest.mark.shared_data
def test_real_aaii_workbook_over_http(monkeypatch, server, shared_data_dir) -> None:
    point_at(monkeypatch, server, "aaii")
    real = (shared_data_dir / "sentiment/raw/aaii_sentiment.xls").read_bytes()
    server.serve("/files/surveys/sentiment.xls", real)
    frame = fetch_one(AAII)
    assert isinstance(frame, pd.DataFrame) and len(frame) == 2037
    assert frame.index[-1] == pd.Timestamp("2026-08-20")


def test_the_store_fills_every_file_series(monkeypatch, server, tmp_path) -> None:
    """The store over the local server: all five file series land in an empty store; then a
    failing NAAIM leaves its stored bytes (every committed object) alone."""
    from data_sources.store import Store

    point_at(monkeypatch, server, "aaii", "naaim", "finra", "shiller", "cboe")
    server.serve(
        "/files/surveys/sentiment.xls", (FIXTURES / "aaii_sentiment_small.xls").read_bytes()
    )
    server.serve("/programs/naaim-exposure-index/", naaim_page())
    server.serve(NAAIM_FILE, naaim_workbook())
    server.serve(FILE_PATHS["finra"], finra_workbook())
    server.serve("/", shiller_page())
    server.serve(SHILLER_FILE, shiller_workbook())
    serve_october(server)
    providers = {
        "aaii": AAII,
        "naaim": NAAIM,
        "finra": FINRA,
        "shiller": SHILLER,
        "cboe": cboe("2019-10-18"),
    }
    store = Store(tmp_path, providers=providers)
    keys = [provider.key for provider in providers.values()]
    report = store.refresh(keys)
    assert report.failed == {} and set(report.added) == set(keys)
    assert report.added == {
        "aaii:sentiment": 3,
        "naaim:exposure": 4,
        "finra:margin_debt": 2,
        "shiller:earnings": 2,
        "cboe:total_put_call": 3 + 15 - 5,  # archive + the last 15 sessions known to the server
    }

    def committed_bytes() -> dict[str, bytes]:
        return {
            str(path.relative_to(tmp_path)): path.read_bytes()
            for path in sorted(tmp_path.rglob("*"))
            if path.is_file() and path.parts[-2] in ("objects", "generations")
        }

    stored, generation = committed_bytes(), store.generation
    server.serve(NAAIM_FILE, naaim_workbook()[:2000])
    again = store.refresh(["naaim:exposure"])
    assert "not a readable Excel workbook" in again.failed["naaim:exposure"]
    assert committed_bytes() == stored and store.generation == generation
