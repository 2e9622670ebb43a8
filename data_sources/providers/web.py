"""What the file providers need from the web besides ``data_sources.http.get_bytes``: browser
headers, a base URL that an environment variable can override, and links found on a page.

(``data_sources.http`` is getting ``headers=``, ``BROWSER_HEADERS`` and ``base_url`` of its own;
these are the file providers' copies until the two are merged.)

Rules:

* Every request asks the refresh's :class:`~data_sources.deadline.Deadline` for its timeout,
  ``deadline.timeout(cap)``, so none outlives the refresh.
* ``base_url(default, env_name)``: the environment variable's value (trailing ``/`` removed)
  when set and non-blank, else ``default``.
* :func:`rebase` sends a URL whose host is one of the provider's own hosts to the overriding
  base (a mirror serves the provider's paths), keeping path and query.
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from data_sources import http
from data_sources.deadline import Deadline

BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Safari/537.36"
)
BROWSER_HEADERS: dict[str, str] = {
    "User-Agent": BROWSER_USER_AGENT,
    "Accept": (
        "text/html,application/xhtml+xml,application/xml;q=0.9,application/vnd.ms-excel,"
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,*/*;q=0.8"
    ),
    "Accept-Language": "en-US,en;q=0.9",
}


def base_url(default: str, env_name: str | None) -> str:
    """``$env_name`` (without a trailing slash) when set and non-blank, else ``default``."""
    override = os.environ.get(env_name, "").strip() if env_name else ""
    return (override or default).rstrip("/")


def rebase(url: str, own_hosts: Iterable[str], base: str) -> str:
    """``url`` moved onto ``base`` when its host is one of ``own_hosts``; else unchanged."""
    parts = urlsplit(url)
    if parts.hostname is None or parts.hostname.lower() not in {h.lower() for h in own_hosts}:
        return url
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    return base.rstrip("/") + rest


class BrowserSession(requests.Session):
    """A session whose requests carry a desktop browser's headers (and an optional Referer),
    over whatever headers the caller passes."""

    def __init__(self, referer: str | None = None) -> None:
        super().__init__()
        self.browser_headers = dict(BROWSER_HEADERS)
        if referer:
            self.browser_headers["Referer"] = referer

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs["headers"] = {**(kwargs.get("headers") or {}), **self.browser_headers}
        return super().request(method, url, *args, **kwargs)


def get(
    url: str,
    *,
    deadline: Deadline,
    cap: float,
    what: str,
    browser: bool = False,
    referer: str | None = None,
    expect_html: bool = False,
    retries: int = http.DEFAULT_RETRIES,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """``http.get_bytes(url)`` with ``timeout=deadline.timeout(cap)``, optionally as a browser."""
    session = BrowserSession(referer) if browser else None
    timeout = max(0.01, round(deadline.timeout(cap, what), 2))  # "0.3 s", not "0.299895 s"
    return http.get_bytes(
        url,
        timeout=timeout,
        retries=retries,
        expect_html=expect_html,
        session=session,
        sleep=sleep,
    )


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.hrefs.append(value.strip())


def page_links(page: bytes, page_url: str) -> list[str]:
    """Every ``href``/``src`` on an HTML page, entities decoded, made absolute against
    ``page_url`` (relative and protocol-relative ``//host/...`` links included), in page order."""
    text = page.decode("utf-8", errors="replace")
    parser = _Links()
    parser.feed(text)
    parser.close()
    return [urljoin(page_url, html.unescape(href)) for href in parser.hrefs]
