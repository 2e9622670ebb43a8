"""The survey and positioning files that have no API: AAII, NAAIM, CBOE, FINRA, Shiller.

Each provider knows its real download URL and its real file format. These sites often block
scripts or move files; the provider then raises :class:`~data_sources.http.Blocked` or
:class:`SourceUnavailable` with the page to download from, and the same parser reads the file the
user downloads by hand (``python -m data_sources import-file`` or the app's upload), via
:func:`parse_file`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from data_sources import http
from data_sources.errors import BadPayload, EmptyPayload, MissingColumn, SourceUnavailable
from data_sources.frames import tidy_frame
from data_sources.providers import Request

Parser = Callable[[bytes, str], pd.DataFrame]


# ---- reading spreadsheets ------------------------------------------------------------------


def _xls_rows(data: bytes, sheet: str) -> list[list[Any]]:
    """Rows of a legacy .xls sheet, dates as ``datetime``."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data)
        table = book.sheet_by_name(sheet)
    except xlrd.biffh.XLRDError as exc:
        raise BadPayload(f"not a readable .xls workbook with a {sheet!r} sheet ({exc})") from exc
    rows = []
    for r in range(table.nrows):
        row = []
        for cell in table.row(r):
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
            else:
                row.append(cell.value)
        rows.append(row)
    return rows


def _table(data: bytes, filename: str, sheet: str | int = 0) -> list[list[Any]]:
    """Rows of a CSV, .xlsx or .xls file, untyped."""
    name = filename.lower()
    if name.endswith(".xls"):
        return _xls_rows(data, sheet if isinstance(sheet, str) else "Sheet1")
    try:
        if name.endswith(".xlsx"):
            frame = pd.read_excel(io.BytesIO(data), sheet_name=sheet, header=None, dtype=object)
            return frame.where(frame.notna(), "").to_numpy().tolist()
        text = data.decode("utf-8-sig")
    except (ValueError, UnicodeDecodeError, KeyError) as exc:
        raise BadPayload(f"{filename}: not a readable table ({exc})") from exc
    # csv.reader, not pandas: these files carry title lines of another width above the header.
    return [[cell.strip() for cell in row] for row in csv.reader(text.splitlines())]


def _frame_from_header(rows: list[list[Any]], first: str, needs: str, source: str) -> pd.DataFrame:
    """The table under the first row whose first cell is ``first`` and which mentions ``needs``
    (title rows above a header are common in these files)."""
    for number, row in enumerate(rows):
        cells = [str(c).strip() for c in row]
        if (
            cells
            and cells[0].lower() == first.lower()
            and any(needs.lower() in c.lower() for c in cells)
        ):
            header = [c or f"column{i}" for i, c in enumerate(cells)]
            body = [r[: len(header)] for r in rows[number + 1 :]]
            return pd.DataFrame(body, columns=header)
    raise MissingColumn(f"{source}: no header row starting with {first!r} and naming {needs!r}")


def _iso_dates(column: pd.Series) -> pd.Series:
    """Mixed date cells (datetime, text in ISO or M/D/YYYY) -> ISO text; others -> ""."""

    def one(value: Any) -> str:
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d")
        text = str(value).strip()
        if not text:
            return ""
        for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m"):
            try:
                return datetime.strptime(text, fmt).strftime("%Y-%m-%d")
            except ValueError:
                continue
        return ""

    return column.map(one)


# ---- parsers (one per file format) ---------------------------------------------------------


def parse_aaii(data: bytes, filename: str = "sentiment.xls") -> pd.DataFrame:
    """AAII ``sentiment.xls`` (sheet SENTIMENT, title rows, shares as fractions) or a CSV with
    ``Date, Bullish, Neutral, Bearish``. Result in percent."""
    rows = _table(data, filename, "SENTIMENT")
    raw = _frame_from_header(rows, "Date", "Bullish", "AAII")
    raw["Date"] = _iso_dates(raw["Date"])
    raw = raw[raw["Date"] != ""]
    fields = {"bullish": "Bullish", "neutral": "Neutral", "bearish": "Bearish"}
    frame = tidy_frame(raw, "Date", fields, source="AAII")
    if frame[list(fields)].stack().median() <= 1.0:  # fractions, as AAII publishes them
        # AAII's file has stray cells such as 42 in a fraction column (1996-01-11): not a share.
        frame = frame.where(frame <= 1.0).dropna(how="all") * 100.0
    return frame


def parse_naaim(data: bytes, filename: str = "naaim.xlsx") -> pd.DataFrame:
    """NAAIM exposure: NAAIM's spreadsheet (``Date, Mean/Average, …, NAAIM Number``) or a
    two-column ``Date, naaim`` CSV."""
    rows = _table(data, filename)
    raw = _frame_from_header(rows, "Date", "NAAIM", "NAAIM")
    column = next((c for c in raw.columns if c.lower() in ("naaim number", "naaim")), None)
    if column is None:
        raise MissingColumn(f"NAAIM: no 'NAAIM Number' column; columns are {list(raw.columns)}")
    raw["Date"] = _iso_dates(raw["Date"])
    return tidy_frame(raw[raw["Date"] != ""], "Date", {"value": column}, source="NAAIM")


def parse_cboe_totalpc(data: bytes, filename: str = "totalpc.csv") -> pd.DataFrame:
    """CBOE's archived ``totalpc.csv``: title lines, then ``DATE,CALLS,PUTS,TOTAL,P/C Ratio``
    (older copies: ``Ratio``), M/D/YYYY dates, spaces after commas."""
    rows = _table(data, filename)
    raw = _frame_from_header(rows, "DATE", "CALLS", "CBOE totalpc")
    column = next((c for c in raw.columns if "ratio" in c.lower()), None)
    if column is None:
        raise MissingColumn(f"CBOE totalpc: no ratio column; columns are {list(raw.columns)}")
    raw["DATE"] = _iso_dates(raw["DATE"])
    return tidy_frame(raw[raw["DATE"] != ""], "DATE", {"value": column}, source="CBOE totalpc")


def parse_cboe_daily(data: bytes, day: str) -> pd.DataFrame:
    """One day of CBOE daily market statistics (JSON): the "TOTAL PUT/CALL RATIO" entry."""
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadPayload(f"CBOE daily statistics {day}: not JSON ({exc})") from exc
    ratios = document.get("ratios") if isinstance(document, dict) else None
    if not isinstance(ratios, list):
        raise MissingColumn(f"CBOE daily statistics {day}: no 'ratios' list")
    for entry in ratios:
        if str(entry.get("name", "")).strip().upper() == "TOTAL PUT/CALL RATIO":
            raw = pd.DataFrame({"date": [day], "ratio": [str(entry.get("value", ""))]})
            return tidy_frame(raw, "date", {"value": "ratio"}, source=f"CBOE {day}")
    raise MissingColumn(f"CBOE daily statistics {day}: no TOTAL PUT/CALL RATIO entry")


def parse_finra(data: bytes, filename: str = "margin-statistics.xlsx") -> pd.DataFrame:
    """FINRA ``margin-statistics.xlsx``: ``Year-Month`` and the debit balances (USD millions)."""
    rows = _table(data, filename)
    raw = _frame_from_header(rows, "Year-Month", "Debit", "FINRA")
    column = next((c for c in raw.columns if c.lower().startswith("debit balances")), None)
    if column is None:
        raise MissingColumn(f"FINRA: no debit balances column; columns are {list(raw.columns)}")
    raw["Year-Month"] = _iso_dates(raw["Year-Month"])
    return tidy_frame(raw[raw["Year-Month"] != ""], "Year-Month", {"value": column}, source="FINRA")


def shiller_month(value: Any) -> str:
    """Shiller's decimal dates: 1871.01 is January 1871, 2025.1 is October 2025."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    year = int(number)
    month = round((number - year) * 100)
    return f"{year:04d}-{month:02d}-01" if 1 <= month <= 12 else ""


def parse_shiller(data: bytes, filename: str = "ie_data.xls") -> pd.DataFrame:
    """Shiller ``ie_data.xls`` sheet "Data": ``Date`` (1871.01 …) and ``E`` (trailing EPS)."""
    rows = _table(data, filename, "Data")
    raw = _frame_from_header(rows, "Date", "E", "Shiller ie_data")
    if "E" not in raw.columns:
        raise MissingColumn(f"Shiller ie_data: no 'E' column; columns are {list(raw.columns)}")
    raw["Date"] = raw["Date"].map(shiller_month)
    return tidy_frame(raw[raw["Date"] != ""], "Date", {"value": "E"}, source="Shiller ie_data")


# ---- providers -----------------------------------------------------------------------------


class FileProvider:
    """A provider that downloads one file and parses it with the file's own parser."""

    def __init__(
        self, name: str, key: str, url: str, filename: str, parser: Parser, manual_page: str
    ) -> None:
        self.name, self.key, self.url = name, key, url
        self.filename, self.parser, self.manual_page = filename, parser, manual_page

    def build_request(self, keys: Sequence[str]) -> Request:
        return Request(urls=(self.url,))

    def fetch(self, request: Request, timeout: float) -> bytes:
        try:
            return http.get_bytes(request.urls[0], timeout=timeout)
        except SourceUnavailable as exc:
            raise type(exc)(f"{exc}. {self.manual_hint()}") from exc

    def manual_hint(self) -> str:
        return (
            f"Download {self.filename} from {self.manual_page} and load it with "
            f"`python -m data_sources import-file --series {self.key} FILE` or the app's upload"
        )

    def parse(self, payload: bytes, keys: Sequence[str]) -> dict[str, pd.DataFrame]:
        return {self.key: self.parser(payload, self.filename)}


CBOE_ARCHIVE = "https://cdn.cboe.com/resources/options/volume_and_call_put_ratios/totalpc.csv"
CBOE_DAILY = "https://cdn.cboe.com/data/us/options/market_statistics/daily/{day}_daily_options"
CBOE_PAGE = "https://www.cboe.com/us/options/market_statistics/daily/"


class CboeProvider:
    """Total put/call: the archive (2006-11 to 2019-10) plus daily statistics for recent days."""

    name = "cboe"
    key = "cboe:total_put_call"
    manual_page = CBOE_PAGE

    def __init__(self, recent_days: int = 15, today: pd.Timestamp | None = None) -> None:
        self.recent_days = recent_days
        self.today = today

    def build_request(self, keys: Sequence[str]) -> Request:
        end = (self.today or pd.Timestamp.today()).normalize()
        days = pd.bdate_range(end=end, periods=self.recent_days)
        daily = tuple(CBOE_DAILY.format(day=d.strftime("%Y-%m-%d")) for d in days)
        return Request(urls=(CBOE_ARCHIVE, *daily))

    def fetch(self, request: Request, timeout: float) -> dict[str, bytes]:
        """The archive and each day's JSON; days that fail (holidays, not yet published) are
        skipped, but if nothing at all arrives the source is unavailable."""
        payload, errors = {}, []
        for url in request.urls:
            try:
                payload[url] = http.get_bytes(url, timeout=timeout, retries=1)
            except SourceUnavailable as exc:
                errors.append(str(exc))
        if not payload:
            raise SourceUnavailable(
                f"CBOE unreachable ({errors[0] if errors else 'no request'}). Download the put/"
                f"call ratios from {CBOE_PAGE} and load them with `python -m data_sources "
                f"import-file --series {self.key} FILE`"
            )
        return payload

    def parse(self, payload: dict[str, bytes], keys: Sequence[str]) -> dict[str, pd.DataFrame]:
        parts = []
        for url, body in payload.items():
            if url == CBOE_ARCHIVE:
                parts.append(parse_cboe_totalpc(body, "totalpc.csv"))
            else:
                day = re.search(r"(\d{4}-\d{2}-\d{2})_daily_options", url)
                if day:
                    parts.append(parse_cboe_daily(body, day.group(1)))
        if not parts:
            raise EmptyPayload("CBOE sent no put/call ratios")
        frame = pd.concat(parts)
        return {self.key: frame[~frame.index.duplicated(keep="last")].sort_index()}


def parse_put_call_file(data: bytes, filename: str) -> pd.DataFrame:
    """A put/call file loaded by hand: CBOE's archive layout, or a CSV with a date column and a
    ``TOTAL_PUT_CALL_RATIO``/``Ratio`` column."""
    try:
        return parse_cboe_totalpc(data, filename)
    except MissingColumn:
        rows = _table(data, filename)
        header = [str(c).strip() for c in rows[0]] if rows else []
        ratio = next((c for c in header if c.upper() in ("TOTAL_PUT_CALL_RATIO", "RATIO")), None)
        if ratio is None or not header:
            raise MissingColumn(
                f"{filename}: expected CBOE's totalpc.csv layout or a date column plus "
                f"TOTAL_PUT_CALL_RATIO; columns are {header}"
            ) from None
        raw = pd.DataFrame(rows[1:], columns=header)
        raw[header[0]] = _iso_dates(raw[header[0]])
        return tidy_frame(raw[raw[header[0]] != ""], header[0], {"value": ratio}, source=filename)


AAII = FileProvider(
    "aaii",
    "aaii:sentiment",
    "https://www.aaii.com/files/surveys/sentiment.xls",
    "sentiment.xls",
    parse_aaii,
    "https://www.aaii.com/sentimentsurvey/sent_results",
)
NAAIM = FileProvider(
    "naaim",
    "naaim:exposure",
    "https://naaim.org/wp-content/uploads/naaim_exposure_index.xlsx",
    "naaim_exposure_index.xlsx",
    parse_naaim,
    "https://naaim.org/programs/naaim-exposure-index/",
)
FINRA = FileProvider(
    "finra",
    "finra:margin_debt",
    "https://www.finra.org/sites/default/files/2021-03/margin-statistics.xlsx",
    "margin-statistics.xlsx",
    parse_finra,
    "https://www.finra.org/rules-guidance/key-topics/margin-accounts/margin-statistics",
)
SHILLER = FileProvider(
    "shiller",
    "shiller:earnings",
    "https://img1.wsimg.com/blobby/go/e5e77e0b-59d1-44d9-ab25-4763ac982e53/downloads/ie_data.xls",
    "ie_data.xls",
    parse_shiller,
    "https://shillerdata.com/",
)

# Parsers for files loaded by hand, per series key.
FILE_PARSERS: dict[str, Parser] = {
    "aaii:sentiment": parse_aaii,
    "naaim:exposure": parse_naaim,
    "cboe:total_put_call": parse_put_call_file,
    "finra:margin_debt": parse_finra,
    "shiller:earnings": parse_shiller,
}


def parse_file(key: str, data: bytes, filename: str) -> pd.DataFrame:
    """Parse a file the user downloaded by hand, in the provider's own format."""
    if key not in FILE_PARSERS:
        known = ", ".join(FILE_PARSERS)
        raise KeyError(f"no file format known for {key!r}; files can be loaded for {known}")
    if not data:
        raise EmptyPayload(f"{filename} is empty")
    return FILE_PARSERS[key](data, filename)
