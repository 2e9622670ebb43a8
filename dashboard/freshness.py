"""How old the newest market close is, in NYSE trading sessions (pure pandas, no Streamlit).

``analytics.calendar`` derives trading days from the price data itself, which cannot say how many
sessions are *missing* after the last stored close. This module counts them with pandas' holiday
machinery and the NYSE's full-day closures:

* New Year's Day (1 January; on a Sunday the Monday after; on a Saturday no holiday, NYSE rule),
* Martin Luther King Jr. Day (third Monday of January, from 1998),
* Washington's Birthday (third Monday of February),
* Good Friday,
* Memorial Day (last Monday of May),
* Juneteenth (19 June, observed on the nearest weekday, from 2022),
* Independence Day (4 July, nearest weekday),
* Labor Day (first Monday of September),
* Thanksgiving (fourth Thursday of November),
* Christmas (25 December, nearest weekday).

One-off closures (national days of mourning, 9/11, Hurricane Sandy) are not in the rule set; they
only make a store look one session older than it is on those rare days.

Rule: a store is **stale** when more than ``STALE_AFTER_SESSIONS`` (3) NYSE sessions lie strictly
between the newest close and today. Today's own session is not counted (its close may not exist
yet), so a Friday close is fresh through Thursday and stale from the Friday after.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeAlias

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
from pandas.tseries.offsets import CustomBusinessDay

STALE_AFTER_SESSIONS = 3
MARKET_KEYS = ("yahoo:SPY", "yahoo:^GSPC")

DateLike: TypeAlias = str | date | datetime | pd.Timestamp


class NYSEHolidayCalendar(AbstractHolidayCalendar):  # type: ignore[misc]
    """Full-day NYSE closures by rule (see the module docstring)."""

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
        Holiday("Christmas Day", month=12, day=25, observance=nearest_workday),
    ]


NYSE_SESSION = CustomBusinessDay(calendar=NYSEHolidayCalendar())


def sessions_between(last_close: DateLike, today: DateLike) -> int:
    """The number of NYSE sessions d with ``last_close < d < today`` (0 when today is not later).

    Example: last close Friday 2024-06-28, today Monday 2024-07-08 → 1, 2, 3, 5 July = 4
    (4 July is a holiday).
    """
    start = pd.Timestamp(last_close).normalize() + pd.Timedelta(days=1)
    end = pd.Timestamp(today).normalize() - pd.Timedelta(days=1)
    if end < start:
        return 0
    return len(pd.date_range(start, end, freq=NYSE_SESSION))


def is_stale(last_close: DateLike, today: DateLike) -> bool:
    """True when more than ``STALE_AFTER_SESSIONS`` sessions are missing after ``last_close``."""
    return sessions_between(last_close, today) > STALE_AFTER_SESSIONS


def newest_market_close(lasts: dict[str, pd.Timestamp | None]) -> pd.Timestamp | None:
    """The newest last date of SPY or the S&P 500 index among ``lasts`` (key → last date)."""
    found = [pd.Timestamp(lasts[key]) for key in MARKET_KEYS if lasts.get(key) is not None]
    return max(found) if found else None
