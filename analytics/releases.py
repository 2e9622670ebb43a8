"""Publication rules: from an observation's date to the first date the model may use it.

Daily and weekly data: ``observation date + lag_days``. Monthly data for month M (dated the 1st):
either a fixed day of month M+k (``day``), or the n-th / last given weekday of month M+k
(``weekday`` with ``nth``; ``nth = -1`` is the last). Examples (SPEC section 1):

* unemployment rate: first Friday of M+1 → ``Release(months_after=1, weekday=4, nth=1)``
* retail sales: M+1 day 15 → ``Release(months_after=1, day=15)``
* Case-Shiller: last Tuesday of M+2 → ``Release(months_after=2, weekday=1, nth=-1)``
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.errors import InvalidSetting

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


@dataclass(frozen=True)
class Release:
    """When an observation becomes usable (see the module docstring)."""

    lag_days: int = 0
    months_after: int | None = None
    day: int | None = None
    weekday: int | None = None
    nth: int | None = None

    def __post_init__(self) -> None:
        if self.lag_days < 0:
            raise InvalidSetting(f"a publication lag cannot be negative (got {self.lag_days} days)")
        if self.months_after is not None:
            if self.months_after < 0:
                raise InvalidSetting("months_after cannot be negative")
            if (self.day is None) == (self.weekday is None):
                raise InvalidSetting("a monthly release needs either a day or a weekday")
            if self.day is not None and not 1 <= self.day <= 28:
                raise InvalidSetting(f"release day must be 1..28 (got {self.day})")
            if self.weekday is not None and (
                not 0 <= self.weekday <= 6 or self.nth not in ORDINALS
            ):
                raise InvalidSetting("a weekday release needs weekday 0..6 and nth 1..4 or -1")

    @property
    def monthly(self) -> bool:
        return self.months_after is not None

    @property
    def nominal_lag_days(self) -> int:
        """Typical days from the observation date to its release (used for the maximum age)."""
        if not self.monthly:
            return self.lag_days
        reference = pd.DatetimeIndex([pd.Timestamp("2001-01-01")])
        return int((self.dates(reference)[0] - reference[0]).days)

    def dates(self, observed: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """Release date of each observation (monotonic when ``observed`` is)."""
        if self.months_after is None:
            return observed + pd.Timedelta(days=self.lag_days)
        months = observed.to_period("M") + self.months_after
        first = months.to_timestamp(how="start")
        if self.day is not None:
            return first + pd.Timedelta(days=self.day - 1)
        weekday, nth = self.weekday or 0, self.nth or 1
        if nth == -1:
            last = months.to_timestamp(how="end").normalize()
            back = (np.asarray(last.day_of_week) - weekday) % 7
            return pd.DatetimeIndex(last - pd.to_timedelta(back.tolist(), unit="D"))
        ahead = (weekday - np.asarray(first.day_of_week)) % 7
        return pd.DatetimeIndex(first + pd.to_timedelta((ahead + 7 * (nth - 1)).tolist(), unit="D"))

    def describe(self) -> str:
        """The rule in words, e.g. "first Friday of the following month"."""
        if not self.monthly:
            return "the same day" if self.lag_days == 0 else f"{self.lag_days} days after its date"
        month = {1: "the following month", 0: "the same month"}.get(
            self.months_after or 0, f"month M+{self.months_after}"
        )
        if self.day is not None:
            return f"day {self.day} of {month}"
        return f"{ORDINALS[self.nth or 1]} {WEEKDAYS[self.weekday or 0]} of {month}"
