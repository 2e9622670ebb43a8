"""The weekly decision clock on the NYSE's own sessions, and the three calendar rules (SPEC 1, 2).

Sessions come from the XNYS calendar of ``exchange_calendars`` (holidays and unscheduled
closures such as 2001-09-11…14, 2012-10-29/30 and national days of mourning), not from the days
that happen to be in the data; it agrees exactly with SPY's 8,395 sessions 1993-01-29 … 2026.

* Decision date: the last NYSE session of each calendar week (Monday–Sunday), normally Friday,
  Thursday when Friday is a holiday (Good Friday, 4 July, Christmas, …).
* Trade date: the first NYSE session after the decision date, normally Monday, Tuesday after a
  Monday holiday. It is known from the calendar before its prices exist.
* A week counts once the data reaches its decision date. Data ending on a Thursday before Good
  Friday completes that week (the model run that evening would decide on Thursday's close: the
  exchange had announced the holiday); data ending on a Wednesday leaves the week out, so the
  as-of view of a Wednesday is the model's view of the week before.
"""

from __future__ import annotations

import warnings
from functools import cache
from importlib import resources

import exchange_calendars
import numpy as np
import pandas as pd

from analytics.errors import NotEnoughData

FRIDAY = 4
BEST_SIX_MONTHS = frozenset({11, 12, 1, 2, 3, 4})
BLACKOUT_DAYS = 35
REPORTING_MONTHS = (1, 4, 7, 10)
EXCHANGE = "XNYS"
CALENDAR_START = "1885-01-01"
# Sessions fetched past the newest data day: enough for a trade date after any holiday run.
LOOKAHEAD_DAYS = 14


@cache
def _nyse() -> exchange_calendars.ExchangeCalendar:
    """The XNYS calendar, built once (0.15 s). exchange_calendars 4.13 reads ``Series.values``
    of tz-aware data while building it, which pandas 3.1 deprecates; that warning is upstream's
    and silenced here only."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        return exchange_calendars.get_calendar(EXCHANGE, start=CALENDAR_START)


def nyse_sessions(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """The NYSE sessions from ``start`` to ``end`` (both included, dates without time)."""
    calendar = _nyse()
    if end > calendar.last_session:
        raise NotEnoughData(
            f"the NYSE calendar of exchange_calendars ends on {calendar.last_session.date()}; "
            f"update the package to go past it (asked for {end.date()})"
        )
    first = max(pd.Timestamp(start), calendar.first_session)
    sessions = calendar.sessions_in_range(first, end)
    return pd.DatetimeIndex(sessions.tz_localize(None), name="date")


def decision_calendar(days_in_data: pd.DatetimeIndex) -> pd.DataFrame:
    """Decision dates (index ``decision_date``) and their trade dates (column ``trade_date``).

    The clock spans the data: the NYSE sessions from the first to the last day of
    ``days_in_data`` (only those two days are read). Decision dates are the last session of each
    week up to the newest data day; every trade date is the next session, known in advance.
    """
    days = pd.DatetimeIndex(days_in_data)
    if len(days) == 0:
        return _empty_calendar()
    first, last = days.min().normalize(), days.max().normalize()
    sessions = nyse_sessions(first, last + pd.Timedelta(days=LOOKAHEAD_DAYS))
    week = sessions.to_period("W-SUN")
    is_last_of_week = np.r_[week[1:] != week[:-1], True]
    decisions = sessions[is_last_of_week & (sessions <= last)]
    if len(decisions) == 0:
        return _empty_calendar()
    trade = sessions[sessions.searchsorted(decisions, side="right")]
    return pd.DataFrame(
        {"trade_date": pd.DatetimeIndex(trade)},
        index=pd.DatetimeIndex(decisions, name="decision_date"),
    )


def _empty_calendar() -> pd.DataFrame:
    index = pd.DatetimeIndex([], name="decision_date")
    return pd.DataFrame({"trade_date": pd.DatetimeIndex([])}, index=index)


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
def fomc_meetings() -> pd.DataFrame:
    """FOMC statement days shipped with the project (``analytics/data/fomc_meetings.csv``).

    Index ``date``; column ``status``: ``scheduled`` (on the calendar published in advance and
    held), ``cancelled`` (on that calendar, not held: 17–18 March 2020, replaced by the
    unscheduled meeting of Sunday 15 March) or ``unscheduled`` (intermeeting meetings and
    conference calls that ended with a policy statement). Public facts from the Federal
    Reserve's meeting calendars.
    """
    text = resources.files("analytics").joinpath("data/fomc_meetings.csv")
    with text.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, comment="#", parse_dates=["date"])
    frame = frame.set_index("date").sort_index()
    return frame


def bundled_fomc_statements() -> pd.DatetimeIndex:
    """The statement days of the scheduled FOMC meetings that were held (the drift rule's input).

    Cancelled and unscheduled meetings are left out: the pre-FOMC drift is a pattern ahead of
    announcements known in advance.
    """
    meetings = fomc_meetings()
    scheduled = meetings.index[meetings["status"] == "scheduled"]
    return pd.DatetimeIndex(scheduled, name="date")
