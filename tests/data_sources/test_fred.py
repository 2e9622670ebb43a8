"""FRED: parsers on payloads in FRED's real formats, and the provider driven against a real HTTP
server on 127.0.0.1 (base URLs through INVESTABLE_FRED_URL / INVESTABLE_FRED_API_URL)."""

from __future__ import annotations

import json
import logging
import time
import traceback
from pathlib import Path
from urllib.parse import quote, quote_plus

import pandas as pd
import pytest

from data_sources import http
from data_sources.deadline import Deadline
from data_sources.errors import (
    BadPayload,
    CredentialsRejected,
    EmptyPayload,
    MissingColumn,
    RateLimited,
    Rejected,
    SeriesNotFound,
    SourceUnavailable,
)
from data_sources.providers.fred import (
    FRED_RECORD,
    FredProvider,
    api_key,
    error_message,
    parse_api_json,
    parse_fredgraph_csv,
)
from data_sources.redact import normalise_secret, redact, without_query
from tests.data_sources.recorded_server import Asked, RecordedServer, Reply, closed_port_url

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data_sources"
RAW_KEY = '  "abcd1234 efgh5678"\n'  # as pasted: spaces, quotes, a newline
KEY = "abcd1234 efgh5678"

# FRED's real layouts (2026): the keyless CSV, the API's JSON and its error bodies.
UNRATE_CSV = b"observation_date,UNRATE\n2024-01-01,3.7\n2024-02-01,3.9\n2024-03-01,.\n"
DGS10_CSV = (FIXTURES / "fredgraph_DGS10.csv").read_bytes()
HTML_ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html lang='en'><head><title>Error - FRED | St. Louis Fed</title></head>"
    b"<body><h1>Sorry, the page you requested could not be found.</h1></body></html>"
)
API_UNRATE = json.dumps(
    {
        "realtime_start": "2024-06-14",
        "realtime_end": "2024-06-14",
        "observation_start": "1600-01-01",
        "observation_end": "9999-12-31",
        "units": "lin",
        "output_type": 1,
        "file_type": "json",
        "order_by": "observation_date",
        "sort_order": "asc",
        "count": 3,
        "offset": 0,
        "limit": 100000,
        "observations": [
            {"realtime_start": "2024-06-14", "realtime_end": "2024-06-14", "date": d, "value": v}
            for d, v in [("2024-03-01", "3.9"), ("2024-04-01", "."), ("2024-05-01", "4.0")]
        ],
    }
).encode()
API_BAD_KEY = (
    b'{"error_code":400,"error_message":"Bad Request.  The value for variable api_key is not '
    b"registered.  Read https:\\/\\/fred.stlouisfed.org\\/docs\\/api\\/api_key.html for more "
    b'information."}'
)
API_NO_SERIES = b'{"error_code":400,"error_message":"Bad Request.  The series does not exist."}'
XML_NO_SERIES = (
    b'<?xml version="1.0" encoding="utf-8" ?>\n'
    b'<error code="400" message="Bad Request.  The series does not exist."/>'
)


def _key_forms() -> list[str]:
    return [KEY, RAW_KEY, quote(KEY, safe=""), quote_plus(KEY), "abcd1234", "efgh5678"]


def _assert_no_key(error: BaseException) -> None:
    shown = [str(error), repr(error), "".join(traceback.format_exception(error))]
    for text in shown:
        for form in _key_forms():
            assert form not in text, (form, text)


def _serve(monkeypatch, answer) -> RecordedServer:
    server = RecordedServer(answer)
    monkeypatch.setenv("INVESTABLE_FRED_URL", server.url)
    monkeypatch.setenv("INVESTABLE_FRED_API_URL", server.url)
    return server


class Unpaced(http.Pacer):
    """No rate-limit pause, so a test's recorded sleeps are the retry backoffs only."""

    def wait(self, *args, **kwargs) -> float:
        return 0.0


def _provider(key=None, waits=None) -> FredProvider:
    sleep = waits.append if waits is not None else time.sleep
    return FredProvider(key, pacer=Unpaced(), sleep=sleep)


# ---- parsers -------------------------------------------------------------------------------


def test_fredgraph_csv_new_and_old_headers_and_missing_dots() -> None:
    frame = parse_fredgraph_csv(DGS10_CSV, "DGS10")
    assert list(frame.index.strftime("%Y-%m-%d")) == [
        "2024-01-02",
        "2024-01-03",
        "2024-01-04",
        "2024-01-05",
    ]  # the "." on 1 January is a missing value, dropped
    assert frame["value"].tolist() == [3.95, 3.91, 3.99, 4.05]
    old = parse_fredgraph_csv((FIXTURES / "fredgraph_UNRATE_old_header.csv").read_bytes(), "UNRATE")
    assert old["value"].tolist() == [3.7, 3.7, 3.7]
    trailing = parse_fredgraph_csv(UNRATE_CSV, "UNRATE")  # a trailing "." row is dropped
    assert trailing.index[-1] == pd.Timestamp("2024-02-01") and len(trailing) == 2


def test_fredgraph_csv_failures_have_clear_messages() -> None:
    with pytest.raises(MissingColumn, match="no date column"):
        parse_fredgraph_csv(b"when,DGS10\n2024-01-02,3.9\n", "DGS10")
    with pytest.raises(MissingColumn, match="'DGS10'"):
        parse_fredgraph_csv(b"observation_date,DGS2\n2024-01-02,3.9\n", "DGS10")
    with pytest.raises(EmptyPayload):
        parse_fredgraph_csv(b"observation_date,DGS10\n2024-01-01,.\n", "DGS10")
    with pytest.raises(BadPayload, match="web page"):
        parse_fredgraph_csv(HTML_ERROR_PAGE, "DGS10")
    with pytest.raises(BadPayload, match="not a CSV"):
        parse_fredgraph_csv(b"", "DGS10")


def test_fredgraph_csv_rejects_unsorted_and_repeated_dates() -> None:
    unsorted = b"observation_date,DGS10\n2024-01-03,3.9\n2024-01-02,3.8\n2024-01-04,4.0\n"
    with pytest.raises(Rejected, match=r"out of order \(2024-01-04 follows 2024-01-02\)"):
        parse_fredgraph_csv(unsorted, "DGS10")
    repeated = b"observation_date,DGS10\n2024-01-02,3.9\n2024-01-02,3.8\n"
    with pytest.raises(Rejected, match="2024-01-02 appears 2 times with different values"):
        parse_fredgraph_csv(repeated, "DGS10")


def test_a_date_repeated_with_the_same_value_is_one_observation() -> None:
    """validate.one_row_per_date for every provider: apart by rounding only (0.005 and 0.1 %),
    the same; otherwise a conflict."""
    same = b"observation_date,DGS10\n2024-01-02,3.90\n2024-01-02,3.9035\n2024-01-03,3.95\n"
    frame = parse_fredgraph_csv(same, "DGS10")
    assert frame["value"].tolist() == [3.90, 3.95]
    missing_then_known = b"observation_date,DGS10\n2024-01-02,.\n2024-01-02,3.9\n"
    assert parse_fredgraph_csv(missing_then_known, "DGS10")["value"].tolist() == [3.9]
    apart = b"observation_date,DGS10\n2024-01-02,3.90\n2024-01-02,3.905\n"  # 0.13 %
    with pytest.raises(Rejected, match=r"appears 2 times with different values \(3\.9, 3\.905\)"):
        parse_fredgraph_csv(apart, "DGS10")
    api = json.dumps(
        {"observations": [{"date": "2024-03-01", "value": v} for v in ("3.9", "3.9")]}
    ).encode()
    assert parse_api_json(api, "UNRATE")["value"].tolist() == [3.9]


def test_api_json_observations_and_error_bodies() -> None:
    frame = parse_api_json(API_UNRATE, "UNRATE")
    assert frame.index.tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-05-01")]
    assert frame["value"].tolist() == [3.9, 4.0] and frame.index.name == "date"
    with pytest.raises(CredentialsRejected, match="FRED refused the API key: Bad Request"):
        parse_api_json(API_BAD_KEY, "UNRATE")
    with pytest.raises(SeriesNotFound, match=r"FRED has no series NOPE: .*does not exist"):
        parse_api_json(API_NO_SERIES, "NOPE")
    with pytest.raises(MissingColumn, match="no 'observations'"):
        parse_api_json(b'{"count": 0}', "UNRATE")
    with pytest.raises(BadPayload, match="neither data nor an error"):
        parse_api_json(b"garbage", "UNRATE")


def test_error_message_from_json_xml_and_html() -> None:
    assert error_message(API_NO_SERIES) == "Bad Request. The series does not exist."
    assert error_message(XML_NO_SERIES) == "Bad Request. The series does not exist."
    assert error_message(HTML_ERROR_PAGE) == "Error - FRED | St. Louis Fed"
    assert error_message(b"\x00\x01") is None


# ---- the record and the key ------------------------------------------------------------------


def test_record_and_key_normalisation(monkeypatch) -> None:
    assert FRED_RECORD.name == "fred" and FRED_RECORD.credentials == ("FRED_API_KEY",)
    assert FRED_RECORD.min_interval == 0.5 and FRED_RECORD.base_url_env == "INVESTABLE_FRED_URL"
    upload = next(u for u in FRED_RECORD.uploads if u.key == "fred:DGS10")
    assert upload.suffixes == (".csv",)
    assert upload.parser(DGS10_CSV, "DGS10.csv")["value"].iloc[-1] == 4.05
    assert len(FRED_RECORD.uploads) == 30
    monkeypatch.setenv("FRED_API_KEY", RAW_KEY)
    assert api_key() == KEY and api_key("'other'") == "other"
    monkeypatch.setenv("FRED_API_KEY", '  ""  ')
    assert api_key() is None
    provider = FredProvider(RAW_KEY)
    assert repr(provider) == "FredProvider(key=set)" and KEY not in str(vars(provider).keys())


# ---- keyless CSV over a local server --------------------------------------------------------


def _keyless_answer(asked: Asked) -> Reply:
    assert asked.path == "/graph/fredgraph.csv"
    series = asked.query["id"]
    if series == "UNRATE":
        return Reply(body=UNRATE_CSV, headers={"Content-Type": "text/csv"})
    if series == "DGS10":
        return Reply(body=DGS10_CSV, headers={"Content-Type": "text/csv"})
    return Reply(404, HTML_ERROR_PAGE, {"Content-Type": "text/html"})


def test_keyless_one_failing_series_leaves_the_others(monkeypatch) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    lines: list[str] = []
    with _serve(monkeypatch, _keyless_answer) as server:
        results = _provider().download(
            ["fred:UNRATE", "fred:NOPE", "fred:DGS10"],
            deadline=Deadline(10),
            stored_last={},
            progress=lines.append,
        )
    assert [a.query["id"] for a in server.requests] == ["UNRATE", "NOPE", "DGS10"]
    assert results["fred:UNRATE"]["value"].tolist() == [3.7, 3.9]
    assert results["fred:DGS10"]["value"].iloc[-1] == 4.05
    error = results["fred:NOPE"]
    assert isinstance(error, SeriesNotFound)
    assert str(error) == "FRED has no series NOPE: Error - FRED | St. Louis Fed"
    assert lines == [
        "FRED UNRATE: ok (1 of 3)",
        "FRED NOPE: failed (2 of 3)",
        "FRED DGS10: ok (3 of 3)",
    ]
    assert "Investable" in server.requests[0].headers["User-Agent"]


def test_keyless_html_page_with_200_and_server_errors(monkeypatch) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)

    def answer(asked: Asked) -> Reply:
        if asked.query["id"] == "DGS10":
            return Reply(200, HTML_ERROR_PAGE, {"Content-Type": "text/html"})
        return Reply(503, b"busy")

    waits: list[float] = []
    with _serve(monkeypatch, answer) as server:
        results = _provider(waits=waits).download(
            ["fred:DGS10", "fred:UNRATE"], deadline=Deadline(10), stored_last={}
        )
    assert isinstance(results["fred:DGS10"], BadPayload)
    assert "answered with a web page instead of the data" in str(results["fred:DGS10"])
    assert str(results["fred:UNRATE"]) == (
        f"FRED UNRATE: {server.url}/graph/fredgraph.csv: server error (HTTP 503) after 3 attempts"
    )
    assert waits == [1.0, 2.0]  # backoff 1 s, 2 s between the three attempts


def test_rate_limit_backs_off_with_retry_after_then_gives_up_for_every_series(monkeypatch) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    calls = {"n": 0}

    def answer(asked: Asked) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return Reply(429, b"Too Many Requests", {"Retry-After": "3"})
        if asked.query["id"] == "DGS10":
            return Reply(body=DGS10_CSV)
        return Reply(429, b"Too Many Requests", {"Retry-After": "2"})

    waits: list[float] = []
    with _serve(monkeypatch, answer) as server:
        results = _provider(waits=waits).download(
            ["fred:DGS10", "fred:UNRATE", "fred:ICSA"], deadline=Deadline(10), stored_last={}
        )
    assert results["fred:DGS10"]["value"].iloc[-1] == 4.05
    assert waits == [3.0, 2.0, 2.0]  # Retry-After honoured
    assert isinstance(results["fred:UNRATE"], RateLimited)
    assert isinstance(results["fred:ICSA"], RateLimited)
    assert str(results["fred:ICSA"]).startswith("FRED ICSA: not asked, because FRED UNRATE:")
    assert [a.query["id"] for a in server.requests] == ["DGS10", "DGS10", *["UNRATE"] * 3]


def test_requests_to_fred_are_paced_at_two_per_second(monkeypatch) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)

    def answer(asked: Asked) -> Reply:
        return Reply(body=DGS10_CSV.replace(b"DGS10", asked.query["id"].encode()))

    with _serve(monkeypatch, answer) as server:
        provider = FredProvider(pacer=http.Pacer())
        begin = time.monotonic()
        results = provider.download(
            ["fred:DGS10", "fred:DGS2", "fred:DGS3MO"], deadline=Deadline(10), stored_last={}
        )
    assert all(isinstance(r, pd.DataFrame) for r in results.values())
    # the k-th request cannot leave before its slot, k × 0.5 s after the first
    arrivals = [asked.at - begin for asked in server.requests]
    assert len(arrivals) == 3 and all(at >= k * 0.5 for k, at in enumerate(arrivals))
    assert arrivals[-1] < 2.0


def test_a_hanging_server_is_cut_by_the_deadline(monkeypatch) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    with _serve(monkeypatch, lambda asked: Reply(body=DGS10_CSV, delay=3)) as server:
        started = time.monotonic()
        results = _provider().download(
            ["fred:DGS10", "fred:DGS2"], deadline=Deadline(0.6), stored_last={}
        )
        elapsed = time.monotonic() - started
    assert elapsed < 1.5
    assert len(server.requests) == 1  # the second series is not asked once time is out
    assert isinstance(results["fred:DGS10"], SourceUnavailable)
    assert "no time left in the refresh" in str(results["fred:DGS10"])
    assert str(results["fred:DGS2"]).startswith("FRED DGS2: not asked, because FRED DGS10:")


# ---- the JSON API with a key ----------------------------------------------------------------


def _api_answer(asked: Asked) -> Reply:
    assert asked.path == "/fred/series/observations"
    if asked.query.get("api_key") != KEY:
        return Reply(400, API_BAD_KEY, {"Content-Type": "application/json"})
    if asked.query["series_id"] == "UNRATE":
        return Reply(body=API_UNRATE, headers={"Content-Type": "application/json"})
    if asked.query["series_id"] == "OLD":
        return Reply(404, XML_NO_SERIES, {"Content-Type": "text/xml"})
    return Reply(400, API_NO_SERIES, {"Content-Type": "application/json"})


def test_api_with_a_pasted_key_fetches_per_series(monkeypatch) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    with _serve(monkeypatch, _api_answer) as server:
        results = _provider(RAW_KEY).download(
            ["fred:UNRATE", "fred:NOPE", "fred:OLD"], deadline=Deadline(10), stored_last={}
        )
    assert server.requests[0].query == {"series_id": "UNRATE", "api_key": KEY, "file_type": "json"}
    assert results["fred:UNRATE"]["value"].tolist() == [3.9, 4.0]
    assert (
        str(results["fred:NOPE"])
        == "FRED has no series NOPE: Bad Request. The series does not exist."
    )
    assert isinstance(results["fred:OLD"], SeriesNotFound)
    for error in (results["fred:NOPE"], results["fred:OLD"]):
        _assert_no_key(error)


def test_a_refused_key_is_reported_once_for_every_series(monkeypatch) -> None:
    monkeypatch.setenv("FRED_API_KEY", "wrong key 000")
    with _serve(monkeypatch, _api_answer) as server:
        results = _provider().download(
            ["fred:UNRATE", "fred:DGS10"], deadline=Deadline(10), stored_last={}
        )
    assert len(server.requests) == 1
    assert all(isinstance(r, CredentialsRejected) for r in results.values())
    assert "Check FRED_API_KEY, or remove it" in str(results["fred:DGS10"])
    for error in results.values():
        assert "wrong key 000" not in str(error) and "wrong+key+000" not in str(error)


def test_the_key_never_appears_on_any_error_path(monkeypatch) -> None:
    """Refused connection (the HTTP client's own exception text holds the full URL), a
    timeout, 500s, a 429, an HTML page, a 403 and a body that echoes the key."""
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    echo = json.dumps({"error_code": 500, "error_message": f"internal error for {KEY}"}).encode()
    replies = {
        "S500": Reply(500, echo),
        "S429": Reply(429, b"slow down"),
        "S403": Reply(403, b"<html>forbidden</html>"),
        "HTML": Reply(200, HTML_ERROR_PAGE),
        "ECHO": Reply(400, echo),
        "SLOW": Reply(200, API_UNRATE, delay=2),
    }
    errors = []
    with _serve(monkeypatch, lambda asked: replies[asked.query["series_id"]]):
        for series, _reply in replies.items():
            provider = FredProvider(RAW_KEY, sleep=lambda s: None, pacer=http.Pacer())
            deadline = Deadline(0.8) if series == "SLOW" else Deadline(10)
            result = provider.download([f"fred:{series}"], deadline=deadline, stored_last={})
            errors.append(result[f"fred:{series}"])
    monkeypatch.setenv("INVESTABLE_FRED_API_URL", closed_port_url())
    refused = FredProvider(RAW_KEY, sleep=lambda s: None).download(
        ["fred:UNRATE"], deadline=Deadline(10), stored_last={}
    )["fred:UNRATE"]
    errors.append(refused)
    assert http.CANNOT_CONNECT in str(refused) and "ConnectionError" not in str(refused)
    assert "internal error for ***" in str(errors[4])
    for error in errors:
        assert isinstance(error, SourceUnavailable | BadPayload | SeriesNotFound), error
        _assert_no_key(error)


def test_the_request_step_keyless_and_keyed(monkeypatch) -> None:
    """Step one of three: the URL and query per series (the key only in the query, which
    messages never show); base URLs from the environment or FRED's own."""
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    monkeypatch.setenv("INVESTABLE_FRED_URL", "http://127.0.0.1:9/mirror/")
    assert FredProvider()._request("DGS10") == (
        "http://127.0.0.1:9/mirror/graph/fredgraph.csv",
        {"id": "DGS10"},
    )
    monkeypatch.delenv("INVESTABLE_FRED_URL")
    monkeypatch.delenv("INVESTABLE_FRED_API_URL", raising=False)
    assert FredProvider()._request("DGS10")[0] == "https://fred.stlouisfed.org/graph/fredgraph.csv"
    url, params = FredProvider(RAW_KEY)._request("DGS10")
    assert url == "https://api.stlouisfed.org/fred/series/observations"
    assert params == {"series_id": "DGS10", "api_key": KEY, "file_type": "json"}
    assert KEY not in repr(FredProvider(RAW_KEY))


def test_keyless_download_parses_the_real_csv(monkeypatch) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    with _serve(monkeypatch, _keyless_answer) as server:
        results = _provider().download(["fred:DGS10"], deadline=Deadline(5), stored_last={})
    assert [a.path for a in server.requests] == ["/graph/fredgraph.csv"]
    assert results["fred:DGS10"]["value"].tolist() == [3.95, 3.91, 3.99, 4.05]


# ---- secrets: normalise, redact, and keep out of logs ------------------------------------


def test_normalise_and_redact_every_form_of_the_key() -> None:
    assert normalise_secret(RAW_KEY) == KEY
    assert normalise_secret("'k e y'") == "k e y" and normalise_secret(" \t\n") is None
    assert normalise_secret('"unbalanced') == '"unbalanced' and normalise_secret(None) is None
    text = f"raw {KEY} / url https://x/?api_key={quote_plus(KEY)}&a=1 / pct {quote(KEY, safe='')}"
    assert redact(text, [RAW_KEY]) == "raw *** / url https://x/?api_key=***&a=1 / pct ***"
    assert redact("nothing here", [None, "", "  "]) == "nothing here"
    assert without_query("https://u:pw@api.example:8443/p/q?api_key=K#f") == (
        "https://api.example:8443/p/q"
    )


def test_the_key_stays_out_of_the_http_libraries_debug_logs(monkeypatch, caplog) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    caplog.set_level(logging.DEBUG)
    with _serve(monkeypatch, _api_answer):
        results = _provider(RAW_KEY).download(
            ["fred:UNRATE", "fred:NOPE"], deadline=Deadline(10), stored_last={}
        )
    assert isinstance(results["fred:UNRATE"], pd.DataFrame)
    assert "GET /fred/series/observations?series_id=UNRATE&api_key=***" in caplog.text
    for form in _key_forms():
        assert form not in caplog.text
