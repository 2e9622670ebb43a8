"""The Levels page's settings in the address (``?window=5y&style=candles&swing=dates&…``).

Pure functions, no Streamlit: each reads one raw query value (``None`` when absent) and returns
the value to show plus, for a value that cannot be used, one warning sentence saying what was
asked, what is valid and what is shown instead. A missing value is no warning (the default
applies); a bad value is never replaced silently.

Keys and values:

- ``window``: ``6m``, ``1y`` (default), ``2y``, ``5y``, ``10y``, ``max``.
- ``style``: ``line`` (default) or ``candles``.
- ``swing``: ``auto`` (default), ``dates`` or ``prices``; with ``swing_start`` and ``swing_end``
  each a date ``YYYY-MM-DD`` (dates) or a positive price (prices).
- ``target``, ``stop``: positive prices; ``capital``: dollars, 0 or more.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import pandas as pd

from analytics.errors import InvalidSetting
from analytics.levels import LevelSettings, swing_in_selection

T = TypeVar("T")

WINDOWS: dict[str, str] = {
    "6m": "6 months",
    "1y": "1 year",
    "2y": "2 years",
    "5y": "5 years",
    "10y": "10 years",
    "max": "all the history",
}
WINDOW_MONTHS: dict[str, int | None] = {
    "6m": 6,
    "1y": 12,
    "2y": 24,
    "5y": 60,
    "10y": 120,
    "max": None,
}
DEFAULT_WINDOW = "1y"
STYLES: dict[str, str] = {"line": "Line", "candles": "Candles"}
DEFAULT_STYLE = "line"
SWING_MODES: dict[str, str] = {
    "auto": "Automatic",
    "dates": "By date",
    "prices": "By price",
}
DEFAULT_SWING = "auto"


@dataclass(frozen=True)
class Checked(Generic[T]):
    """A value read from the address and, when the asked value could not be used, why."""

    value: T
    warning: str | None = None


def asked(what: str, raw: str, valid: str, instead: str) -> str:
    """The one warning sentence for an address value that cannot be used."""
    return f"The address asks for {what} “{raw}”, which is not {valid}; showing {instead} instead."


def date_text(value: pd.Timestamp) -> str:
    """A date as the address and the screen write it: ``YYYY-MM-DD``."""
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def number_text(value: float) -> str:
    """A number for the address: at most two decimals, no trailing zeros (4500.5, 4500)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def check_choice(
    raw: str | None, choices: Mapping[str, str], default: str, what: str
) -> Checked[str]:
    """``raw`` when it is one of ``choices`` (ids to names; an id that is its own name is listed
    once), else ``default`` (with a warning when ``raw`` was given)."""
    if raw is None or raw in choices:
        return Checked(default if raw is None else raw)
    valid = "one of " + ", ".join(
        key if key == name else f"{key} ({name})" for key, name in choices.items()
    )
    return Checked(default, asked(what, raw, valid, choices[default]))


def check_date(
    raw: str | None, first: pd.Timestamp, last: pd.Timestamp, what: str, instead: str
) -> Checked[pd.Timestamp | None]:
    """A ``YYYY-MM-DD`` date from ``first`` to ``last`` (both included), else ``None`` (with a
    warning when ``raw`` was given)."""
    if raw is None:
        return Checked(None)
    valid = f"a date (YYYY-MM-DD) from {date_text(first)} to {date_text(last)}"
    try:
        value = pd.Timestamp(dt_from_text(raw))
    except ValueError:
        return Checked(None, asked(what, raw, valid, instead))
    if not first <= value <= last:
        return Checked(None, asked(what, raw, valid, instead))
    return Checked(value)


def dt_from_text(raw: str) -> pd.Timestamp:
    """``YYYY-MM-DD`` exactly (``ValueError`` otherwise: no times, no other orders)."""
    parts = raw.split("-")
    if len(parts) != 3 or [len(p) for p in parts] != [4, 2, 2] or not "".join(parts).isdigit():
        raise ValueError(f"not a YYYY-MM-DD date: {raw!r}")
    return pd.Timestamp(year=int(parts[0]), month=int(parts[1]), day=int(parts[2]))


def check_amount(
    raw: str | None, what: str, instead: str, allow_zero: bool = False
) -> Checked[float | None]:
    """A finite number above 0 (or at least 0 with ``allow_zero``), else ``None`` (with a
    warning when ``raw`` was given)."""
    if raw is None:
        return Checked(None)
    valid = "a number of 0 or more" if allow_zero else "a number above 0"
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        return Checked(None, asked(what, raw, valid, instead))
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        return Checked(None, asked(what, raw, valid, instead))
    return Checked(value)


@dataclass(frozen=True)
class SwingAddress:
    """The Fibonacci anchors the address asks for: the mode (``auto``, ``dates``, ``prices``)
    and the start and end (dates or prices; ``None`` in ``auto``)."""

    mode: str
    start: pd.Timestamp | float | None = None
    end: pd.Timestamp | float | None = None

    def date_pair(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """(start, end) of anchors by date, else ``None``."""
        start, end = self.start, self.end
        if (
            self.mode == "dates"
            and isinstance(start, pd.Timestamp)
            and isinstance(end, pd.Timestamp)
        ):
            return start, end
        return None

    def price_pair(self) -> tuple[float, float] | None:
        """(start, end) of anchors by price, else ``None``."""
        start, end = self.start, self.end
        if self.mode == "prices" and isinstance(start, float) and isinstance(end, float):
            return start, end
        return None


AUTOMATIC = (
    f"the automatic swing (the last {LevelSettings().swing_days} trading days' high and low)"
)


def check_swing(
    mode_raw: str | None,
    start_raw: str | None,
    end_raw: str | None,
    first: pd.Timestamp,
    last: pd.Timestamp,
) -> Checked[SwingAddress]:
    """The anchors of ``swing``/``swing_start``/``swing_end`` (dates from ``first`` to ``last``,
    the range of closes up to the as-of date, or positive prices). Any unusable part falls back
    to the automatic swing with a warning; so does a mode without both ends."""
    mode = check_choice(mode_raw, SWING_MODES, DEFAULT_SWING, "the Fibonacci anchors")
    if mode.warning is not None or mode.value == "auto":
        return Checked(SwingAddress("auto"), mode.warning)
    ends: list[pd.Timestamp | float] = []
    for name, raw in (("swing start", start_raw), ("swing end", end_raw)):
        what = f"the {name}"
        if raw is None:
            return Checked(
                SwingAddress("auto"),
                f"The address asks for Fibonacci anchors {SWING_MODES[mode.value].lower()} but "
                f"gives no {name}; showing {AUTOMATIC} instead.",
            )
        checked: Checked[pd.Timestamp | None] | Checked[float | None]
        if mode.value == "dates":
            checked = check_date(raw, first, last, what, AUTOMATIC)
        else:
            checked = check_amount(raw, what, AUTOMATIC)
        if checked.value is None:
            return Checked(SwingAddress("auto"), checked.warning)
        ends.append(checked.value)
    return Checked(SwingAddress(mode.value, ends[0], ends[1]))


def swing_query(swing: SwingAddress) -> dict[str, str]:
    """The address values of ``swing`` (none for the automatic swing)."""
    dates, prices = swing.date_pair(), swing.price_pair()
    if dates is not None:
        return {
            "swing": "dates",
            "swing_start": date_text(dates[0]),
            "swing_end": date_text(dates[1]),
        }
    if prices is not None:
        return {
            "swing": "prices",
            "swing_start": number_text(prices[0]),
            "swing_end": number_text(prices[1]),
        }
    return {}


def selection_dates(box: Mapping[str, object]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The two dates of a Plotly box selection (``{"x": [x0, x1], …}``): date strings as
    Plotly writes them on a date axis, or milliseconds since 1970."""
    ends = box.get("x")
    if not isinstance(ends, (list, tuple)) or len(ends) != 2:
        raise InvalidSetting("the chart selection has no date range; drag a box over the chart")
    dates = []
    for end in ends:
        if isinstance(end, (int, float)) and not isinstance(end, bool):
            dates.append(pd.Timestamp(end, unit="ms"))
        else:
            try:
                dates.append(pd.Timestamp(str(end)))
            except ValueError:
                raise InvalidSetting(
                    f"the chart selection's edge “{end}” is not a date; drag a box over the chart"
                ) from None
    return dates[0], dates[1]


def selection_query(box: Mapping[str, object], bars: pd.DataFrame, candles: bool) -> dict[str, str]:
    """The address values of the swing a box selection picks (``swing_in_selection`` on the
    drawn ``bars``, columns high and low): by price for candles (their highs and lows are not
    closes), by date for the close line (the levels' own closes on those dates)."""
    first, last = selection_dates(box)
    swing = swing_in_selection(bars, first, last)
    if candles:
        return swing_query(SwingAddress("prices", swing.start_price, swing.end_price))
    return swing_query(SwingAddress("dates", swing.start_date, swing.end_date))
