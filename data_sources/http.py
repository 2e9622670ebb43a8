"""One place that touches the network: GET with a timeout and bounded retries with backoff.

Retried: timeouts, connection errors, HTTP 429 and 5xx, up to ``retries`` more attempts, waiting
``backoff × 2^attempt`` seconds (a 429's ``Retry-After`` wins when it is shorter than 60 s).
Not retried: other 4xx. A 403, or an HTML page where a data file was expected, means the site
blocks scripts: :class:`Blocked` tells the user where to download the file by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import requests

from data_sources.errors import RateLimited, SourceUnavailable

USER_AGENT = "Investable/0.1 (+https://github.com/investable/investable; market dashboard)"
DEFAULT_TIMEOUT = 20.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 1.0


class Blocked(SourceUnavailable):
    """The site refused an automated download (403 or an HTML page instead of the file)."""


def get_bytes(
    url: str,
    *,
    params: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    expect_html: bool = False,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """The body of ``url``; raises :class:`SourceUnavailable`, :class:`RateLimited` or
    :class:`Blocked` with a message naming the URL."""
    http = session or requests.Session()
    if params:
        url = requests.Request("GET", url, params=params).prepare().url or url
        params = None
    last_error = ""
    for attempt in range(retries + 1):
        wait = backoff * 2**attempt
        try:
            response = http.get(
                url, params=params, timeout=timeout, headers={"User-Agent": USER_AGENT}
            )
        except requests.Timeout:
            last_error = f"no answer within {timeout:g} s"
        except requests.ConnectionError as exc:
            last_error = f"cannot connect ({type(exc).__name__})"
        else:
            status = response.status_code
            if status == 200:
                body = response.content
                looks_html = body.lstrip()[:15].lower().startswith((b"<!doctype", b"<html"))
                if looks_html and not expect_html:
                    raise Blocked(f"{url} returned a web page instead of the data file")
                return body
            if status == 403:
                raise Blocked(f"{url} refused the download (HTTP 403)")
            if status == 429:
                last_error = "rate limited (HTTP 429)"
                retry_after = response.headers.get("Retry-After", "")
                if retry_after.isdigit() and int(retry_after) < 60:
                    wait = float(retry_after)
                if attempt == retries:
                    raise RateLimited(f"{url}: {last_error}; try again later")
            elif status >= 500:
                last_error = f"server error (HTTP {status})"
            else:
                raise SourceUnavailable(f"{url}: HTTP {status}")
        if attempt < retries:
            sleep(wait)
    raise SourceUnavailable(f"{url}: {last_error} after {retries + 1} attempts")
