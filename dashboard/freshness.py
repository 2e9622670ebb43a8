"""How old the newest market close is, in NYSE trading sessions (pure pandas, no Streamlit).

The sessions come from :func:`analytics.calendar.nyse_sessions` (the XNYS calendar of
``exchange_calendars``: holidays by rule and one-off closures such as 2001-09-11…14 and national
days of mourning), the one home of the NYSE's calendar in this project.

Rule: a store is **stale** when more than ``STALE_AFTER_SESSIONS`` (3) NYSE sessions lie strictly
between the newest close and today. Today's own session is not counted (its close may not exist
yet), so a Friday close is fresh through Thursday and stale from the Friday after.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeAlias

import pandas as pd

from analytics.calendar import nyse_sessions

STALE_AFTER_SESSIONS = 3
MARKET_KEYS = ("yahoo:SPY", "yahoo:^GSPC")

DateLike: TypeAlias = str | date | datetime | pd.Timestamp


def sessions_between(last_close: DateLike, today: DateLike) -> int:
    """The number of NYSE sessions d with ``last_close < d < today`` (0 when today is not later).

    Example: last close Friday 2024-06-28, today Monday 2024-07-08 → 1, 2, 3, 5 July = 4
    (4 July is a holiday).
    """
    start = pd.Timestamp(last_close).normalize() + pd.Timedelta(days=1)
    end = pd.Timestamp(today).normalize() - pd.Timedelta(days=1)
    if end < start:
        return 0
    return len(nyse_sessions(start, end))


def is_stale(last_close: DateLike, today: DateLike) -> bool:
    """True when more than ``STALE_AFTER_SESSIONS`` sessions are missing after ``last_close``."""
    return sessions_between(last_close, today) > STALE_AFTER_SESSIONS


def newest_market_close(lasts: dict[str, pd.Timestamp | None]) -> pd.Timestamp | None:
    """The last close of the model's weekly clock among ``lasts`` (key → last date): SPY's when
    SPY is stored, else the S&P 500 index's (the clock's own order, ``analytics.engine``). An
    index that runs on after SPY stopped does not make the model's data any newer."""
    for key in MARKET_KEYS:
        last = lasts.get(key)
        if last is not None:
            return pd.Timestamp(last)
    return None


def days_old(last: DateLike | None, today: DateLike) -> int | None:
    """Whole calendar days from the last observation to today (None without one); 0 for a date
    after today (a series dated ahead, or a frozen ``INVESTABLE_TODAY``): never negative."""
    if last is None:
        return None
    return max(0, int((pd.Timestamp(today).normalize() - pd.Timestamp(last).normalize()).days))
