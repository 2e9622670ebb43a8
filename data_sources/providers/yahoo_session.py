"""The curl_cffi session yfinance uses, bounded by the refresh's deadline (a module of its own
so that curl_cffi is imported only when a refresh asks Yahoo, never by a page view)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from curl_cffi import requests as curl_requests

from data_sources import http
from data_sources.deadline import Deadline
from data_sources.errors import SourceUnavailable
from data_sources.providers.yahoo import CHART_PATH, YAHOO_RECORD, chart_repeats

NETWORK_ERRORS = (curl_requests.exceptions.RequestException, OSError)
"""What curl_cffi raises when no HTTP answer came (refused, reset, DNS, TLS, time-out)."""


class YahooSession(curl_requests.Session[curl_requests.Response]):
    """yfinance's curl_cffi session, bounded by a :class:`Deadline` and optionally redirected
    to a mirror. ``failures`` lists what went wrong with chart requests since the last
    :meth:`start` (network errors, time-outs, HTTP 401/403, 429 and 5xx);
    ``chart_not_found`` whether Yahoo answered a chart request with 404 (its "No data found,
    symbol may be delisted"); ``chart_answered`` whether one was answered with 200;
    ``repeat_conflict`` the message of :func:`chart_repeats` when a chart answer repeats a
    session with different prices (yfinance would silently keep the first row)."""

    def __init__(self, mirror: str | None = None, **kwargs: Any) -> None:
        super().__init__(impersonate="chrome", **kwargs)
        self.mirror = mirror.rstrip("/") if mirror else None
        self.deadline: Deadline | None = None
        self.cap = YAHOO_RECORD.timeout
        self.failures: list[str] = []
        self.chart_not_found = False
        self.chart_answered = False
        self.repeat_conflict: str | None = None

    def start(self, deadline: Deadline, cap: float) -> None:
        self.deadline, self.cap, self.failures = deadline, cap, []
        self.chart_not_found = self.chart_answered = False
        self.repeat_conflict = None

    def redirect(self, url: str) -> str:
        """``https://query2.finance.yahoo.com/v8/…?x`` -> ``{mirror}/v8/…?x`` (no mirror: as
        is)."""
        if not self.mirror:
            return url
        parts = urlsplit(url)
        base = urlsplit(self.mirror)
        path = base.path.rstrip("/") + (parts.path or "/")
        return urlunsplit((base.scheme, base.netloc, path, parts.query, ""))

    def request(self, method: Any, url: str, *args: Any, **kwargs: Any) -> Any:
        chart = CHART_PATH in url
        asked = kwargs.get("timeout")
        cap = (
            min(float(asked), self.cap)
            if isinstance(asked, int | float) and asked > 0
            else self.cap
        )
        try:
            kwargs["timeout"] = self.deadline.timeout(cap) if self.deadline else cap
        except SourceUnavailable:
            self.failures.append("no time left in the refresh")
            raise
        try:
            response = super().request(method, self.redirect(url), *args, **kwargs)
        except curl_requests.exceptions.Timeout:
            if chart:
                self.failures.append(f"no answer within {kwargs['timeout']:g} s")
            raise
        except NETWORK_ERRORS:
            if chart:
                self.failures.append(http.CANNOT_CONNECT)
            raise
        if chart and response.status_code == 200:
            self.chart_answered = True
            self.repeat_conflict = self.repeat_conflict or chart_repeats(response.content)
        elif chart and response.status_code == 404:
            self.chart_not_found = True
        elif chart and response.status_code in (401, 403):
            self.failures.append(f"Yahoo Finance refused the request (HTTP {response.status_code})")
        elif chart and response.status_code == 429:
            self.failures.append("rate limited (HTTP 429)")
        elif chart and response.status_code >= 500:
            self.failures.append(f"server error (HTTP {response.status_code})")
        return response
