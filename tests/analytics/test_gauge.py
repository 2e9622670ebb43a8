"""Sentiment gauge, with percentile ranks worked out by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.gauge import (
    band,
    component_names,
    component_scores,
    gauge_as_of,
    model_gauge,
    sentiment_gauge,
)
from analytics.model import evaluate
from data_sources.folder import FolderSource

WEEKS = pd.date_range("2024-01-05", periods=5, freq="W-FRI")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "Extreme Fear"),
        (24.4, "Extreme Fear"),
        (24.5, "Fear"),  # rounds to 25
        (44, "Fear"),
        (45, "Neutral"),
        (55, "Neutral"),
        (56, "Greed"),
        (75, "Greed"),
        (76, "Extreme Greed"),
        (100, "Extreme Greed"),
        (float("nan"), ""),
    ],
)
def test_bands(value: float, expected: str) -> None:
    assert band(value) == expected


def test_component_scores_by_hand() -> None:
    readings = pd.DataFrame({"aaii": [3, 1, 2, 2, 5], "put_call": [3, 1, 2, 2, 5]}, index=WEEKS)
    scores = component_scores(readings, window=4, min_periods=2)
    # rank of the newest among the window, / count:
    # wk1 [3,1] -> 1/2; wk2 [3,1,2] -> 2/3; wk3 [3,1,2,2] -> tied at 2 and 3 -> 2.5/4;
    # wk4 [1,2,2,5] -> 4/4
    expected = [np.nan, 50.0, 200 / 3, 62.5, 100.0]
    np.testing.assert_allclose(scores["aaii"], expected)
    # put/call is fear-up: high ratio = fear, so the score is 100 minus the rank
    np.testing.assert_allclose(scores["put_call"], [np.nan, 50.0, 100 / 3, 37.5, 0.0])
    gauge = sentiment_gauge(readings, window=4, min_periods=2)
    np.testing.assert_allclose(gauge, [np.nan, 50.0, 50.0, 50.0, 50.0])


def test_missing_reading_is_skipped_not_filled() -> None:
    readings = pd.DataFrame({"naaim": [1.0, np.nan, 2.0, 3.0, 0.5]}, index=WEEKS)
    scores = component_scores(readings, window=3, min_periods=2)
    # wk1 is missing; wk2 ranks [1,2] -> 100; wk3 [1,2,3] -> 100; wk4 [2,3,0.5] -> 1/3
    np.testing.assert_allclose(scores["naaim"], [np.nan, np.nan, 100.0, 100.0, 100 / 3])


def test_unknown_columns_are_ignored() -> None:
    readings = pd.DataFrame({"not_a_component": range(5)}, index=WEEKS)
    assert component_scores(readings).columns.tolist() == []
    assert gauge_as_of(readings).band == ""


def test_gauge_as_of_and_lookbacks() -> None:
    weeks = pd.date_range("2020-01-03", periods=120, freq="W-FRI")
    values = np.arange(120, dtype=float)  # each week the highest so far -> 100 (greed)
    values[-1] = -1.0  # the last week is the lowest of all 120 -> rank 1/120
    readings = pd.DataFrame({"momentum": values}, index=weeks)
    reading = gauge_as_of(readings)
    assert reading.date == weeks[-1]
    assert reading.value == pytest.approx(100 / 120)
    assert reading.band == "Extreme Fear"
    assert reading.available == 1 and reading.total == 1
    assert reading.history == pytest.approx(
        {"1 week ago": 100.0, "1 month ago": 100.0, "1 year ago": 100.0}
    )
    # fewer than 52 weeks of history: no gauge yet
    assert np.isnan(gauge_as_of(readings, as_of=weeks[50]).value)
    earlier = gauge_as_of(readings, as_of=weeks[60] + pd.Timedelta(days=3))
    assert earlier.date == weeks[60] and earlier.value == pytest.approx(100.0)
    assert np.isnan(earlier.history["1 year ago"])  # week 8 had no score yet


def test_stale_component_is_not_counted_and_is_named() -> None:
    # Two greed-up components over 5 weeks, window 4 / min 2 is too short for the default
    # settings, so use 60 weeks and the defaults (window 260, min 52).
    weeks = pd.date_range("2020-01-03", periods=60, freq="W-FRI")
    momentum = np.arange(60, dtype=float)  # newest always the highest -> 100 once ranked
    naaim = np.arange(60, dtype=float)[::-1].copy()  # newest always the lowest -> 100 / n
    readings = pd.DataFrame({"momentum": momentum, "naaim": naaim}, index=weeks)
    available = pd.DataFrame(True, index=weeks, columns=readings.columns)
    last = pd.DataFrame({"momentum": weeks, "naaim": weeks})
    last.index = weeks
    # all current: week 60 has 60 readings; momentum 100, naaim 1/60 -> mean (100 + 100/60) / 2
    current = gauge_as_of(readings, None, available, last)
    assert current.value == pytest.approx((100 + 100 / 60) / 2)
    assert current.summary() == "2 of 2 readings" and current.left_out == {}
    # NAAIM stale on the last week: its data is from 183 days earlier; only momentum counts
    available.loc[weeks[-1], "naaim"] = False
    last.loc[weeks[-1], "naaim"] = weeks[-1] - pd.Timedelta(days=183)
    stale = gauge_as_of(readings, None, available, last)
    assert stale.value == pytest.approx(100.0)
    assert stale.available == 1 and stale.total == 2
    assert stale.left_out == {"naaim": "data 183 days old"}
    assert stale.summary({"naaim": "NAAIM"}) == "1 of 2 readings (NAAIM: data 183 days old)"
    # the week before is untouched: still both components
    assert stale.history["1 week ago"] == pytest.approx((100 + 100 / 59) / 2)
    # without availability the stale reading would still be counted (the old behaviour)
    assert gauge_as_of(readings).available == 2


def test_model_gauge_uses_the_models_availability() -> None:
    fixture = Path(__file__).parents[1] / "fixtures" / "app"
    model = evaluate(FolderSource(fixture).load_many())
    reading = model_gauge(model)
    for key in reading.left_out:
        assert not model.indicators[key].available.at[reading.date]
    counted = set(reading.components.index)
    assert all(model.indicators[key].available.at[reading.date] for key in counted)
    assert reading.summary(component_names(model)).startswith(
        f"{reading.available} of {reading.total} readings"
    )
