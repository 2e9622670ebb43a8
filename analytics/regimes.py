"""Market regimes: bull markets, the investable uptrend and trailing sell stops (SPEC section 6).

**Bull markets** (Ned Davis Research definitions) on each date t, with L = the lowest close in the
calendar-day window ``(t − d days, t]`` (``rolling("dD")``: right-closed, so t itself and the
d − 1 days before it count, the day exactly d days earlier does not)::

    A:          close(t) / L(50 days)  − 1 ≥ 30 %
    B:          close(t) / L(155 days) − 1 ≥ 13 %
    B_modified: close(t) / L(155 days) − 1 ≥ 20 %   (the default shown)

A date less than d − 1 calendar days after the first close has an incomplete window and is False.

**Investable uptrend** over a window of n trading days ending on t::

    rise(t)    = close(t) / close(t − n) − 1          (the close before the window's first day)
    up days(t) = #{ t − n < s ≤ t : close(s) > close(s − 1) }   (n daily changes)
    qualifies  ⇔ rise ≥ required rise  and  up days ≥ required up days

Required: the SPEC table for 10/15/20/25 days (9 %, 3 %, 4 %, 5 %; 7, 10, 14, 17 up days); for
other n, rise = ⌈20 × n / 110⌉ % when 20 × n / 110 ≥ 2, else ⌈30 × n / 36⌉ %, and up days =
⌈2n / 3⌉. The formula reproduces all four table rows (10 days: 20×10/110 = 1.82 < 2, so
⌈8.33⌉ = 9 %), so the table and the formula agree. "Investable" = any window qualifies. Rises
are compared with a tolerance of 1e-9 so that exactly 9.0 % qualifies despite floating point.

**Sell stops** (a simple model, ours): from the entry date, the stop is 6 % below the highest
close since entry; a close at or below it sells everything. While out (or partly in), each
trading day on which the investable uptrend holds buys back 10 % of the portfolio, up to 100 %;
the first re-entry step restarts the highest close from that day's close.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analytics.errors import InvalidSetting, NotEnoughData
from analytics.levels import clean_closes, first_date_of_max

TOLERANCE = 1e-9

BULL_DEFINITIONS: Mapping[str, tuple[int, float]] = {
    "A": (50, 0.30),
    "B": (155, 0.13),
    "B_modified": (155, 0.20),
}
DEFAULT_BULL = "B_modified"

TABLE_ROWS: Mapping[int, tuple[int, int]] = {10: (9, 7), 15: (3, 10), 20: (4, 14), 25: (5, 17)}
DEFAULT_WINDOWS: tuple[int, ...] = (10, 15, 20, 25, 30, 40, 50, 60)


def _require_data(series: pd.Series, as_of: Any) -> None:
    if series.empty:
        when = "" if as_of is None else f" on or before {pd.Timestamp(as_of).date().isoformat()}"
        raise NotEnoughData(f"no close{when}: the series has no data")


# ---- bull markets ----------------------------------------------------------------------------


def bull_markets(
    close: pd.Series, definitions: Mapping[str, tuple[int, float]] = BULL_DEFINITIONS
) -> pd.DataFrame:
    """Bool frame, one column per definition (default ``A``, ``B``, ``B_modified``), on the
    dates of ``close`` (module docstring for the rule and the window semantics)."""
    series = clean_closes(close)
    table = pd.DataFrame(index=series.index)
    for name, (days, rise) in definitions.items():
        low = series.rolling(f"{days}D").min()
        if series.empty:
            table[name] = pd.Series(dtype=bool)
            continue
        complete = series.index >= series.index[0] + pd.Timedelta(days=days - 1)
        table[name] = (series / low - 1.0 >= rise - TOLERANCE) & complete
    return table.astype(bool)


def bull_market_distance(
    close: pd.Series,
    as_of: Any = None,
    definitions: Mapping[str, tuple[int, float]] = BULL_DEFINITIONS,
) -> pd.DataFrame:
    """Per definition on the as-of date: window days, required rise, the window's lowest close
    and its date, the rise from it, whether it qualifies, a text and a note."""
    series = clean_closes(close, as_of)
    _require_data(series, as_of)
    today = series.index[-1]
    price = float(series.iloc[-1])
    rows = []
    for name, (days, required) in definitions.items():
        window = series.loc[today - pd.Timedelta(days=days - 1) :]
        row: dict[str, Any] = {"definition": name, "days": days, "required_rise": required}
        if today - series.index[0] < pd.Timedelta(days=days - 1):
            row.update(
                low=math.nan,
                low_date=pd.NaT,
                rise=math.nan,
                qualifies=False,
                text="",
                note=f"not enough history: needs {days} calendar days of closes, "
                f"found {(today - series.index[0]).days + 1}",
            )
        else:
            low_date = first_date_of_max(-window)
            low = float(window.loc[low_date])
            rise = price / low - 1.0
            row.update(
                low=low,
                low_date=low_date,
                rise=rise,
                qualifies=bool(rise >= required - TOLERANCE),
                text=f"{rise * 100:+.1f} % of {required * 100:g} % above the {days}-day low",
                note="",
            )
        rows.append(row)
    return pd.DataFrame(rows).set_index("definition")


# ---- investable uptrend ----------------------------------------------------------------------


@dataclass(frozen=True)
class UptrendRule:
    """A window of ``days`` trading days qualifies with a rise ≥ ``rise`` (fraction) and at
    least ``up_days`` up days."""

    days: int
    rise: float
    up_days: int


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def rule_rise_percent(days: int) -> int:
    """The formula's required rise in whole percent: ⌈20 × n / 110⌉ when 20 × n / 110 ≥ 2,
    else ⌈30 × n / 36⌉ (exact integer arithmetic)."""
    if 20 * days >= 2 * 110:
        return _ceil_div(20 * days, 110)
    return _ceil_div(30 * days, 36)


def uptrend_rule(days: int) -> UptrendRule:
    """The rule for a window of ``days`` trading days (module docstring); exact integer math."""
    if not isinstance(days, int) or isinstance(days, bool) or days < 2:
        raise InvalidSetting(
            f"an uptrend window is a whole number of trading days ≥ 2, got {days!r}"
        )
    if days in TABLE_ROWS:
        rise_pct, up_days = TABLE_ROWS[days]
    else:
        rise_pct = rule_rise_percent(days)
        up_days = _ceil_div(2 * days, 3)
    return UptrendRule(days=days, rise=rise_pct / 100, up_days=up_days)


def uptrend_rules(windows: Sequence[int] = DEFAULT_WINDOWS) -> pd.DataFrame:
    """The rule table: index ``days``, columns ``rise`` (fraction) and ``up_days``."""
    rules = [uptrend_rule(days) for days in windows]
    return pd.DataFrame(
        {"rise": [r.rise for r in rules], "up_days": [r.up_days for r in rules]},
        index=pd.Index([r.days for r in rules], name="days"),
    )


def window_label(days: int) -> str:
    return f"{days}d"


def investable_uptrend(close: pd.Series, windows: Sequence[int] = DEFAULT_WINDOWS) -> pd.DataFrame:
    """Bool frame on the dates of ``close``: one column per window (``"10d"``, …) and ``any``.
    A date with fewer than n + 1 closes up to it is False for that window."""
    series = clean_closes(close)
    change = series.diff()
    up = (change > 0).astype("float64").where(change.notna())
    table = pd.DataFrame(index=series.index)
    for days in windows:
        rule = uptrend_rule(days)
        rise = series / series.shift(days) - 1.0
        up_days = up.rolling(days, min_periods=days).sum()
        table[window_label(days)] = (rise >= rule.rise - TOLERANCE) & (up_days >= rule.up_days)
    table["any"] = table.any(axis=1) if len(windows) else False
    return table.astype(bool)


def uptrend_distance(
    close: pd.Series, as_of: Any = None, windows: Sequence[int] = DEFAULT_WINDOWS
) -> pd.DataFrame:
    """How far each window is from qualifying on the as-of date.

    Index ``days``; columns ``rise``, ``required_rise``, ``rise_gap`` (= rise − required),
    ``up_days``, ``required_up_days``, ``qualifies``, ``text`` ("+2.1 % of 3 %, 9 of 10 up
    days") and ``note`` ("not enough history …" when there are fewer than n + 1 closes).
    """
    series = clean_closes(close, as_of)
    _require_data(series, as_of)
    rows = []
    for days in windows:
        rule = uptrend_rule(days)
        row: dict[str, Any] = {
            "days": days,
            "required_rise": rule.rise,
            "required_up_days": rule.up_days,
        }
        if len(series) < days + 1:
            row.update(
                rise=math.nan,
                rise_gap=math.nan,
                up_days=math.nan,
                qualifies=False,
                text="",
                note=f"not enough history: needs {days + 1} closes, found {len(series)}",
            )
        else:
            window = series.iloc[-days - 1 :]
            rise = float(window.iloc[-1] / window.iloc[0] - 1.0)
            up_days = int((window.diff().iloc[1:] > 0).sum())
            row.update(
                rise=rise,
                rise_gap=rise - rule.rise,
                up_days=float(up_days),
                qualifies=bool(rise >= rule.rise - TOLERANCE and up_days >= rule.up_days),
                text=f"{rise * 100:+.1f} % of {rule.rise * 100:g} %, "
                f"{up_days} of {rule.up_days} up days",
                note="",
            )
        rows.append(row)
    columns = [
        "rise",
        "required_rise",
        "rise_gap",
        "up_days",
        "required_up_days",
        "qualifies",
        "text",
        "note",
    ]
    return pd.DataFrame(rows).set_index("days")[columns]


def uptrend_start(uptrend_any: pd.Series) -> pd.Timestamp | None:
    """First day of the latest run of consecutive True values (the current or most recent
    investable uptrend); ``None`` when it never held."""
    flags = uptrend_any.astype(bool)
    if not flags.any():
        return None
    starts = flags & ~flags.shift(1, fill_value=False)
    return pd.Timestamp(starts[starts].index[-1])


def regime_bands(flags: pd.Series) -> pd.DataFrame:
    """Runs of consecutive True values as bands to shade: columns ``start`` and ``end`` (the
    first and last date of each run, inclusive) and ``days`` (rows in the run)."""
    flags = flags.astype(bool)
    run_id = (flags != flags.shift(1)).cumsum()
    true_runs = flags.index.to_series()[flags].groupby(run_id[flags])
    return pd.DataFrame(
        {
            "start": true_runs.min().to_numpy(),
            "end": true_runs.max().to_numpy(),
            "days": true_runs.size().to_numpy(),
        },
        columns=["start", "end", "days"],
    ).astype({"start": "datetime64[ns]", "end": "datetime64[ns]", "days": "int64"})


# ---- sell stops ------------------------------------------------------------------------------


def sell_stop(
    close: pd.Series,
    entry: Any = None,
    as_of: Any = None,
    trail: float = 0.06,
    step: float = 0.10,
    windows: Sequence[int] = DEFAULT_WINDOWS,
) -> pd.DataFrame:
    """Trailing sell stop from ``entry`` (default: the start of the current or latest investable
    uptrend) to ``as_of``, one row per trading day (model in the module docstring).

    Columns: ``close``, ``uptrend`` (any window qualifies), ``highest`` (highest close since
    entry or since the first re-entry step), ``stop`` = highest × (1 − trail), ``exposure``
    (0 … 1) and ``action`` (``"entry"``, ``"stop"``, ``"re-enter 10 %"``…, or ``""``).
    """
    if not 0 < trail < 1:
        raise InvalidSetting(f"the trailing stop must be a fraction between 0 and 1, got {trail!r}")
    steps_total = round(1 / step) if 0 < step <= 1 else 0
    if steps_total == 0 or abs(steps_total * step - 1) > 1e-9:
        raise InvalidSetting(f"the re-entry step must divide 100 % evenly (e.g. 0.1), got {step!r}")
    series = clean_closes(close, as_of)
    _require_data(series, as_of)
    uptrend = investable_uptrend(series, windows)["any"]
    if entry is None:
        start = uptrend_start(uptrend)
        if start is None:
            raise NotEnoughData(
                "no investable uptrend in the history up to the as-of date: give an entry date"
            )
    else:
        wanted = pd.Timestamp(entry)
        after = series.loc[wanted:]
        if after.empty:
            raise InvalidSetting(
                f"entry date {wanted.date().isoformat()} is after the last close "
                f"({series.index[-1].date().isoformat()})"
            )
        start = after.index[0]
    path = series.loc[start:]
    flags = uptrend.loc[start:]
    steps = steps_total
    highest = float(path.iloc[0])
    rows = []
    dates = pd.DatetimeIndex(path.index)
    for i, value in enumerate(path.to_numpy(dtype=float).tolist()):
        date = dates[i]
        action = "entry" if i == 0 else ""
        if i > 0:
            if steps > 0:
                highest = max(highest, value)
                if value <= highest * (1 - trail) * (1 + 1e-12):
                    steps = 0
                    action = "stop"
            if action != "stop" and steps < steps_total and bool(flags.loc[date]):
                if steps == 0:
                    highest = value
                steps += 1
                action = f"re-enter {step * 100:g} %"
        rows.append(
            {
                "close": value,
                "uptrend": bool(flags.loc[date]),
                "highest": highest,
                "stop": highest * (1 - trail),
                "exposure": steps / steps_total,
                "action": action,
            }
        )
    return pd.DataFrame(rows, index=path.index)
