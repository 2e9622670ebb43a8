"""Reading the providers' files: legacy ``.xls``, ``.xlsx`` and CSV, from bytes or a stream.

Rules:

* The reader is chosen by the file's first bytes, not its name (``PK\\x03\\x04``: an ``.xlsx``,
  read with openpyxl; ``D0 CF 11 E0``: a legacy ``.xls``, read with xlrd; otherwise CSV), so a
  workbook saved under the wrong suffix still reads. Excel error cells (``#N/A``) become missing
  values, never numbers.
* A web page where a file was expected, or a truncated or corrupt workbook, is a
  :class:`BadPayload` with a message a user understands, never a traceback.
* Cells are read untyped (``header=None``): these files carry title rows above the header, so
  :func:`table_under_header` finds the header row by its first cell.
* :func:`series_frame` builds the series frame (see ``data_sources.frames``); a repeated date
  follows ``data_sources.validate.one_row_per_date`` (the same values to the file's two
  decimals are one observation; different values are an error).
"""

from __future__ import annotations

import csv
import io
import itertools
import warnings
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, BinaryIO, Literal

import pandas as pd

from data_sources.errors import BadPayload, EmptyPayload, MissingColumn
from data_sources.frames import to_numeric
from data_sources.validate import one_row_per_date

Payload = bytes | BinaryIO
"""A file's content: its bytes, or a binary stream positioned at its start."""

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
CSV_SNIFF_LINES = 200
TEXT_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m", "%m/%d/%y", "%b-%y")


def as_stream(data: Payload) -> BinaryIO:
    """A seekable binary stream over ``data`` (bytes are wrapped, never copied twice)."""
    return io.BytesIO(data) if isinstance(data, bytes | bytearray) else data


def _head(stream: BinaryIO, size: int = 512) -> bytes:
    start = stream.tell()
    head = stream.read(size)
    stream.seek(start)
    return bytes(head)


def looks_like_web_page(head: bytes) -> bool:
    """True when the first bytes are an HTML document (a login, error or block page)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def read_cells(data: Payload, filename: str, sheet: str | None = None) -> pd.DataFrame:
    """Every cell of one sheet (or of a CSV) as an untyped table, no header.

    ``sheet`` names the preferred sheet; a workbook without it is read from its first sheet
    (a user may have saved the file again). Raises :class:`EmptyPayload` for an empty file and
    :class:`BadPayload` for a web page or an unreadable workbook.
    """
    stream = as_stream(data)
    head = _head(stream)
    if not head.strip():
        raise EmptyPayload(f"{filename} is empty")
    if looks_like_web_page(head):
        raise BadPayload(
            f"{filename} is a web page, not the data file (the site probably showed a login, "
            "error or robot check page instead)"
        )
    if head.startswith(XLSX_MAGIC):
        return _read_workbook(stream, filename, sheet, "openpyxl")
    if head.startswith(XLS_MAGIC):
        return _read_workbook(stream, filename, sheet, "xlrd")
    if filename.lower().endswith((".xls", ".xlsx")):
        raise BadPayload(
            f"{filename} is not a readable Excel workbook (it is neither .xls nor .xlsx "
            "inside); download it again"
        )
    return _read_csv(stream, filename)


def _read_workbook(
    stream: BinaryIO, filename: str, sheet: str | None, engine: Literal["openpyxl", "xlrd"]
) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            # pandas 3 deprecates its xlrd engine; xlrd is still the reader for legacy .xls.
            warnings.filterwarnings("ignore", message=".*xlrd.*", category=Warning)
            book = pd.ExcelFile(stream, engine=engine)
            names = [str(name) for name in book.sheet_names]
            chosen: str | int = sheet if sheet in names else 0
            cells = pd.read_excel(book, sheet_name=chosen, header=None, dtype=object)
    except Exception as exc:  # any reader failure on untrusted bytes (BadZipFile, XLRDError, ...)
        raise BadPayload(
            f"{filename} is not a readable Excel workbook: it is truncated, corrupt or another "
            "kind of file; download it again"
        ) from exc
    return cells


def _read_csv(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """A CSV whose title lines may be narrower than its header: the width is taken from the
    first ``CSV_SNIFF_LINES`` lines, then pandas' C parser reads the stream itself; a later,
    wider row falls back to ``csv.reader`` (padded rows)."""
    start = stream.tell()
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        head = list(itertools.islice(csv.reader(text), CSV_SNIFF_LINES))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BadPayload(
            f"{filename} is not a readable CSV text file (nor an Excel workbook)"
        ) from exc
    finally:
        text.detach()
    width = max((len(row) for row in head), default=0)
    stream.seek(start)
    try:
        cells = pd.read_csv(
            stream,
            header=None,
            names=list(range(max(width, 1))),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
        )
    except pd.errors.ParserError:
        stream.seek(start)
        return _read_csv_rows(stream, filename)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadPayload(
            f"{filename} is not a readable CSV text file (nor an Excel workbook)"
        ) from exc
    stripped: pd.DataFrame = cells.apply(lambda column: column.str.strip()).astype(object)
    return stripped


def _read_csv_rows(stream: BinaryIO, filename: str) -> pd.DataFrame:
    """Every row with ``csv.reader``, padded to the widest (slower; rows of any width)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        rows = [[cell.strip() for cell in row] for row in csv.reader(text)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BadPayload(
            f"{filename} is not a readable CSV text file (nor an Excel workbook)"
        ) from exc
    finally:
        text.detach()
    width = max((len(row) for row in rows), default=0)
    return pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=object)


def _cell_text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def table_under_header(
    cells: pd.DataFrame, first: str, needs: str, source: str, hint: str = ""
) -> pd.DataFrame:
    """The table under the first row whose first cell is ``first`` (case-insensitive) and which
    has a cell containing ``needs``; header cells stripped, blank ones named ``columnN``."""
    for number, row in enumerate(cells.itertuples(index=False)):
        texts = [_cell_text(value).strip() for value in row]
        if (
            texts
            and texts[0].lower() == first.lower()
            and any(needs.lower() in text.lower() for text in texts)
        ):
            header = [text or f"column{i}" for i, text in enumerate(texts)]
            body = cells.iloc[number + 1 :].copy()
            body.columns = pd.Index(header)
            return body.reset_index(drop=True)
    raise MissingColumn(
        f"{source}: no header row starting with {first!r} and naming {needs!r}{hint}"
    )


def find_column(table: pd.DataFrame, names: tuple[str, ...], source: str, hint: str = "") -> str:
    """The first column whose name equals one of ``names`` (case-insensitive)."""
    by_lower = {str(column).strip().lower(): str(column) for column in table.columns}
    for name in names:
        if name.lower() in by_lower:
            return by_lower[name.lower()]
    shown = ", ".join(repr(str(c)) for c in table.columns if not str(c).startswith("column"))
    raise MissingColumn(
        f"{source}: no {' or '.join(repr(n) for n in names)} column; columns are {shown}{hint}"
    )


def cell_date(value: Any) -> pd.Timestamp | None:
    """One date cell as :func:`column_dates` reads it (None when it is not a date)."""
    parsed = column_dates(pd.Series([value], dtype=object))[0]
    return None if pd.isna(parsed) else pd.Timestamp(parsed)


def column_dates(values: pd.Series) -> pd.DatetimeIndex:
    """A date column's cells (Excel dates, ``datetime``, or text in one of
    ``TEXT_DATE_FORMATS``: ISO, M/D/YYYY, YYYY-MM, Jan-97, …) as midnight timestamps; anything
    else (titles, footers, numbers, blanks) is NaT. Vectorised: one pass per text format."""
    cells = pd.Series(values.to_numpy(dtype=object), dtype=object)
    is_date = cells.map(lambda v: isinstance(v, datetime | date))
    is_text = cells.map(lambda v: isinstance(v, str))
    unit: Literal["datetime64[us]"] = "datetime64[us]"  # years 1 to 9999 (9999-12-31 included)
    result = pd.Series(pd.NaT, index=cells.index, dtype=unit)
    if is_date.any():
        dated = pd.to_datetime(cells[is_date].tolist(), errors="coerce")
        result[is_date] = pd.Series(dated, index=cells.index[is_date]).astype(unit)
    text = cells[is_text].astype(str).str.strip()
    for fmt in TEXT_DATE_FORMATS:
        if text.empty:
            break
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        found = parsed.notna()
        result[found[found].index] = parsed[found].astype(unit)
        text = text[~found]
    return pd.DatetimeIndex(result, name="date").normalize()


def series_frame(
    dates: pd.Series, fields: Mapping[str, pd.Series], source: str, hint: str = ""
) -> pd.DataFrame:
    """A series frame from a date column and field columns of one table.

    Rows without a date (title, footer and note rows) and rows whose every field is missing are
    dropped; numbers are read with :func:`data_sources.frames.to_numeric`. Repeated dates follow
    :func:`data_sources.validate.one_row_per_date` (different values raise ``Rejected``, a
    :class:`BadPayload`). Raises :class:`EmptyPayload` when no row is left.
    """
    index = column_dates(dates)
    frame = pd.DataFrame(
        {
            name: to_numeric(column.reset_index(drop=True)).to_numpy()
            for name, column in fields.items()
        },
        index=index,
    )
    frame = frame[frame.index.notna()].dropna(how="all")
    frame = one_row_per_date(frame, source=source)
    frame = frame.sort_index(kind="stable").astype("float64")
    if frame.empty:
        raise EmptyPayload(f"{source}: no data rows{hint}")
    return frame
