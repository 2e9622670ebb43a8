"""The weekly decision clock and the three calendar rules (SPEC sections 1 and 2).

* Decision date: the last trading day of each calendar week (Monday–Sunday) — normally Friday.
* Trade date: the first trading day after the decision date, i.e. the first trading day of the
  following week — normally Monday, Tuesday after a Monday holiday.
* The newest week counts only once it is complete: its last trading day is a Friday, or a later
  trading day exists. A week still in progress (data ending on a Wednesday) is left out, so the
  as-of view of a Wednesday is the model's view of the Friday before.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

FRIDAY = 4
BEST_SIX_MONTHS = frozenset({11, 12, 1, 2, 3, 4})
BLACKOUT_DAYS = 35
REPORTING_MONTHS = (1, 4, 7, 10)


def decision_calendar(trading_days: pd.DatetimeIndex) -> pd.DataFrame:
    """Decision dates (index ``decision_date``) and their trade dates (column ``trade_date``).

    ``trade_date`` is NaT for the newest decision date until the next trading day is in the data.
    """
    days = pd.DatetimeIndex(trading_days).normalize().unique().sort_values()
    if len(days) == 0:
        return _empty_calendar()
    week = days.to_period("W-SUN")
    is_last_of_week = np.r_[week[1:] != week[:-1], True]
    decisions = days[is_last_of_week]
    if decisions[-1].weekday() != FRIDAY:
        decisions = decisions[:-1]
    if len(decisions) == 0:
        return _empty_calendar()
    next_position = days.searchsorted(decisions, side="right")
    has_next = next_position < len(days)
    trade = np.full(len(decisions), np.datetime64("NaT"), dtype="datetime64[ns]")
    trade[has_next] = days[next_position[has_next]].to_numpy(dtype="datetime64[ns]")
    calendar = pd.DataFrame(
        {"trade_date": pd.DatetimeIndex(trade)},
        index=pd.DatetimeIndex(decisions, name="decision_date"),
    )
    return calendar


def _empty_calendar() -> pd.DataFrame:
    index = pd.DatetimeIndex([], name="decision_date")
    return pd.DataFrame({"trade_date": pd.DatetimeIndex([])}, index=index)


def expected_trade_dates(calendar: pd.DataFrame) -> pd.DatetimeIndex:
    """Trade dates, with a not-yet-known one taken as the next weekday after the decision date."""
    trade = pd.DatetimeIndex(calendar["trade_date"])
    guess = pd.DatetimeIndex(calendar.index) + pd.offsets.BDay(1)
    return pd.DatetimeIndex(np.where(trade.isna(), guess, trade))


def in_best_six_months(trade_dates: pd.DatetimeIndex) -> np.ndarray:
    """1.0 when the trade date falls between 1 November and 30 April, else 0.0."""
    return np.isin(np.asarray(trade_dates.month), list(BEST_SIX_MONTHS)).astype(float)


def fourth_fridays(first_year: int, last_year: int) -> pd.DatetimeIndex:
    """The fourth Friday of January, April, July and October of every year in the range."""
    starts = pd.DatetimeIndex(
        [
            pd.Timestamp(year, month, 1)
            for year in range(first_year, last_year + 1)
            for month in REPORTING_MONTHS
        ]
    )
    ahead = (FRIDAY - np.asarray(starts.day_of_week)) % 7
    return starts + pd.to_timedelta(ahead + 21, unit="D")


def in_buyback_blackout(trade_dates: pd.DatetimeIndex) -> np.ndarray:
    """1.0 when the trade date is inside a blackout window, else 0.0.

    A window runs from 35 days before a quarter's peak reporting Friday (the fourth Friday of
    January, April, July, October) to that Friday, both included.
    """
    if len(trade_dates) == 0:
        return np.zeros(0)
    fridays = fourth_fridays(trade_dates.min().year, trade_dates.max().year + 1)
    position = fridays.searchsorted(trade_dates, side="left")
    next_friday = fridays[np.minimum(position, len(fridays) - 1)]
    days_before = np.asarray((next_friday - trade_dates).days)
    return ((days_before >= 0) & (days_before <= BLACKOUT_DAYS)).astype(float)


def fomc_in_holding_week(trade_dates: pd.DatetimeIndex, statements: pd.DatetimeIndex) -> np.ndarray:
    """1.0 when a scheduled FOMC statement falls in the holding period after a trade date.

    The holding period of trade date t_i runs from after its close to the close of the next trade
    date t_{i+1} (for the newest one, t_i + 7 days): statement s counts when t_i < s ≤ t_{i+1}.
    """
    if len(trade_dates) == 0:
        return np.zeros(0)
    ends = trade_dates[1:].append(pd.DatetimeIndex([trade_dates[-1] + pd.Timedelta(days=7)]))
    statements = pd.DatetimeIndex(statements).sort_values()
    count = statements.searchsorted(ends, side="right") - statements.searchsorted(
        trade_dates, side="right"
    )
    return (count > 0).astype(float)


@cache
def bundled_fomc_statements() -> pd.DatetimeIndex:
    """Scheduled FOMC statement dates shipped with the project (``analytics/data``).

    Public facts from the Federal Reserve's meeting calendars: the statement day of every
    scheduled meeting (unscheduled meetings and conference calls are not included).
    """
    text = resources.files("analytics").joinpath("data/fomc_scheduled_statements.csv")
    with text.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, comment="#")
    return pd.DatetimeIndex(pd.to_datetime(frame["statement_date"]), name="date")
