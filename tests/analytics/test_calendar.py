"""The weekly clock on the NYSE's own sessions (SPEC section 1) and the FOMC calendar."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.calendar import (
    bundled_fomc_statements,
    decision_calendar,
    fomc_meetings,
    nyse_sessions,
)
from analytics.errors import NotEnoughData
from analytics.model import evaluate


def _stamps(*days: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(day) for day in days]


def test_good_friday_week_decides_on_thursday_once_thursday_is_in_the_data() -> None:
    # Good Friday 2024 is 29 March. Data to Thursday 28 March completes that week: the exchange
    # had announced the holiday, so the model run that evening decides on Thursday's close.
    calendar = decision_calendar(pd.bdate_range("2024-03-18", "2024-03-28"))
    assert list(calendar.index) == _stamps("2024-03-22", "2024-03-28")
    assert calendar.at[pd.Timestamp("2024-03-28"), "trade_date"] == pd.Timestamp("2024-04-01")
    # Data to Wednesday 27 March: the week is still in progress.
    earlier = decision_calendar(pd.bdate_range("2024-03-18", "2024-03-27"))
    assert list(earlier.index) == _stamps("2024-03-22")
    # A row dated on the holiday itself (bdate_range has one) changes nothing.
    later = decision_calendar(pd.bdate_range("2024-03-18", "2024-03-29"))
    assert list(later.index) == _stamps("2024-03-22", "2024-03-28")


def test_trade_date_after_a_monday_holiday_is_tuesday_before_its_prices_exist() -> None:
    # Friday 12 Jan 2024, then Martin Luther King Jr. Day on Monday 15 January.
    calendar = decision_calendar(pd.bdate_range("2024-01-08", "2024-01-12"))
    assert list(calendar.index) == _stamps("2024-01-12")
    assert calendar.at[pd.Timestamp("2024-01-12"), "trade_date"] == pd.Timestamp("2024-01-16")
    # Christmas 2024 on Wednesday: the week's decision is still Friday 27 Dec; New Year's Day
    # 2025 on Wednesday: trade date Monday 30 Dec.
    winter = decision_calendar(pd.bdate_range("2024-12-16", "2025-01-03"))
    assert list(winter.index) == _stamps("2024-12-20", "2024-12-27", "2025-01-03")
    assert list(winter["trade_date"]) == _stamps("2024-12-23", "2024-12-30", "2025-01-06")


def test_unscheduled_closures_are_not_sessions() -> None:
    # 11–14 Sep 2001 (attacks), 29–30 Oct 2012 (Hurricane Sandy), 5 Dec 2018 (President Bush),
    # 9 Jan 2025 (President Carter).
    sessions = nyse_sessions(pd.Timestamp("2001-09-10"), pd.Timestamp("2001-09-17"))
    assert list(sessions) == _stamps("2001-09-10", "2001-09-17")
    week = decision_calendar(pd.bdate_range("2001-09-10", "2001-09-21"))
    assert week.at[pd.Timestamp("2001-09-10"), "trade_date"] == pd.Timestamp("2001-09-17")
    for closed in ["2012-10-29", "2012-10-30", "2018-12-05", "2025-01-09"]:
        day = pd.Timestamp(closed)
        assert day not in nyse_sessions(day - pd.Timedelta(days=3), day + pd.Timedelta(days=3))


def test_week_in_progress_and_empty_data() -> None:
    assert decision_calendar(pd.DatetimeIndex([])).empty
    assert decision_calendar(pd.bdate_range("2024-06-03", "2024-06-05")).empty  # Mon–Wed


def test_a_date_past_the_exchange_calendar_is_refused_with_a_reason() -> None:
    with pytest.raises(NotEnoughData, match="NYSE calendar of exchange_calendars ends on"):
        nyse_sessions(pd.Timestamp("2100-01-04"), pd.Timestamp("2100-01-29"))


def test_the_model_acts_on_the_holiday_week_decision_the_evening_it_is_made() -> None:
    # Prices to Thursday 28 March 2024: the newest decision is that Thursday, and it stays the
    # same when Monday 1 April arrives.
    def prices(end: str) -> dict[str, pd.DataFrame]:
        days = pd.bdate_range("2024-03-04", end).drop(pd.Timestamp("2024-03-29"), errors="ignore")
        return {"yahoo:SPY": pd.DataFrame({"close": 100.0, "adj_close": 100.0}, index=days)}

    that_evening = evaluate(prices("2024-03-28")).snapshot()
    a_day_later = evaluate(prices("2024-04-01")).snapshot()
    assert that_evening.decision_date == a_day_later.decision_date == pd.Timestamp("2024-03-28")
    assert that_evening.trade_date == a_day_later.trade_date == pd.Timestamp("2024-04-01")


def test_fomc_meetings_mark_the_cancelled_and_unscheduled_ones() -> None:
    meetings = fomc_meetings()
    assert set(meetings["status"]) == {"scheduled", "cancelled", "unscheduled"}
    march_2020 = meetings.loc["2020-03-01":"2020-03-31", "status"]
    assert march_2020.to_dict() == {
        pd.Timestamp("2020-03-03"): "unscheduled",
        pd.Timestamp("2020-03-15"): "unscheduled",
        pd.Timestamp("2020-03-18"): "cancelled",
    }
    assert meetings.at[pd.Timestamp("2001-09-17"), "status"] == "unscheduled"
    scheduled = bundled_fomc_statements()
    assert pd.Timestamp("2020-03-18") not in scheduled
    assert pd.Timestamp("2020-03-15") not in scheduled
    assert pd.Timestamp("2020-04-29") in scheduled
    assert scheduled.is_monotonic_increasing and scheduled.is_unique
    assert len(scheduled) == int(np.sum(meetings["status"] == "scheduled")) == 263


@pytest.mark.shared_data
def test_nyse_sessions_are_spys_8395_reference_sessions(shared_data_dir: Path) -> None:
    with (shared_data_dir / "yahoo/SPY_adjusted.csv").open(newline="") as handle:
        spy = [date.fromisoformat(row["Date"]) for row in csv.DictReader(handle)]
    assert len(spy) == 8395
    sessions = nyse_sessions(pd.Timestamp(spy[0]), pd.Timestamp(spy[-1]))
    assert [day.date() for day in sessions] == spy


@pytest.mark.shared_data
def test_decision_dates_are_the_last_spy_day_of_each_week(shared_data_dir: Path) -> None:
    """Over SPY's history the clock equals the one inferred from the data wherever the data has
    a later day; holiday Fridays decide on Thursday and Monday holidays trade on Tuesday."""
    with (shared_data_dir / "yahoo/SPY_adjusted.csv").open(newline="") as handle:
        spy = [date.fromisoformat(row["Date"]) for row in csv.DictReader(handle)]
    last_of_week: dict[tuple[int, int], date] = {}
    for day in spy:
        last_of_week[day.isocalendar()[:2]] = day
    expected = sorted(last_of_week.values())
    if expected[-1] == spy[-1] and spy[-1].weekday() != 4:
        expected = expected[:-1]  # the data's newest week may be in progress
    calendar = decision_calendar(pd.DatetimeIndex(spy))
    got = [d.date() for d in calendar.index]
    assert got[: len(expected)] == expected
    following = {day: spy[i + 1] for i, day in enumerate(spy[:-1])}
    trades = calendar["trade_date"]
    for decision in expected[:-1]:
        assert trades.at[pd.Timestamp(decision)].date() == following[decision]
    # The figures: 58 of 1,741 weeks decide before Friday (57 on Thursday, and Monday
    # 10 Sep 2001), and in 221 the trade date is not the next weekday.
    assert len(calendar) == 1741
    assert sum(1 for d in got if d.weekday() != 4) == 58
    guesses = [(pd.Timestamp(d) + pd.offsets.BDay(1)).date() for d in got]
    assert sum(g != t.date() for g, t in zip(guesses, trades, strict=True)) == 221
