"""CBOE total put/call ratio: the archive ``totalpc.csv`` plus one JSON file per trading day.

* Archive: ``cdn.cboe.com/resources/options/volume_and_call_put_ratios/totalpc.csv``, title
  lines, then ``DATE,CALLS,PUTS,TOTAL,P/C Ratio`` (older copies ``Ratio``), M/D/YYYY dates,
  2006-11-01 to 2019-10-04 (``ARCHIVE_END``).
* Daily statistics: ``cdn.cboe.com/data/us/options/market_statistics/daily/{YYYY-MM-DD}_daily_
  options``, a JSON document whose ``ratios`` list holds ``{"name": "TOTAL PUT/CALL RATIO",
  "value": "0.87"}``.

Backfill rules (:meth:`CboeProvider.download`):

* The archive is fetched only when the store ends before ``ARCHIVE_END`` (or holds nothing).
* Daily files are fetched for every NYSE session from ``max(stored_last, ARCHIVE_END + 1)``
  to today (the stored last day is fetched again, so a refresh with nothing new still answers,
  and CBOE's revision of it lands), oldest first, at least ``record.min_interval`` seconds apart
  (``data_sources.http``'s pace per host; a wait that would run past the deadline is not made).
* Sessions come from :func:`cboe_sessions`: weekdays minus the US exchange holidays (New Year's
  Day, MLK Day, Presidents' Day, Good Friday, Memorial Day, Juneteenth from 2022, Independence
  Day, Labor Day, Thanksgiving, Christmas; Saturday holidays observed on Friday except New Year's
  Day, Sunday holidays on Monday). One-off NYSE closures are sessions here: CBOE's index options
  traded on 2025-01-09 and CBOE published statistics for it. (No exchange calendar package is
  installed; this calendar matches every date of CBOE's daily statistics 2019-10-07 to
  2026-07-22.) A 403/404 on a day the calendar calls a session is "no statistics for that day",
  not an error.
* A day whose total ratio is empty or unreadable is skipped, never the whole refresh.
* The backfill stops, keeping what arrived, at the first timeout/5xx/429, when the deadline is
  spent, or after ``MAX_MISSING_RUN`` sessions in a row without statistics (CBOE refusing);
  the next refresh resumes from the stored last day.
* ``frame.attrs["gaps"]``: ``[(first, last), …]`` ISO dates of missing sessions between the
  first and the last day that arrived (and the archive's range when it failed);
  ``frame.attrs["pending"]``: ``(first, last)`` of sessions not yet fetched; ``attrs["note"]``
  says both in one line.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence

import pandas as pd
from pandas.tseries.holiday import (
    AbstractHolidayCalendar,
    GoodFriday,
    Holiday,
    USLaborDay,
    USMartinLutherKingJr,
    USMemorialDay,
    USPresidentsDay,
    USThanksgivingDay,
    nearest_workday,
    sunday_to_monday,
)

from data_sources import http
from data_sources.deadline import Deadline
from data_sources.errors import (
    BadPayload,
    DataSourceError,
    EmptyPayload,
    MissingColumn,
    RateLimited,
    SourceUnavailable,
)
from data_sources.frames import combine_parts, tidy_frame
from data_sources.providers import (
    Progress,
    ProviderRecord,
    SeriesResult,
    UploadFormat,
    unpublished,
)
from data_sources.providers.single_file import manual_hint, with_hint
from data_sources.providers.spreadsheets import (
    Payload,
    find_column,
    read_cells,
    series_frame,
    table_under_header,
)

KEY = "cboe:total_put_call"
DEFAULT_BASE = "https://cdn.cboe.com"
ARCHIVE_PATH = "/resources/options/volume_and_call_put_ratios/totalpc.csv"
DAILY_PATH = "/data/us/options/market_statistics/daily/{day}_daily_options"
PAGE = "https://www.cboe.com/us/options/market_statistics/daily/"
ARCHIVE_START = pd.Timestamp("2006-11-01")
ARCHIVE_END = pd.Timestamp("2019-10-04")
MAX_MISSING_RUN = 5
PROGRESS_EVERY = 50
NO_STATISTICS = re.compile(r"HTTP (403|404)\b")

# Kept for callers of the previous round.
CBOE_ARCHIVE = DEFAULT_BASE + ARCHIVE_PATH
CBOE_DAILY = DEFAULT_BASE + DAILY_PATH
CBOE_PAGE = PAGE


class ExchangeHolidays(AbstractHolidayCalendar):
    """US exchange full-day holidays (rules in the module docstring)."""

    rules = [  # noqa: RUF012 (pandas reads this class attribute)
        Holiday("New Year's Day", month=1, day=1, observance=sunday_to_monday),
        USMartinLutherKingJr,
        USPresidentsDay,
        GoodFriday,
        USMemorialDay,
        Holiday("Juneteenth", month=6, day=19, start_date="2022-01-01", observance=nearest_workday),
        Holiday("Independence Day", month=7, day=4, observance=nearest_workday),
        USLaborDay,
        USThanksgivingDay,
        Holiday("Christmas", month=12, day=25, observance=nearest_workday),
    ]


def cboe_sessions(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """CBOE option trading days from ``start`` to ``end``, both inclusive."""
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if end < start:
        return pd.DatetimeIndex([])
    holidays = ExchangeHolidays().holidays(start, end)
    return pd.bdate_range(start, end).difference(holidays)


# ---- parsers -------------------------------------------------------------------------------


def parse_cboe_totalpc(data: Payload, filename: str = "totalpc.csv") -> pd.DataFrame:
    """CBOE's archived ``totalpc.csv``: title lines, then ``DATE,CALLS,PUTS,TOTAL,P/C Ratio``."""
    return _totalpc(read_cells(data, filename), filename)


def _totalpc(cells: pd.DataFrame, filename: str) -> pd.DataFrame:
    source = f"CBOE {filename}"
    hint = "; expected CBOE's totalpc.csv (DATE, CALLS, PUTS, TOTAL, P/C Ratio)"
    table = table_under_header(cells, "DATE", "CALLS", source, hint)
    ratio = next((str(c) for c in table.columns if "ratio" in str(c).lower()), None)
    if ratio is None:
        raise MissingColumn(f"{source}: no ratio column{hint}")
    return series_frame(table["DATE"], {"value": table[ratio]}, source, hint)


def parse_cboe_daily(data: bytes, day: str) -> pd.DataFrame:
    """One day of CBOE daily market statistics (JSON): the "TOTAL PUT/CALL RATIO" entry.
    An empty value is :class:`EmptyPayload`; a missing entry :class:`MissingColumn`; the entry
    twice with different values is ``Rejected`` (the day is then skipped as a gap)."""
    source = f"CBOE daily statistics {day}"
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadPayload(f"{source}: not JSON (the file is damaged or a web page)") from exc
    ratios = document.get("ratios") if isinstance(document, dict) else None
    if not isinstance(ratios, list):
        raise MissingColumn(f"{source}: no 'ratios' list")
    found = [
        entry.get("value")
        for entry in ratios
        if isinstance(entry, dict)
        and str(entry.get("name", "")).strip().upper() == "TOTAL PUT/CALL RATIO"
    ]
    if found:  # two entries with different values are refused (validate.one_row_per_date)
        texts = ["" if value is None else str(value) for value in found]
        raw = pd.DataFrame({"date": [day] * len(texts), "ratio": texts})
        return tidy_frame(raw, "date", {"value": "ratio"}, source=source)
    raise MissingColumn(f"{source}: no TOTAL PUT/CALL RATIO entry")


def parse_put_call_file(data: Payload, filename: str) -> pd.DataFrame:
    """A put/call file loaded by hand: CBOE's archive layout, or a CSV whose first column is a
    date and which has a ``TOTAL_PUT_CALL_RATIO`` (or ``Ratio``/``P/C Ratio``) column."""
    cells = read_cells(data, filename)
    try:
        return _totalpc(cells, filename)
    except MissingColumn:
        pass
    source = f"CBOE {filename}"
    hint = "; expected CBOE's totalpc.csv layout, or a date column followed by TOTAL_PUT_CALL_RATIO"
    if cells.empty:
        raise EmptyPayload(f"{source}: no data rows")
    first = str(cells.iloc[0, 0]).strip()
    table = table_under_header(cells, first, "RATIO", source, hint)
    column = find_column(table, ("TOTAL_PUT_CALL_RATIO", "P/C Ratio", "Ratio"), source, hint)
    return series_frame(table.iloc[:, 0], {"value": table[column]}, source, hint)


# ---- provider ------------------------------------------------------------------------------


RECORD = ProviderRecord(
    name="cboe",
    display_name="CBOE (Cboe Global Markets) put/call ratios",
    short_name="CBOE",
    website="https://www.cboe.com/us/options/market_statistics/",
    manual_page=PAGE,
    timeout=15.0,
    budget=300.0,
    min_interval=0.25,
    base_url_env="INVESTABLE_CBOE_URL",
    uploads=(
        UploadFormat(
            KEY,
            "CBOE's totalpc.csv, or a CSV with a date column and TOTAL_PUT_CALL_RATIO",
            (".csv",),
            parse_put_call_file,
        ),
    ),
)


def _runs(days: Sequence[pd.Timestamp], sessions: pd.DatetimeIndex) -> list[tuple[str, str]]:
    """Consecutive runs (in ``sessions`` order) of the missing ``days``, as ISO pairs."""
    positions = sorted(int(p) for p in sessions.get_indexer(pd.DatetimeIndex(list(days))) if p >= 0)
    runs: list[list[int]] = []
    for position in positions:
        if runs and runs[-1][1] == position - 1:
            runs[-1][1] = position
        else:
            runs.append([position, position])
    return [(f"{sessions[a]:%Y-%m-%d}", f"{sessions[b]:%Y-%m-%d}") for a, b in runs]


class CboeProvider:
    """Total put/call: the archive plus a resumable, throttled backfill of daily statistics."""

    name = "cboe"
    key = KEY
    manual_page = PAGE

    def __init__(
        self,
        today: pd.Timestamp | None = None,
        *,
        record: ProviderRecord = RECORD,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        pacer: http.Pacer | None = None,
    ) -> None:
        self.today = today
        self._record = record
        self.sleep, self.clock = sleep, clock
        if pacer is None:  # the process-wide pace, or one on the caller's clock
            pacer = http.PACER if clock is time.monotonic else http.Pacer(clock)
        self._pacer = pacer

    @property
    def record(self) -> ProviderRecord:
        return self._record

    def manual_hint(self) -> str:
        return manual_hint(self._record, self.key, "the put/call ratios (totalpc.csv)")

    def base(self) -> str:
        return http.base_url(DEFAULT_BASE, self._record.base_url_env)

    def daily_url(self, day: pd.Timestamp) -> str:
        return self.base() + DAILY_PATH.format(day=f"{day:%Y-%m-%d}")

    def archive_url(self) -> str:
        return self.base() + ARCHIVE_PATH

    def _today(self) -> pd.Timestamp:
        """Today on the exchange's clock (CBOE publishes after the US close)."""
        if self.today is not None:
            return pd.Timestamp(self.today).normalize()
        return pd.Timestamp.now(tz="America/New_York").normalize().tz_localize(None)

    def _get(self, url: str, deadline: Deadline, retries: int = 1) -> bytes:
        """One request, paced at ``record.min_interval`` s after the previous one to CBOE."""
        return http.get_bytes(
            url,
            timeout=self._record.timeout,
            deadline=deadline,
            retries=retries,
            headers=http.BROWSER_HEADERS,
            min_interval=self._record.min_interval,
            pacer=self._pacer,
            sleep=self.sleep,
        )

    # ---- download (this round's contract) ----

    def download(
        self,
        keys: Sequence[str],
        *,
        deadline: Deadline,
        stored_last: Mapping[str, pd.Timestamp | None],
        progress: Progress | None = None,
    ) -> dict[str, SeriesResult]:
        """``{key: frame or error}``; only ``cboe:total_put_call`` is served."""
        results = unpublished(self._record, keys, KEY)
        if KEY in keys:
            budget = deadline.within(self._record.budget)
            last = stored_last.get(KEY)
            try:
                results[KEY] = self._backfill(last, budget, progress)
            except DataSourceError as exc:
                results[KEY] = with_hint(exc, self.manual_hint())
        return results

    def _backfill(
        self, last: pd.Timestamp | None, deadline: Deadline, progress: Progress | None
    ) -> pd.DataFrame:
        parts: list[pd.DataFrame] = []
        gaps: list[tuple[str, str]] = []
        errors: list[str] = []
        if last is None or pd.Timestamp(last) < ARCHIVE_END:
            try:
                parts.append(
                    parse_cboe_totalpc(self._get(self.archive_url(), deadline), "totalpc.csv")
                )
            except DataSourceError as exc:
                errors.append(f"archive: {exc}")
                gaps.append((f"{ARCHIVE_START:%Y-%m-%d}", f"{ARCHIVE_END:%Y-%m-%d}"))
        first = ARCHIVE_END + pd.Timedelta(days=1)
        if last is not None and pd.Timestamp(last) > first:
            first = pd.Timestamp(last).normalize()
        sessions = cboe_sessions(first, self._today())
        arrived: list[pd.Timestamp] = []
        missing: list[pd.Timestamp] = []
        missing_run, stopped_at = 0, None
        total = len(sessions)
        for number, day in enumerate(sessions, start=1):
            try:
                body = self._get(self.daily_url(day), deadline)
            except SourceUnavailable as exc:
                if isinstance(exc, http.Blocked) or NO_STATISTICS.search(str(exc)):
                    missing.append(day)
                    missing_run += 1
                    if missing_run >= MAX_MISSING_RUN:
                        errors.append(f"{missing_run} sessions in a row without statistics ({exc})")
                        stopped_at = number - missing_run
                        break
                    continue
                errors.append(str(exc))
                stopped_at = number - 1
                break
            try:
                parts.append(parse_cboe_daily(body, f"{day:%Y-%m-%d}"))
                arrived.append(day)
                missing_run = 0
            except BadPayload as exc:
                missing.append(day)
                errors.append(str(exc))
            if progress is not None and number % PROGRESS_EVERY == 0 and number < total:
                progress(f"CBOE backfill: {number:,} of {total:,} days")
        if progress is not None:
            done = total if stopped_at is None else stopped_at
            progress(f"CBOE backfill: {done:,} of {total:,} days")
        if not parts:
            reason = (
                errors[-1] if errors else f"no CBOE statistics published since {first:%Y-%m-%d}"
            )
            kind = RateLimited if "HTTP 429" in reason else SourceUnavailable
            raise kind(f"CBOE sent no put/call ratios: {reason}")
        frame = combine_parts(parts)
        if arrived:
            inside = [day for day in missing if day < arrived[-1]]
            gaps.extend(_runs(inside, sessions))
        frame.attrs["gaps"] = gaps
        note = []
        if gaps:
            note.append(f"{len(gaps)} gap(s): " + ", ".join(f"{a} to {b}" for a, b in gaps[:5]))
        if stopped_at is not None and stopped_at < total:
            pending = (f"{sessions[stopped_at]:%Y-%m-%d}", f"{sessions[-1]:%Y-%m-%d}")
            frame.attrs["pending"] = pending
            note.append(
                f"{total - stopped_at:,} of {total:,} days still to fetch from {pending[0]} "
                f"(the next refresh continues): {errors[-1]}"
            )
        if note:
            frame.attrs["note"] = "CBOE: " + "; ".join(note)
        return frame


CBOE = CboeProvider()
