"""A provider whose series is one file: found directly, or through a link on a page.

``download`` answers per key and never raises for the series' own failure: the error it met is
returned, its message extended with how to load the file by hand (:func:`manual_hint`). The
previous round's ``build_request``/``fetch``/``parse`` steps still work for the store.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import requests

from data_sources import http
from data_sources.deadline import Deadline
from data_sources.errors import BadPayload, DataSourceError, SourceUnavailable
from data_sources.providers import Progress, ProviderRecord, Request, SeriesResult
from data_sources.providers.plausible import check_plausible
from data_sources.providers.spreadsheets import Payload
from data_sources.providers.web import base_url, get, page_links, rebase

FileParser = Callable[[Payload, str], pd.DataFrame]
LinkPicker = Callable[[list[str]], str | None]


def manual_hint(record: ProviderRecord, key: str, filename: str) -> str:
    """How to load the file by hand, naming the page to download it from."""
    page = record.manual_page or record.website
    return (
        f"Download {filename} from {page} in a browser and load it on the Data page (Upload) or "
        f"with `python -m data_sources import-file --series {key} FILE`"
    )


def with_hint(exc: DataSourceError, hint: str) -> DataSourceError:
    """The same kind of error, its message followed by ``hint``."""
    message = str(exc).rstrip(". ")
    try:
        return type(exc)(f"{message}. {hint}")
    except TypeError:  # an error class with another constructor: keep the meaning
        return DataSourceError(f"{message}. {hint}")


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
                f"{self._record.display_name} refused the automated download{how} ({exc})"
            )
        return with_hint(exc, self.manual_hint())

    def base(self) -> str:
        return base_url(self.location.default_base, self._record.base_url_env)

    def _get(self, url: str, deadline: Deadline, *, expect_html: bool = False) -> bytes:
        what = f"the {self._record.display_name} download"
        try:
            return get(
                url,
                deadline=deadline,
                cap=self._record.timeout,
                what=what,
                browser=self.browser,
                referer=self.referer,
                expect_html=expect_html,
                sleep=self.sleep,
            )
        except requests.RequestException as exc:  # e.g. a malformed override URL
            raise SourceUnavailable(f"{url}: cannot be requested ({type(exc).__name__})") from exc

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

    def parse_payload(self, payload: bytes, now: pd.Timestamp | None = None) -> pd.DataFrame:
        source = self._record.display_name
        frame = self.parser(payload, self.filename)
        return check_plausible(self.key, frame, source, now)

    def download(
        self,
        keys: Sequence[str],
        *,
        deadline: Deadline,
        stored_last: Mapping[str, pd.Timestamp | None],
        progress: Progress | None = None,
    ) -> dict[str, SeriesResult]:
        """``{key: frame or error}``; only ``self.key`` is served."""
        results: dict[str, SeriesResult] = {
            key: DataSourceError(f"{self._record.display_name} does not publish {key}")
            for key in keys
            if key != self.key
        }
        if self.key not in keys:
            return results
        budget = deadline.within(self._record.budget)
        try:
            results[self.key] = self.parse_payload(self.fetch_file(budget))
        except DataSourceError as exc:
            results[self.key] = self.explain(exc)
        if progress is not None:
            ok = isinstance(results[self.key], pd.DataFrame)
            progress(f"{self._record.display_name}: {'done' if ok else 'failed'}")
        return results

    # ---- the previous round's three steps (the store calls these until it uses download) ----

    def build_request(self, keys: Sequence[str]) -> Request:
        location = self.location
        path = location.page_path if location.pick is not None else location.file_path
        return Request(urls=(self.base() + (path or ""),))

    def fetch(self, request: Request, timeout: float) -> bytes:
        deadline = Deadline(max(timeout, self._record.budget))
        try:
            return self.fetch_file(deadline)
        except DataSourceError as exc:
            raise self.explain(exc) from exc

    def parse(self, payload: bytes, keys: Sequence[str]) -> dict[str, pd.DataFrame]:
        try:
            return {self.key: self.parse_payload(payload)}
        except DataSourceError as exc:
            raise self.explain(exc) from exc

    def __repr__(self) -> str:
        return f"FileProvider({self.name!r}, key={self.key!r}, base={self.base()!r})"
