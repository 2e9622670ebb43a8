"""A provider whose series is one file: found directly, or through a link on a page.

``download`` answers per key and never raises for the series' own failure: the error it met is
returned, its message extended with how to load the file by hand (:func:`manual_hint`).

The three steps: :meth:`FileProvider.file_url` (the file's address: fixed, or the link chosen
on the provider's page), :meth:`FileProvider.fetch_file` (the bytes, through
:func:`data_sources.http.get_bytes` with the record's timeout and pace, the refresh's deadline,
and a desktop browser's headers where the site refuses scripts) and
:meth:`FileProvider.parse_payload` (the provider's parser). Plausibility (ranges, future dates,
repeated dates) is :mod:`data_sources.validate`'s, applied by the store to every payload.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from data_sources import http
from data_sources.deadline import Deadline
from data_sources.errors import BadPayload, DataSourceError
from data_sources.providers import Progress, ProviderRecord, SeriesResult, unpublished
from data_sources.providers.spreadsheets import Payload
from data_sources.providers.web import page_links, rebase

FileParser = Callable[[Payload, str], pd.DataFrame]
LinkPicker = Callable[[list[str]], str | None]


def manual_hint(record: ProviderRecord, key: str, filename: str) -> str:
    """How to load the file by hand, naming the page to download it from."""
    page = record.manual_page or record.website
    return (
        f"Download {filename} from {page} in a browser and load it on the Data page (Upload) or "
        f"with `investable import-file --series {key} FILE`"
    )


def with_hint(exc: DataSourceError, hint: str) -> DataSourceError:
    """The same error (its class and attributes, e.g. an HTTP status), its message followed by
    ``hint``."""
    message = str(exc).rstrip(". ")
    hinted = type(exc).__new__(type(exc))
    hinted.__dict__.update(exc.__dict__)
    hinted.args = (f"{message}. {hint}",)
    return hinted


@dataclass(frozen=True)
class FileLocation:
    """Where the file is: ``file_path`` under the base URL, or a link on ``page_path`` chosen by
    ``pick``. ``own_hosts`` are the provider's hosts that an overriding base URL replaces."""

    default_base: str
    file_path: str | None = None
    page_path: str | None = None
    pick: LinkPicker | None = None
    link_description: str = ""
    own_hosts: tuple[str, ...] = ()


class FileProvider:
    """One series key, one file, one parser."""

    def __init__(
        self,
        record: ProviderRecord,
        key: str,
        filename: str,
        location: FileLocation,
        parser: FileParser,
        *,
        browser: bool = True,
        referer: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._record = record
        self.name, self.key, self.filename = record.name, key, filename
        self.location, self.parser = location, parser
        self.browser, self.referer, self.sleep = browser, referer, sleep

    @property
    def record(self) -> ProviderRecord:
        return self._record

    @property
    def manual_page(self) -> str:
        return self._record.manual_page or self._record.website

    def manual_hint(self) -> str:
        return manual_hint(self._record, self.key, self.filename)

    def explain(self, exc: DataSourceError) -> DataSourceError:
        """The error with what to do: a refusal says so, every error ends with the manual hint."""
        if isinstance(exc, http.Blocked):
            how = " even with a web browser's headers" if self.browser else ""
            exc = http.Blocked(
                f"{self._record.short_name} refused the automated download{how} ({exc})"
            )
        return with_hint(exc, self.manual_hint())

    def base(self) -> str:
        """The base URL: ``record.base_url_env``'s value when set, else the provider's own."""
        return http.base_url(self.location.default_base, self._record.base_url_env)

    def headers(self) -> dict[str, str] | None:
        """A desktop browser's headers (and the Referer) when ``browser``; else none."""
        if not self.browser:
            return None
        headers = dict(http.BROWSER_HEADERS)
        if self.referer:
            headers["Referer"] = self.referer
        return headers

    def _get(self, url: str, deadline: Deadline, *, expect_html: bool = False) -> bytes:
        return http.get_bytes(
            url,
            timeout=self._record.timeout,
            deadline=deadline,
            headers=self.headers(),
            min_interval=self._record.min_interval,
            expect_html=expect_html,
            sleep=self.sleep,
        )

    def file_url(self, deadline: Deadline) -> str:
        """The file's URL: fixed, or the link that ``pick`` chooses on the page."""
        base, location = self.base(), self.location
        if location.page_path is None or location.pick is None:
            return base + (location.file_path or "")
        page_url = base + location.page_path
        page = self._get(page_url, deadline, expect_html=True)
        links = page_links(page, page_url)
        if base != location.default_base.rstrip("/"):  # a mirror serves the provider's hosts
            links = [rebase(link, location.own_hosts, base) for link in links]
        chosen = location.pick(links)
        if chosen is None:
            raise BadPayload(
                f"{page_url} no longer links {location.link_description} (the page changed)"
            )
        return chosen

    def fetch_file(self, deadline: Deadline) -> bytes:
        return self._get(self.file_url(deadline), deadline)

    def parse_payload(self, payload: bytes) -> pd.DataFrame:
        """The file's bytes as a series frame (the provider's parser)."""
        return self.parser(payload, self.filename)

    def download(
        self,
        keys: Sequence[str],
        *,
        deadline: Deadline,
        stored_last: Mapping[str, pd.Timestamp | None],
        progress: Progress | None = None,
    ) -> dict[str, SeriesResult]:
        """``{key: frame or error}``; only ``self.key`` is served."""
        results = unpublished(self._record, keys, self.key)
        if self.key not in keys:
            return results
        budget = deadline.within(self._record.budget)
        try:
            results[self.key] = self.parse_payload(self.fetch_file(budget))
        except DataSourceError as exc:
            results[self.key] = self.explain(exc)
        if progress is not None:
            ok = isinstance(results[self.key], pd.DataFrame)
            progress(f"{self._record.short_name}: {'done' if ok else 'failed'}")
        return results

    def __repr__(self) -> str:
        return f"FileProvider({self.name!r}, key={self.key!r}, base={self.base()!r})"
