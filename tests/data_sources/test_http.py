"""The HTTP layer: timeouts, retries and backoff, the deadline, headers, the per-host pace,
base-URL overrides, and messages without query strings. Scripted sessions for exact sequences;
a real server on 127.0.0.1 for headers and the client's own exceptions."""

from __future__ import annotations

import threading
import time
import traceback

import pytest
import requests

from data_sources import http
from data_sources.deadline import Deadline
from data_sources.errors import (
    Blocked,
    HttpStatusError,
    RateLimited,
    SourceUnavailable,
)
from tests.data_sources.recorded_server import RecordedServer, Reply, closed_port_url


class FakeResponse:
    def __init__(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.status_code, self.content, self.headers = status, body, headers or {}


class FakeSession:
    """Answers from a script: a FakeResponse, or an exception to raise."""

    def __init__(self, script: list) -> None:
        self.script, self.urls, self.timeouts, self.headers = list(script), [], [], []

    def get(self, url, timeout=None, headers=None):
        self.urls.append(url)
        self.timeouts.append(timeout)
        self.headers.append(headers)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _get(script: list, url: str = "https://example.test/data.csv", **kwargs):
    waits: list[float] = []
    session = FakeSession(script)
    kwargs.setdefault("sleep", waits.append)
    result = http.get_bytes(url, session=session, **kwargs)
    return result, waits, session


def test_retries_server_errors_with_exponential_backoff() -> None:
    body, waits, session = _get([FakeResponse(503), FakeResponse(502), FakeResponse(200, b"a,b")])
    assert body == b"a,b"
    assert waits == [1.0, 2.0] and len(session.urls) == 3


def test_timeouts_exhaust_the_retries_with_a_clear_message() -> None:
    with pytest.raises(SourceUnavailable, match="no answer within 5 s after 3 attempts"):
        _get([requests.Timeout(), requests.Timeout(), requests.Timeout()], timeout=5)


def test_server_errors_exhaust_the_retries_as_http_status_error() -> None:
    with pytest.raises(HttpStatusError, match=r"server error \(HTTP 500\) after 2 attempts") as e:
        _get([FakeResponse(500, b"boom"), FakeResponse(500, b"boom")], retries=1)
    assert e.value.status == 500 and e.value.body == b"boom"


def test_rate_limit_uses_retry_after_then_raises_rate_limited() -> None:
    limited = FakeResponse(429, headers={"Retry-After": "7"})
    with pytest.raises(RateLimited, match="rate limited"):
        _get([limited, limited, limited])
    _, waits, _ = _get([limited, FakeResponse(200, b"ok")])
    assert waits == [7.0]
    long_wait = FakeResponse(429, headers={"Retry-After": "60"})  # 60 s or more: ignored
    _, waits, _ = _get([long_wait, FakeResponse(200, b"ok")])
    assert waits == [1.0]
    _, waits, _ = _get([FakeResponse(429, headers={"Retry-After": "59"}), FakeResponse(200, b"")])
    assert waits == [59.0]


@pytest.mark.parametrize(
    ("response", "error", "message"),
    [
        (FakeResponse(403), Blocked, "refused the download"),
        (FakeResponse(200, b"<!DOCTYPE html><html>"), Blocked, "web page instead"),
        (FakeResponse(200, b"  <html><body>"), Blocked, "web page instead"),
        (FakeResponse(404, b"gone"), HttpStatusError, "HTTP 404"),
    ],
)
def test_blocked_and_client_errors_are_not_retried(response, error, message) -> None:
    session = FakeSession([response])
    with pytest.raises(error, match=message):
        http.get_bytes("https://example.test/data.csv", session=session, sleep=lambda s: None)
    assert len(session.urls) == 1
    if error is Blocked:
        assert raised_status(response) == response.status_code


def raised_status(response) -> int:
    try:
        http.get_bytes("https://example.test/d.csv", session=FakeSession([response]))
    except Blocked as error:
        return error.status
    raise AssertionError("not blocked")


def test_blocked_is_a_source_unavailable_and_http_keeps_its_name() -> None:
    assert http.Blocked is Blocked and issubclass(Blocked, SourceUnavailable)
    body, _, _ = _get([FakeResponse(200, b"<html>page</html>")], expect_html=True)
    assert body == b"<html>page</html>"


def test_deadline_caps_timeouts_and_no_sleep_runs_past_it() -> None:
    clock = FakeClock()
    deadline = Deadline(10, clock=clock)
    session = FakeSession([FakeResponse(503), FakeResponse(503), FakeResponse(200, b"x")])
    clock.now = 7.5  # 2.5 s left
    with pytest.raises(SourceUnavailable) as raised:
        http.get_bytes(
            "https://example.test/x?api_key=SECRET",
            session=session,
            timeout=20,
            deadline=deadline,
            sleep=clock.sleep,
            backoff=1.0,
        )
    # attempt 1 at 2.5 s left (timeout 2.5), sleep 1 s; attempt 2 with 1.5 s left; the next
    # wait (2 s) would pass the deadline: stop with the last error, without sleeping it
    assert session.timeouts == [2.5, 1.5]
    assert clock.now == 8.5
    assert str(raised.value) == (
        "https://example.test/x: server error (HTTP 503); no time left in the refresh to retry"
    )


def test_an_expired_deadline_asks_nothing() -> None:
    clock = FakeClock()
    deadline = Deadline(1, clock=clock)
    clock.now = 1.0
    session = FakeSession([FakeResponse(200, b"x")])
    with pytest.raises(SourceUnavailable, match="no time left in the refresh"):
        http.get_bytes("https://example.test/x", session=session, deadline=deadline)
    assert session.urls == []


def test_a_429_whose_wait_passes_the_deadline_is_rate_limited_at_once() -> None:
    clock = FakeClock()
    deadline = Deadline(5, clock=clock)
    session = FakeSession([FakeResponse(429, headers={"Retry-After": "30"})])
    with pytest.raises(RateLimited):
        http.get_bytes("https://example.test/x", session=session, deadline=deadline)
    assert clock.now == 0.0


def test_messages_never_show_the_query_string() -> None:
    url = "https://api.example.test/series?series_id=X&api_key=TOPSECRET"
    failures = [
        [FakeResponse(404)],
        [FakeResponse(403)],
        [FakeResponse(429)] * 3,
        [requests.ConnectionError(f"Max retries exceeded with url: {url}")] * 3,
        [requests.Timeout(f"Read timed out: {url}")] * 3,
        [FakeResponse(500)] * 3,
    ]
    for script in failures:
        with pytest.raises(SourceUnavailable) as raised:
            _get(script, url=url)
        assert "TOPSECRET" not in str(raised.value) and "api_key" not in str(raised.value)
        shown = "".join(traceback.format_exception(raised.value))  # chained errors included
        assert "TOPSECRET" not in shown
        assert str(raised.value).startswith("https://api.example.test/series")


def test_real_server_headers_and_the_clients_own_exception() -> None:
    with RecordedServer(lambda asked: Reply(body=b"ok")) as server:
        assert http.get_bytes(f"{server.url}/a", params={"q": "1 2"}) == b"ok"
        http.get_bytes(f"{server.url}/b", headers=http.BROWSER_HEADERS)
    default, browser = server.requests
    assert default.query == {"q": "1 2"} and default.headers["User-Agent"] == http.USER_AGENT
    assert browser.headers["User-Agent"].startswith("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
    assert "Chrome/" in browser.headers["User-Agent"]
    assert browser.headers["Accept-Language"] == "en-US,en;q=0.9"
    assert browser.headers["Accept"].startswith("text/html")
    with pytest.raises(SourceUnavailable) as raised:
        http.get_bytes(f"{closed_port_url()}/x?api_key=TOPSECRET", retries=0)
    assert "cannot connect (no network, or the server is down or refuses connections)" in str(
        raised.value
    )
    assert "ConnectionError" not in str(raised.value)  # no class names for a user
    assert "TOPSECRET" not in str(raised.value)


def test_pacer_spaces_requests_to_one_host_across_threads() -> None:
    pacer = http.Pacer()
    starts: list[float] = []
    lock = threading.Lock()

    def ask() -> None:
        pacer.wait("fred.example", 0.1)
        with lock:
            starts.append(time.monotonic())

    threads = [threading.Thread(target=ask) for _ in range(5)]
    begin = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    starts.sort()
    # the k-th start cannot come before its slot, k × 0.1 s after the first reservation
    assert [round(s - begin - k * 0.1, 3) >= 0 for k, s in enumerate(starts)] == [True] * 5
    assert starts[-1] - begin < 1.0
    assert pacer.wait("other.example", 0.1) == 0.0  # another host is not held back


def test_pacer_slots_with_a_fake_clock_and_the_deadline() -> None:
    clock = FakeClock()
    pacer = http.Pacer(clock=clock)
    waits = [pacer.wait("h", 0.5, sleep=lambda s: None) for _ in range(3)]
    assert waits == [0.0, 0.5, 1.0]  # slots reserved at 0, 0.5, 1.0
    with pytest.raises(SourceUnavailable, match="rate limit"):
        pacer.wait("h", 0.5, deadline=Deadline(1.5, clock=clock), sleep=lambda s: None)
    assert pacer.wait("h", 0.5, deadline=Deadline(1.51, clock=clock), sleep=lambda s: None) == 1.5
    assert pacer.wait("h", 0.0) == 0.0


def test_base_url_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("INVESTABLE_TEST_URL", raising=False)
    assert http.base_url("https://fred.stlouisfed.org/", "INVESTABLE_TEST_URL") == (
        "https://fred.stlouisfed.org"
    )
    monkeypatch.setenv("INVESTABLE_TEST_URL", " http://127.0.0.1:8080/mirror/ ")
    assert http.base_url("https://x", "INVESTABLE_TEST_URL") == "http://127.0.0.1:8080/mirror"
    monkeypatch.setenv("INVESTABLE_TEST_URL", "   ")
    assert http.base_url("https://x", "INVESTABLE_TEST_URL") == "https://x"
    monkeypatch.setenv("INVESTABLE_TEST_URL", "ftp://mirror")
    with pytest.raises(SourceUnavailable, match="must be an address starting with http"):
        http.base_url("https://x", "INVESTABLE_TEST_URL")
    assert http.base_url("https://x/", None) == "https://x"
