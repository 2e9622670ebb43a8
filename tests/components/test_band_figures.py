"""Cash and invested periods are drawn as ONE filled trace per plot row (``fill="toself"``, None
breaks) on a hidden 0–1 axis overlaying the row, not one layout shape per band; multi-decade
daily lines are drawn weekly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.backtest import BacktestSettings, backtest_model
from analytics.model import evaluate
from components.figures import (
    CASH_BANDS,
    INVESTED_BANDS,
    composite_figure,
    equity_figure,
    indicator_figure,
    regimes_figure,
    shaded_bands,
    weekly_points,
)
from data_sources.folder import FolderSource

FIXTURE = Path(__file__).parents[2] / "tests" / "fixtures" / "app"


def cash_runs(position: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Independent of the figure code: walk the days; a run of 0 starts on its first day and
    ends on the first day invested again (or on the last day when it lasts to the end)."""
    runs, start = [], None
    dates = list(position.index)
    for i, (day, value) in enumerate(zip(dates, position.to_numpy(), strict=True)):
        if value == 0 and start is None:
            start = day
        if value != 0 and start is not None:
            runs.append((start, day))
            start = None
        if i == len(dates) - 1 and start is not None:
            runs.append((start, day))
    return runs


def band_traces(fig: go.Figure) -> list[Any]:
    """The band traces, after checking each one's hidden axis still spans 0–1 linearly (a log
    scale or range set on every y axis would move the bands or hide them)."""
    traces = [t for t in fig.data if t.fill == "toself"]
    for trace in traces:
        axis = fig.layout[f"yaxis{trace.yaxis.removeprefix('y')}"]
        assert axis.type in (None, "-", "linear"), axis.type
        assert tuple(axis.range) == (0, 1) and axis.visible is False
    return traces


def test_a_small_position_gives_one_trace_with_exact_rectangles() -> None:
    days = pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"])
    position = pd.Series([1.0, 0.0, 0.0, 1.0, 0.0], index=days)
    equity = pd.Series([100.0, 101, 102, 103, 104], index=days)
    fig = equity_figure(equity, equity, position, "Title", "Source")
    (trace,) = band_traces(fig)
    d1, d3, d4 = days[1], days[3], days[4]
    assert list(pd.to_datetime(pd.Series(trace.x)).tolist()) == [
        d1, d1, d3, d3, d1, pd.NaT, d4, d4, d4, d4, d4,
    ]  # fmt: skip
    assert list(trace.y) == [0, 1, 1, 0, 0, None, 0, 1, 1, 0, 0]
    assert shaded_bands(fig, CASH_BANDS) == [(d1, d3), (d4, d4)]
    assert fig.layout.shapes == ()
    axis = fig.layout[f"yaxis{trace.yaxis.removeprefix('y')}"]
    assert axis.visible is False
    assert tuple(axis.range) == (0, 1) and axis.overlaying == "y"
    assert trace.hoverinfo == "skip" and trace.showlegend is False
    assert "In cash (shaded)" in [t.name for t in fig.data]  # the legend keeps its square


def test_always_invested_draws_no_band() -> None:
    days = pd.bdate_range("2024-01-01", periods=5)
    ones = pd.Series(1.0, index=days)
    fig = equity_figure(ones * 100, ones * 100, ones, "Title", "Source")
    assert band_traces(fig) == [] and fig.layout.shapes == ()


def test_fomc_drift_cash_periods_in_the_chart_equal_those_of_its_signal() -> None:
    series = FolderSource(FIXTURE).load_many()
    model = evaluate(series)
    end = model.calendar.index[-1]
    result = backtest_model(model, series, BacktestSettings(end=end), ids=["fomc_drift"])[
        "fomc_drift"
    ]
    reading = model.indicators["fomc_drift"].reading
    fig = indicator_figure(
        result.equity, result.benchmark, result.position, reading, 0.5, "FOMC", "on", "Fed", end
    )
    expected = cash_runs(result.position)
    assert len(expected) > 5  # the rule moves in and out around every meeting
    assert shaded_bands(fig, CASH_BANDS) == expected
    assert fig.layout.shapes == ()
    # one trace per row, each overlaying its row: the equity's and the reading's
    equity_band, reading_band = band_traces(fig)
    assert equity_band.x == reading_band.x and equity_band.y == reading_band.y
    overlaid = [
        fig.layout[f"yaxis{t.yaxis.removeprefix('y')}"].overlaying for t in band_traces(fig)
    ]
    assert overlaid == ["y", "y2"]
    assert (equity_band.xaxis, reading_band.xaxis) == ("x", "x2")


def test_composite_shades_the_weeks_strictly_above_the_threshold() -> None:
    weeks = pd.date_range("2024-01-05", periods=6, freq="W-FRI")
    composite = pd.Series([0.5, 0.7, 0.6, 0.61, 0.8, 0.2], index=weeks)
    fig = composite_figure(composite, pd.DataFrame(index=weeks), 0.6, "C", "S", weeks[-1])
    # 0.6 is not above 0.6: invested weeks 2 and 4–5
    assert shaded_bands(fig, INVESTED_BANDS) == [(weeks[1], weeks[2]), (weeks[3], weeks[5])]
    assert len(band_traces(fig)) == 1


def test_regimes_uptrend_band_sits_along_the_bottom() -> None:
    days = pd.bdate_range("2020-01-01", periods=10)
    close = pd.Series(np.arange(100.0, 110.0), index=days)
    bull = pd.Series([False] * 2 + [True] * 8, index=days)
    up = pd.Series([False] * 5 + [True] * 3 + [False] * 2, index=days)
    fig = regimes_figure(close, bull, up, "R", "S", "Bull market")
    assert shaded_bands(fig, "bull markets") == [(days[2], days[9])]
    assert shaded_bands(fig, "investable uptrends") == [(days[5], days[8])]
    (uptrend,) = [t for t in fig.data if t.name == "investable uptrends"]
    assert max(y for y in uptrend.y if y is not None) == 0.06
    traces = band_traces(fig)
    assert traces[0].yaxis == traces[1].yaxis  # one hidden axis for both


def test_weekly_points_keep_each_weeks_last_close_on_its_own_day() -> None:
    days = pd.bdate_range("2000-01-03", "2010-12-31")
    values = pd.Series(np.arange(len(days), dtype=float), index=days)
    weekly = weekly_points(values)
    # every Friday of the range is a business day here, so each week ends on its Friday
    fridays = days[days.day_of_week == 4]
    assert list(weekly.index) == list(fridays)
    assert (weekly == values.loc[fridays]).all()
    # a series ending mid-week keeps its last day, and the value of that day
    shorter = values.loc[:"2010-12-29"]
    assert shorter.index[-1].day_of_week == 2
    assert weekly_points(shorter).index[-1] == pd.Timestamp("2010-12-29")
    assert weekly_points(shorter).iloc[-1] == shorter.iloc[-1]


@pytest.mark.parametrize(
    ("days", "thinned"),
    [(3 * 365, False), (3 * 365 + 7, True)],
)
def test_weekly_points_only_beyond_three_years(days: int, thinned: bool) -> None:
    index = pd.date_range("2001-01-01", periods=days + 1, freq="D")
    values = pd.Series(1.0, index=index)
    assert (len(weekly_points(values)) < len(values)) is thinned


def test_weekly_points_leave_weekly_data_alone() -> None:
    weeks = pd.date_range("1990-01-05", periods=2000, freq="W-FRI")
    values = pd.Series(np.arange(2000.0), index=weeks)
    pd.testing.assert_series_equal(weekly_points(values), values)


def test_week_ends_agree_with_pandas_weekly_resampling() -> None:
    rng = np.random.default_rng(7)
    days = pd.date_range("1993-01-01", "2025-12-31", freq="D")
    kept = days[rng.random(len(days)) < 0.6]  # weekends, holidays and gaps of any length
    values = pd.Series(rng.random(len(kept)), index=kept)
    oracle = values.resample("W-FRI").last().dropna()
    thinned = weekly_points(values)
    assert thinned.to_numpy().tolist() == oracle.to_numpy().tolist()
    # each point keeps its own date: the last date of its week on or before that Friday
    assert (thinned.index <= oracle.index).all()
    assert (oracle.index - thinned.index < pd.Timedelta(days=7)).all()
