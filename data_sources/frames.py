"""The one shape every series takes once loaded, and the helpers that produce it.

A *series frame* is a ``pandas.DataFrame`` with

- a tz-naive ``DatetimeIndex`` named ``date``, normalised to midnight, sorted ascending and
  without duplicates (a repeated date follows ``data_sources.validate.one_row_per_date``: the
  same values are one row, different values are rejected);
- ``float64`` columns named by canonical field: ``value`` for a single series;
  ``open``/``high``/``low``/``close``/``volume`` and optionally ``adj_close`` for prices
  (``close`` is the quoted close, ``adj_close`` the dividend-adjusted close); ``bullish``/
  ``neutral``/``bearish`` (percent) for the AAII survey; no columns at all for an event calendar
  such as ``calendar:fomc``, where the index is the list of event dates;
- ``attrs["adjusted"] = True`` when the file's ``close`` is itself already dividend-adjusted
  (a yfinance ``auto_adjust=True`` layout); such a frame also carries ``adj_close`` equal to
  ``close``, so total-return code can always read ``adj_close``.

Rows whose every field is missing are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_sources.errors import BadPayload, EmptyPayload, MissingColumn
from data_sources.validate import one_row_per_date

PRICE_FIELDS = ("open", "high", "low", "close", "volume", "adj_close")
MISSING_MARKERS = ("", ".", "null", "NaN", "nan", "N/A", "#N/A")


def to_numeric(column: pd.Series) -> pd.Series:
    """Float version of a text or numeric column: spaces stripped, "." and blanks are NaN,
    thousands separators removed."""
    if pd.api.types.is_numeric_dtype(column):
        return column.astype("float64")
    text = column.astype("string").str.strip().str.replace(",", "", regex=False)
    text = text.mask(text.isin(MISSING_MARKERS))
    return pd.to_numeric(text, errors="coerce").astype("float64")


def parse_dates(column: pd.Series, date_format: str | None = None) -> pd.DatetimeIndex:
    """Dates from a text column. ``date_format`` is a strptime format; without one, ISO dates
    (``YYYY-MM-DD``) and monthly ``YYYY-MM`` (read as the first of the month) are accepted.

    Raises :class:`BadPayload` naming the first value that does not parse.
    """
    quick = _parse_plain_dates(column, date_format)
    if quick is not None:
        return quick
    text = column.astype("string").str.strip()
    if date_format is None and text.str.fullmatch(r"\d{4}-\d{2}").fillna(False).all():
        date_format = "%Y-%m"
    parsed = pd.to_datetime(text, format=date_format, errors="coerce")
    bad = parsed.isna() & text.notna() & (text != "")
    if bad.any():
        raise BadPayload(
            f"date {text[bad].iloc[0]!r} does not match the format "
            f"{date_format or 'YYYY-MM-DD'} ({int(bad.sum())} such rows)"
        )
    return pd.DatetimeIndex(parsed).tz_localize(None).normalize()


@cache
def _text_date_unit() -> Literal["s", "ms", "us", "ns"]:
    """The resolution pandas gives dates parsed from text (the general path's)."""
    unit = str(pd.to_datetime(["2000-01-01"], format="%Y-%m-%d").unit)
    return "s" if unit == "s" else "ms" if unit == "ms" else "us" if unit == "us" else "ns"


def _parse_arrow_dates(column: pd.Series, date_format: str | None) -> pd.DatetimeIndex | None:
    """``_parse_plain_dates`` of Arrow-backed text, by Arrow's own parser: ISO dates, monthly
    ``YYYY-MM`` ones (the first of the month, as ``parse_dates`` reads them) and US
    ``%m/%d/%Y`` dates (``_parse_us_dates``). The cells are read as they are first (no layout
    accepted here allows a space) and, failing that, with their spaces trimmed."""
    text = pa.array(column.array)
    if len(text) == 0 or text.null_count:
        return None
    parsed = _parse_arrow_text(text, date_format)
    if parsed is None:
        parsed = _parse_arrow_text(pc.utf8_trim_whitespace(text), date_format)
    return parsed


def _parse_arrow_text(text: pa.Array, date_format: str | None) -> pd.DatetimeIndex | None:
    """``_parse_arrow_dates`` of cells taken as they are."""
    if date_format == US_DATE_FORMAT:
        return _parse_us_dates(text)
    if date_format is not None:
        return None
    shortest, longest = pc.min_max(pc.utf8_length(text)).values()
    monthly = shortest.as_py() == longest.as_py() == len("YYYY-MM")
    if monthly:  # monthly: the first of the month
        if not pc.all(pc.match_substring_regex(text, r"^\d{4}-\d{2}$")).as_py():
            return None
        text = pc.utf8_replace_slice(text, start=7, stop=7, replacement="-01")
    elif not shortest.as_py() == longest.as_py() == len("YYYY-MM-DD"):
        return None
    try:  # Arrow's ISO 8601 cast: checks month lengths and leap years, rejects the rest
        parsed = pc.cast(text, pa.timestamp(_text_date_unit()))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    days = pd.DatetimeIndex(parsed.to_numpy(zero_copy_only=False), copy=False)
    return days.normalize() if monthly else days  # normalize infers the frequency, as there


US_DATE_FORMAT = "%m/%d/%Y"
_US_DATE = r"^(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})$"


def _parse_us_dates(text: pa.Array) -> pd.DatetimeIndex | None:
    """``%m/%d/%Y`` dates (month and day of one or two digits, as strptime reads them) built
    from their numbers; None when any cell is not such a real date between 1678 and 2261 (the
    general path then names it)."""
    parts = pc.extract_regex(text, _US_DATE)
    if parts.null_count:
        return None
    month, day, year = (
        pc.cast(parts.field(name), pa.int64()).to_numpy() for name in ("month", "day", "year")
    )
    if ((month < 1) | (month > 12) | (day < 1) | (year < 1678) | (year > 2261)).any():
        return None
    months = (year - 1970) * 12 + month - 1
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    days = first + (day - 1).astype("timedelta64[D]")
    if (days.astype("datetime64[M]") != months.astype("datetime64[M]")).any():
        return None  # a day past the end of its month
    return pd.DatetimeIndex(days).as_unit(_text_date_unit())


def _parse_plain_dates(column: pd.Series, date_format: str | None) -> pd.DatetimeIndex | None:
    """``parse_dates`` when every cell is text that parses with ``date_format`` (ISO
    ``YYYY-MM-DD`` without one): the same dates, without the text conversions (ISO dates keep no
    inferred ``freq``, which nothing reads). None when any cell is not such text (blank, another
    layout, not a string): the general path decides."""
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        return _parse_arrow_dates(column, date_format)
    values = column.to_numpy()
    if len(values) == 0 or values.dtype != object:
        return None
    try:
        text = np.char.strip(values.astype(str))
    except (TypeError, ValueError):
        return None
    if np.any(values != values):  # a missing cell (NaN) read as the text "nan"
        return None
    if date_format is None:
        if not (np.char.str_len(text) == len("YYYY-MM-DD")).all():
            return None
        try:
            days = text.astype("datetime64[D]")
        except ValueError:
            return None
        return pd.DatetimeIndex(days).as_unit(_text_date_unit())  # midnight already
    parsed = pd.to_datetime(text, format=date_format, errors="coerce")
    if parsed.isna().any():
        return None
    return pd.DatetimeIndex(parsed).tz_localize(None).normalize()


def tidy_frame(
    raw: pd.DataFrame,
    date_column: str,
    fields: Mapping[str, str],
    *,
    date_format: str | None = None,
    scale: float | None = None,
    adjusted: bool = False,
    source: str = "payload",
    last_repeat_wins: bool = False,
) -> pd.DataFrame:
    """Build a series frame from a raw table.

    ``fields`` maps canonical field -> column name in ``raw``; column names are matched after
    stripping spaces. ``scale`` multiplies every field. Raises :class:`MissingColumn` when a
    column is absent, :class:`EmptyPayload` when no row has a value, ``Rejected`` when a date
    repeats with different values. ``last_repeat_wins`` is for curated copies whose repeats
    are documented (a manifest folder's reference files): there the last row of a repeated
    date, in file order, is kept whatever its values.
    """
    quick = _tidy_numeric(raw, date_column, fields, date_format, scale, adjusted)
    if quick is not None:
        return quick
    raw = raw.rename(columns=lambda c: str(c).strip())
    needed = [date_column, *fields.values()]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise MissingColumn(
            f"{source}: column(s) {', '.join(map(repr, missing))} not found; "
            f"columns are {', '.join(map(repr, raw.columns))}"
        )
    raw = raw[raw[date_column].notna()]
    index = parse_dates(raw[date_column], date_format)
    frame = pd.DataFrame(
        {field: to_numeric(raw[column]).to_numpy() for field, column in fields.items()},
        index=index,
    )
    frame.index.name = "date"
    if scale is not None:
        frame = frame * scale
    if fields:
        frame = frame.dropna(how="all")
    if last_repeat_wins:
        frame = frame[~frame.index.duplicated(keep="last")]
    frame = one_row_per_date(frame, source=source).sort_index(kind="stable")
    if adjusted:
        if "close" in frame.columns and "adj_close" not in frame.columns:
            frame["adj_close"] = frame["close"]
        frame.attrs["adjusted"] = True
    if len(frame.index) == 0:
        raise EmptyPayload(f"{source}: no data rows")
    return frame


def _tidy_numeric(
    raw: pd.DataFrame,
    date_column: str,
    fields: Mapping[str, str],
    date_format: str | None,
    scale: float | None,
    adjusted: bool,
) -> pd.DataFrame | None:
    """``tidy_frame`` of the common table, on numpy arrays: column names already stripped,
    every field column numeric, every date present and parsing by ``parse_dates``' quick path,
    dates strictly increasing after dropping the rows without any value. The same frame, built
    as one float block. None for anything else (the general path then decides, with its
    messages); the repeat and order rules cannot fire on such a table, so none is skipped."""
    if not fields or not all(isinstance(c, str) and c == c.strip() for c in raw.columns):
        return None
    if raw.columns.has_duplicates:
        return None
    if any(c not in raw.columns for c in (date_column, *fields.values())):
        return None
    columns = {c: raw[c] for c in fields.values()}
    if any(
        not pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype)
        for column in columns.values()
    ):
        return None
    index = _parse_plain_dates(raw[date_column], date_format)  # None for a missing date
    if index is None:
        return None
    names = list(fields)
    sources = list(fields.values())
    if adjusted and "close" in fields and "adj_close" not in fields:
        names.append("adj_close")
        sources.append(fields["close"])
    values = np.empty((len(index), len(names)))
    for number, column in enumerate(sources):
        values[:, number] = columns[column].to_numpy(dtype="float64")
    if scale is not None:
        values *= scale
    known = np.logical_not(np.isnan(values).all(axis=1))
    if not known.all():
        values, index = values[known], index[known]
    if len(index) == 0 or not _strictly_increasing(index):
        return None
    frame = pd.DataFrame(values, index=index, columns=names, copy=False)
    frame.index.name = "date"
    if adjusted:
        frame.attrs["adjusted"] = True
    return frame


def _strictly_increasing(index: pd.Index) -> bool:
    """Dates sorted and unique (one pass over the numbers; no hash table)."""
    if not isinstance(index, pd.DatetimeIndex):
        return False
    stamps = index.asi8
    return bool((stamps[1:] > stamps[:-1]).all())


def combine_parts(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Join parts of one series in order; where dates overlap, a later part wins."""
    parts = list(parts)
    if not parts:
        raise EmptyPayload("no parts to combine")
    if len(parts) == 1 and _strictly_increasing(parts[0].index):
        alone = parts[0].copy(deep=False)  # nothing to join, drop or sort
        alone.attrs = dict(parts[0].attrs)
        return alone
    combined = pd.concat(parts)
    combined = combined[~combined.index.duplicated(keep="last")].sort_index(kind="stable")
    combined.attrs = dict(parts[-1].attrs)
    return combined


def check_frame(frame: pd.DataFrame, source: str = "payload") -> pd.DataFrame:
    """Assert the series-frame invariants; raise :class:`BadPayload` saying which one fails."""
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise BadPayload(f"{source}: index is not a DatetimeIndex")
    if frame.index.tz is not None:
        raise BadPayload(f"{source}: index must be tz-naive")
    if not frame.index.is_monotonic_increasing or frame.index.has_duplicates:
        raise BadPayload(f"{source}: dates are not sorted and unique")
    for name, dtype in frame.dtypes.items():
        if dtype != "float64":
            raise BadPayload(f"{source}: column {name!r} is {dtype}, not float64")
    return frame
