"""The daily sentiment gauge: golden values worked out by hand on a small fixture, its agreement
with the weekly gauge on decision dates, the stale-data boundary, lookbacks over holidays, and
what it says in March 2025 on the reference data."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.calendar import decision_calendar, nyse_sessions
from analytics.engine import evaluate
from analytics.gauge import (
    clock_of_session,
    component_scores,
    daily_gauge,
    daily_gauge_detail,
    gauge_lookbacks,
    model_gauge,
    sentiment_gauge,
    weekday_clock,
)
from data_sources.folder import FolderSource

APP_FIXTURE = Path(__file__).parents[1] / "fixtures" / "app"
TWO = {"naaim": +1, "vix_curve": -1}  # a weekly survey (greed-up) and a daily ratio (fear-up)
NAAIM_WEDNESDAYS = pd.date_range("2024-01-03", "2024-02-28", freq="W-WED")
NAAIM_VALUES = [40.0, 10.0, 30.0, 20.0, 60.0, 0.0, 50.0, 10.0, 30.0]
SPIKE = pd.Timestamp("2024-03-13")  # a Wednesday: VIX 30 against VIX3M 20 on that day only


def _frame(index: pd.DatetimeIndex, **columns: object) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.DatetimeIndex(index, name="date"))


@pytest.fixture(scope="module")
def series() -> dict[str, pd.DataFrame]:
    """SPY flat at 100 (the clock), VIX3M 20 and VIX 20 except 30 on ``SPIKE``, NAAIM weekly on
    Wednesdays until 2024-02-28, over the NYSE sessions 2024-01-02 … 2024-04-05."""
    days = nyse_sessions(pd.Timestamp("2024-01-02"), pd.Timestamp("2024-04-05"))
    vix = np.where(days == SPIKE, 30.0, 20.0)
    return {
        "yahoo:SPY": _frame(days, close=100.0, adj_close=100.0),
        "yahoo:^VIX": _frame(days, close=vix),
        "yahoo:^VIX3M": _frame(days, close=20.0),
        "naaim:exposure": _frame(NAAIM_WEDNESDAYS, value=NAAIM_VALUES),
    }


@pytest.fixture(scope="module")
def detail(series):
    return daily_gauge_detail(series, components=TWO, window=4, min_periods=2)


# By hand. NAAIM 4-week means from the 4th survey: 25, 30, 27.5, 32.5, 30, 22.5, then the last
# survey (30) carried forward: 30 (wk 10), 25 (wk 11), 30 (wk 12). Every weekday's clock sees one
# survey per week, so the score changes on Wednesdays (the survey day) and holds until Tuesday.
# Rank of the newest among the last 4 (ties averaged): wk5 [25,30] -> 2/2 = 100; wk6 [25,30,27.5]
# -> 2/3; wk7 -> 4/4; wk8 [30,27.5,32.5,30] -> 2.5/4; wk9 [27.5,32.5,30,22.5] -> 1/4;
# wk10 [32.5,30,22.5,30] -> 2.5/4; wk11 [30,22.5,30,25] -> 2/4; wk12 [22.5,30,25,30] -> 3.5/4.
# VIX/VIX3M is 1 on every day but SPIKE (1.5): its 4-week mean on Wednesday clocks is 1.125 on
# SPIKE and SPIKE + 7, 1 elsewhere; fear-up, so score = 100 − rank: four equal values -> 100 −
# 2.5/4 = 37.5; SPIKE [1,1,1,1.125] -> 100 − 100 = 0; SPIKE + 7 [1,1,1.125,1.125] -> 100 − 87.5.
GOLDEN = {
    # day: (naaim score, vix_curve score, gauge)
    "2024-02-02": (100.0, 25.0, 62.5),  # Friday: VIX has 2 weekly means (1, 1): 100 − 1.5/2
    "2024-02-07": (200 / 3, 100 - 200 / 3, 50.0),  # Wednesday: week 6's survey arrives
    "2024-02-08": (200 / 3, 100 - 200 / 3, 50.0),
    "2024-02-13": (200 / 3, 37.5, (200 / 3 + 37.5) / 2),  # Tuesday: still week 6's survey
    "2024-02-14": (100.0, 37.5, 68.75),
    "2024-03-12": (62.5, 37.5, 50.0),
    "2024-03-13": (50.0, 0.0, 25.0),  # the VIX spike, seen the same day
    "2024-03-14": (50.0, 37.5, 43.75),  # Thursday's clock: Thursdays' ratios are all 1
    "2024-03-15": (50.0, 37.5, 43.75),  # Friday: what the weekly gauge says
    "2024-03-20": (87.5, 12.5, 50.0),  # NAAIM 21 days old: still counted
}


@pytest.mark.parametrize(("day", "expected"), GOLDEN.items())
def test_golden_values_by_hand(detail, day: str, expected: tuple[float, float, float]) -> None:
    row = detail.scores.loc[pd.Timestamp(day)]
    assert [row["naaim"], row["vix_curve"], row["score"]] == pytest.approx(list(expected))


def test_daily_gauge_is_the_score_table(series, detail) -> None:
    table = daily_gauge(series, components=TWO, window=4, min_periods=2)
    assert list(table.columns) == ["score", "naaim", "vix_curve"]
    pd.testing.assert_frame_equal(table, detail.scores)


def test_every_nyse_session_has_a_row(series, detail) -> None:
    sessions = nyse_sessions(pd.Timestamp("2024-01-02"), pd.Timestamp("2024-04-05"))
    assert detail.scores.index.equals(sessions.rename("decision_date"))
    assert pd.Timestamp("2024-03-29") not in detail.scores.index  # Good Friday


def test_stale_boundary_exactly_at_max_age_kept_one_day_more_dropped(detail) -> None:
    # NAAIM's maximum age: 3 × 7 days + no lag = 21; the last survey is dated 2024-02-28.
    kept = detail.on(pd.Timestamp("2024-03-20"))  # 21 days later
    dropped = detail.on(pd.Timestamp("2024-03-21"))  # 22 days later
    naaim_kept = next(c for c in kept.components if c.id == "naaim")
    naaim_dropped = next(c for c in dropped.components if c.id == "naaim")
    assert naaim_kept.status == "scored" and naaim_kept.score == pytest.approx(87.5)
    assert naaim_dropped.status == "stale" and np.isnan(naaim_dropped.score)
    assert naaim_dropped.reading == pytest.approx(30.0)  # shown, but not scored or counted
    assert naaim_dropped.observed == pd.Timestamp("2024-02-28")
    assert "22 days old; the limit is 21 days" in naaim_dropped.reason
    assert dropped.value == pytest.approx(37.5)  # the gauge is VIX's score alone
    assert (dropped.available, dropped.total) == (1, 2)
    assert dropped.summary() == "1 of 2 readings (NAAIM exposure: stale)"
    assert kept.summary() == "2 of 2 readings"


def test_component_cards_carry_reading_unit_date_and_band(detail) -> None:
    reading = detail.on(pd.Timestamp("2024-03-13"))
    vix = next(c for c in reading.components if c.id == "vix_curve")
    assert (vix.name, vix.unit, vix.observed) == ("VIX term structure", "ratio", SPIKE)
    assert vix.reading == pytest.approx(1.125)
    assert (vix.score, vix.band) == (0.0, "Extreme Fear")
    naaim = next(c for c in reading.components if c.id == "naaim")
    assert naaim.reading == pytest.approx(25.0) and naaim.band == "Neutral"  # week 11, 50
    assert reading.band == "Fear"  # 25


def test_too_little_history_is_unavailable_with_the_reason(detail) -> None:
    early = detail.on(pd.Timestamp("2024-01-26"))  # one weekly mean of each: nothing to rank
    assert np.isnan(early.value) and early.band == ""
    assert {c.status for c in early.components} == {"unavailable"}
    assert all("fewer than 2 weekly readings" in c.reason for c in early.components)
    first = detail.on(pd.Timestamp("2024-01-02"))
    assert "not enough" in next(c for c in first.components if c.id == "vix_curve").reason


def test_data_ending_midweek_reads_the_last_day_on_its_own_clock(series) -> None:
    cut = {key: frame.loc[:"2024-03-13"] for key, frame in series.items()}  # a Wednesday
    table = daily_gauge(cut, components=TWO, window=4, min_periods=2)
    assert table.index[-1] == SPIKE
    assert list(table.loc[SPIKE]) == pytest.approx([25.0, 50.0, 0.0])  # as with all the data


def test_daily_equals_weekly_on_every_decision_date(series, detail) -> None:
    model = evaluate(series)
    readings = model.readings()[list(TWO)]
    available = pd.DataFrame({key: model.indicators[key].available for key in TWO})
    weekly = sentiment_gauge(readings.where(available), TWO, window=4, min_periods=2)
    daily = detail.scores["score"].reindex(weekly.index)
    pd.testing.assert_series_equal(daily, weekly, check_names=False)
    assert pd.Timestamp("2024-03-28") in weekly.index  # Thursday before Good Friday included


def test_daily_equals_model_gauge_with_default_window() -> None:
    series = FolderSource(APP_FIXTURE).load_many()  # 2021-01 … 2024-06: SPY and VIX
    model = evaluate(series)
    daily = daily_gauge(series)["score"]
    fridays = model.calendar.index[-60:]
    values = [model_gauge(model, friday).value for friday in fridays]
    assert daily.reindex(fridays).to_numpy() == pytest.approx(values)
    assert not np.isnan(values).any()
    # between Fridays the gauge moves with the daily closes
    assert daily.loc["2024-06-24":"2024-06-27"].nunique() > 1


def test_clocks_match_the_models_calendar() -> None:
    sessions = nyse_sessions(pd.Timestamp("2024-01-02"), pd.Timestamp("2024-04-19"))
    last = pd.Timestamp("2024-04-05")
    friday = weekday_clock(sessions, last, 4)
    pd.testing.assert_frame_equal(friday, decision_calendar(sessions[sessions <= last]))
    wednesday = weekday_clock(sessions, last, 2)
    assert set(wednesday.index.day_of_week) == {2}  # no Wednesday holiday in this span
    assert wednesday.at[pd.Timestamp("2024-03-27"), "trade_date"] == pd.Timestamp("2024-03-28")
    monday = weekday_clock(sessions, last, 0)
    assert pd.Timestamp("2024-01-12") in monday.index  # MLK Monday 15th: the Friday before
    which = pd.Series(clock_of_session(sessions), index=sessions)
    assert which[pd.Timestamp("2024-03-28")] == 4  # Thursday before Good Friday: the model's
    assert which[pd.Timestamp("2024-03-27")] == 2
    assert which[pd.Timestamp("2024-01-16")] == 1


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Monday after Good Friday 2024: previous close is Thursday
        ("2024-04-01", ["2024-03-28", "2024-03-25", "2024-03-01", "2023-03-31"]),
        # a week after MLK day 2025 (closed), a year after a Saturday
        ("2025-01-27", ["2025-01-24", "2025-01-17", "2024-12-27", "2024-01-26"]),
        # the day after the national day of mourning (2025-01-09, closed)
        ("2025-01-10", ["2025-01-08", "2025-01-03", "2024-12-10", "2024-01-10"]),
        # after Christmas 2024; 1 month back is a session
        ("2024-12-26", ["2024-12-24", "2024-12-19", "2024-11-26", "2023-12-26"]),
    ],
)
def test_lookbacks_fall_back_to_the_previous_session(day: str, expected: list[str]) -> None:
    sessions = nyse_sessions(pd.Timestamp("2022-12-01"), pd.Timestamp("2025-02-28"))
    score = pd.Series(np.linspace(0, 100, len(sessions)), index=sessions)
    lookbacks = gauge_lookbacks(score, pd.Timestamp(day))
    assert [x.label for x in lookbacks] == [
        "Previous close",
        "1 week ago",
        "1 month ago",
        "1 year ago",
    ]
    assert [x.day for x in lookbacks] == [pd.Timestamp(d) for d in expected]
    for lookback in lookbacks:
        assert lookback.value == pytest.approx(score[lookback.day])


def test_lookback_before_the_history_is_blank(detail) -> None:
    reading = detail.on(pd.Timestamp("2024-03-13"))
    year = next(x for x in reading.lookbacks if x.label == "1 year ago")
    assert np.isnan(year.value) and year.band == ""
    week = next(x for x in reading.lookbacks if x.label == "1 week ago")
    assert week.day == pd.Timestamp("2024-03-06") and week.value == pytest.approx(50.0)


# ---- the reference data ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference(shared_data_dir):
    series = FolderSource(shared_data_dir).load_many()
    return series, daily_gauge_detail(series)


@pytest.mark.shared_data
def test_march_2025_on_the_reference_data(reference) -> None:
    series, detail = reference
    score = detail.scores["score"]
    on_12th = detail.on(pd.Timestamp("2025-03-12"))
    assert on_12th.day == pd.Timestamp("2025-03-12")
    assert on_12th.value == pytest.approx(34.134615, abs=1e-5)
    assert on_12th.band == "Fear" and on_12th.available == 8
    # the weekly gauge could only show the Friday before: 38.75
    assert model_gauge(evaluate(series), pd.Timestamp("2025-03-12")).value == pytest.approx(38.75)
    march = score.loc["2025-03-01":"2025-03-31"]
    assert march.loc["2025-03-20"] == pytest.approx(24.519231, abs=1e-5)  # rounds to 25: Fear
    extreme = march[march.round() <= 24]
    assert extreme.index[0] == pd.Timestamp("2025-03-27")
    assert march.loc["2025-03-27"] == pytest.approx(22.788462, abs=1e-5)


@pytest.mark.shared_data
def test_reference_readings_recomputed_by_hand(reference) -> None:
    """Two cards of 2025-03-12 from the raw series: the Wednesday clock's 4-week means."""
    series, detail = reference
    cards = {c.id: c for c in detail.on(pd.Timestamp("2025-03-12")).components}
    wednesdays = pd.DatetimeIndex(["2025-02-19", "2025-02-26", "2025-03-05", "2025-03-12"])
    aaii = series["aaii:sentiment"]
    spread = (aaii["bullish"] - aaii["bearish"]).loc["2025-02-13":"2025-03-06"]
    assert len(spread) == 4  # the Thursday surveys published by each of those Wednesdays
    assert cards["aaii"].reading == pytest.approx(spread.mean())
    assert cards["aaii"].observed == pd.Timestamp("2025-03-06")
    price = series["yahoo:SPY"]["adj_close"]
    year_ago = [price.loc[: d - pd.DateOffset(years=1)].iloc[-1] for d in wednesdays]
    returns = 100 * (price.loc[wednesdays].to_numpy() / np.array(year_ago) - 1)
    assert cards["momentum"].reading == pytest.approx(returns.mean())


@pytest.mark.shared_data
def test_reference_daily_equals_weekly_and_is_fast(reference) -> None:
    series, detail = reference
    model = evaluate(series)
    readings = model.readings()
    available = pd.DataFrame({key: r.available for key, r in model.indicators.items()})
    weekly = component_scores(readings.where(available)).mean(axis=1)
    daily = detail.scores["score"].reindex(weekly.index)
    assert np.allclose(daily, weekly, equal_nan=True, atol=1e-9)
    sessions = nyse_sessions(pd.Timestamp("1993-01-29"), model.calendar.index[-1])
    assert len(detail.scores) == len(sessions)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        daily_gauge(series)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 1.0, timings
