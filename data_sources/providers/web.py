"""Links on a provider's web page, for the file providers whose file is renamed or moved with
every upload (NAAIM's weekly workbook, Shiller's ``ie_data.xls``).

Requests themselves go through :func:`data_sources.http.get_bytes` (browser headers, base-URL
override, pace, retries and the refresh's deadline all live there).

Rules:

* :func:`page_links`: every ``href``/``src`` of an HTML page, HTML entities decoded, made
  absolute against the page's URL (relative and protocol-relative ``//host/…`` links
  included), in page order.
* :func:`rebase`: a link whose host is one of the provider's own hosts moves onto an overriding
  base URL (a mirror or a local test server serves the provider's paths), path and query kept;
  other links are left as they are.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


def rebase(url: str, own_hosts: Iterable[str], base: str) -> str:
    """``url`` moved onto ``base`` when its host is one of ``own_hosts``; else unchanged."""
    parts = urlsplit(url)
    if parts.hostname is None or parts.hostname.lower() not in {h.lower() for h in own_hosts}:
        return url
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    return base.rstrip("/") + rest


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
