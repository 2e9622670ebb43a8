"""One place that touches the network: GET with a timeout, bounded retries with backoff, a
per-host pace, and the refresh's :class:`~data_sources.deadline.Deadline`.

Rules (``get_bytes``):

* **Timeout.** Each attempt waits at most ``timeout`` seconds, and never longer than the
  deadline has left: ``deadline.timeout(timeout)``.
* **Retries.** Timeouts, connection errors, HTTP 429 and 5xx are retried up to ``retries`` more
  times, waiting ``backoff × 2^attempt`` seconds before attempt ``attempt + 1`` (a 429's
  numeric ``Retry-After`` wins when it is shorter than 60 s). No wait runs past the deadline:
  when the next wait would, the last error is raised at once.
* **Not retried.** 403 and an HTML page where a data file was expected mean the site blocks
  scripts (:class:`Blocked`); any other 4xx is :class:`HttpStatusError` carrying the status and
  the start of the body, for providers that read an error message out of it.
* **Pace.** ``min_interval`` seconds at least between the starts of two requests to the same
  host, across threads (FRED allows about 2 requests per second: ``min_interval=0.5``).
* **Privacy.** Messages name the URL without its query string (API keys live there) and never
  include the HTTP client's own exception text (which contains the full URL) nor its class
  name: a failed connection reads :data:`CANNOT_CONNECT`.

``base_url(default, env_name)`` lets every provider's base URL point at a corporate mirror or
a local test server through an environment variable.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from data_sources.deadline import Deadline
from data_sources.errors import (
    Blocked,
    HttpStatusError,
    RateLimited,
    SourceUnavailable,
)
from data_sources.redact import without_query

if TYPE_CHECKING:  # requests is imported by the first fetch, never by a page view
    import requests

__all__ = [
    "BROWSER_HEADERS",
    "DEFAULT_BACKOFF",
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "PACER",
    "USER_AGENT",
    "Blocked",
    "Pacer",
    "base_url",
    "get_bytes",
]

USER_AGENT = "Investable/0.1 (+https://github.com/investable/investable; market dashboard)"
BROWSER_HEADERS: Mapping[str, str] = {
    "User-Agent": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"
    ),
    "Accept": (
        "text/html,application/xhtml+xml,application/xml;q=0.9,application/vnd.ms-excel,"
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,*/*;q=0.8"
    ),
    "Accept-Language": "en-US,en;q=0.9",
}
"""The headers of an ordinary desktop Chrome, for sites whose firewall refuses scripts (AAII):
its User-Agent, Accept (pages and the spreadsheet types the file providers download) and
Accept-Language. Add a ``Referer`` per site where it helps."""

DEFAULT_TIMEOUT = 20.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 1.0
RETRY_AFTER_LIMIT = 60
CANNOT_CONNECT = "cannot connect (no network, or the server is down or refuses connections)"
"""A connection that failed below HTTP (refused, DNS, reset), in words, not the client's class."""
ERROR_BODY_BYTES = 4096


class Pacer:
    """At least ``interval`` seconds between the starts of two requests to one host.

    Thread-safe: a caller reserves the next free slot under a lock, then sleeps outside it, so
    ``n`` threads asking at once start at ``t, t + interval, …, t + (n-1)·interval``.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._next_free: dict[str, float] = {}

    def wait(
        self,
        host: str,
        interval: float,
        *,
        deadline: Deadline | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> float:
        """Sleep until ``host``'s next slot; returns the seconds slept. Raises
        :class:`SourceUnavailable` (reserving nothing) when the slot lies past the deadline."""
        if interval <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            start = max(now, self._next_free.get(host, now))
            wait = start - now
            if deadline is not None and wait > 0 and wait >= deadline.remaining():
                raise SourceUnavailable(
                    f"{host}: no time left in the refresh to wait for the source's rate limit"
                )
            self._next_free[host] = start + interval
        if wait > 0:
            sleep(wait)
        return wait


PACER = Pacer()
"""The process-wide pace keeper used by :func:`get_bytes` unless given another."""


def base_url(default: str, env_name: str | None) -> str:
    """The value of environment variable ``env_name`` when set (a corporate mirror, a local
    test server), else ``default``; without a trailing slash. Raises
    :class:`SourceUnavailable` when the variable holds something that is not an http(s) URL."""
    value = os.environ.get(env_name, "").strip() if env_name else ""
    if not value:
        return default.rstrip("/")
    if not value.lower().startswith(("http://", "https://")):
        raise SourceUnavailable(
            f"{env_name} must be an address starting with http:// or https:// "
            f"(it is {without_query(value) or 'not one'!r})"
        )
    return value.rstrip("/")


def seconds(value: float) -> str:
    """A duration for a message: at most two decimals (``0.299895`` -> ``"0.3"``)."""
    return f"{round(value, 2):g}"


def _looks_html(body: bytes) -> bool:
    return body.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))


def _out_of_time(where: str, last_error: str) -> SourceUnavailable:
    if last_error:
        return SourceUnavailable(f"{where}: {last_error}; no time left in the refresh to retry")
    return SourceUnavailable(f"{where}: no time left in the refresh")


def get_bytes(
    url: str,
    *,
    params: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    expect_html: bool = False,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
    deadline: Deadline | None = None,
    headers: Mapping[str, str] | None = None,
    min_interval: float = 0.0,
    pacer: Pacer | None = None,
) -> bytes:
    """The body of ``url`` (with ``params`` as its query); raises :class:`SourceUnavailable`,
    :class:`RateLimited`, :class:`Blocked` or :class:`HttpStatusError` with a message naming
    the URL without its query. ``headers`` are added to (and may replace) our User-Agent."""
    import requests

    http = session or requests.Session()
    if params:
        url = requests.Request("GET", url, params=dict(params)).prepare().url or url
    where = without_query(url)
    host = urlsplit(url).netloc
    sent_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    last_error = ""
    try:
        for attempt in range(retries + 1):
            wait = backoff * 2**attempt
            try:
                attempt_timeout = deadline.timeout(timeout) if deadline else timeout
            except SourceUnavailable:
                raise _out_of_time(where, last_error) from None
            (pacer or PACER).wait(host, min_interval, deadline=deadline, sleep=sleep)
            try:
                response = http.get(url, timeout=attempt_timeout, headers=sent_headers)
            except requests.Timeout:
                last_error = f"no answer within {seconds(attempt_timeout)} s"
            except requests.RequestException:
                last_error = CANNOT_CONNECT
            else:
                status = response.status_code
                if 200 <= status < 300:
                    body = bytes(response.content)
                    if _looks_html(body) and not expect_html:
                        raise Blocked(
                            f"{where} returned a web page instead of the data file", status=status
                        )
                    return body
                if status == 403:
                    raise Blocked(f"{where} refused the download (HTTP 403)")
                if status == 429:
                    last_error = "rate limited (HTTP 429)"
                    retry_after = str(response.headers.get("Retry-After", "")).strip()
                    if retry_after.isdigit() and int(retry_after) < RETRY_AFTER_LIMIT:
                        wait = float(retry_after)
                    if attempt == retries or (deadline and wait >= deadline.remaining()):
                        raise RateLimited(f"{where}: {last_error}; try again later")
                elif status >= 500:
                    last_error = f"server error (HTTP {status})"
                    if attempt == retries:
                        raise HttpStatusError(
                            f"{where}: {last_error} after {retries + 1} attempts",
                            status=status,
                            body=bytes(response.content[:ERROR_BODY_BYTES]),
                        )
                else:
                    raise HttpStatusError(
                        f"{where}: HTTP {status}",
                        status=status,
                        body=bytes(response.content[:ERROR_BODY_BYTES]),
                    )
            if attempt < retries:
                if deadline and wait >= deadline.remaining():
                    raise _out_of_time(where, last_error)
                sleep(wait)
        raise SourceUnavailable(f"{where}: {last_error} after {retries + 1} attempts")
    finally:
        if session is None:
            http.close()
