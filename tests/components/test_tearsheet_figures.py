"""``components.tearsheet``: weekly thinning with real dates, the heatmap's cells and colours,
legends under the plot, and the worst-drawdowns table as people read it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.tearsheet import tear_sheet
from components.tearsheet import (
    BENCHMARK_NAME,
    drawdown_rows,
    monthly_heatmap,
    rolling_figure,
    short_dates,
    underwater_figure,
    weekly,
    yearly_bars,
)


def _curve(days: int = 600) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(5)
    dates = pd.bdate_range("2021-03-10", periods=days)
    equity = pd.Series(100 * np.cumprod(1 + rng.normal(0.0005, 0.01, days)), index=dates)
    benchmark = pd.Series(100 * np.cumprod(1 + rng.normal(0.0004, 0.012, days)), index=dates)
    return equity, benchmark


def test_weekly_keeps_each_weeks_last_trading_day_with_its_real_date() -> None:
    # Good Friday 2024-03-29 is not a session: that week ends on Thursday 2024-03-28
    dates = pd.DatetimeIndex(
        ["2024-03-20", "2024-03-21", "2024-03-22", "2024-03-25", "2024-03-27", "2024-03-28",
         "2024-04-01", "2024-04-03"]
    )  # fmt: skip
    series = pd.Series(np.arange(8.0), index=dates)
    thin = weekly(series)
    assert list(thin.index) == [dates[0], dates[2], dates[5], dates[7]]  # first day kept
    assert list(thin) == [0.0, 2.0, 5.0, 7.0]
    lows = weekly(pd.DataFrame({"a": [0, -3, -1, -2, -5, -4, 0, -1.0]}, index=dates), how="min")
    assert list(lows.index) == [dates[0], dates[2], dates[5], dates[7]]
    assert list(lows["a"]) == [0.0, -3.0, -5.0, -1.0]
    with pytest.raises(ValueError, match="how must be"):
        weekly(series, how="mean")  # type: ignore[arg-type]


def test_the_heatmap_cells_colours_and_columns() -> None:
    equity, benchmark = _curve()
    sheet = tear_sheet(equity, benchmark, capital=100.0)
    fig = monthly_heatmap(sheet.monthly, "Composite: monthly returns (%)", "test", equity.index[-1])
    months, year = fig.data
    assert list(months.y) == ["2021", "2022", "2023"]  # from the bottom: the newest on top
    assert list(months.x) == [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ] and list(year.x) == ["Year"]
    assert months.text[0][0] == "" and months.text[0][1] == ""  # before the first day
    march = sheet.monthly.loc[2021, "Mar"]
    assert months.text[0][2] == f"{march * 100:.1f}"
    assert months.text[1][0] != "-0.0"
    assert year.text[2][0] == f"{sheet.monthly.loc[2023, 'Year'] * 100:.1f}"
    for trace in (months, year):
        assert trace.zmid == 0
        colours = [stop[1] for stop in trace.colorscale]
        assert colours == ["#b91c1c", "#ffffff", "#15803d"]  # red, white at 0, green
        # no set size: Plotly fits each text to its cell (a set 10 px overlapped at 390 px)
        assert trace.textfont.size is None


def test_legends_sit_under_the_plot_never_over_the_title() -> None:
    equity, benchmark = _curve()
    sheet = tear_sheet(equity, benchmark, capital=100.0)
    as_of = equity.index[-1]
    figures = [
        yearly_bars(sheet.yearly, "12-month momentum", "A long title: yearly returns", "s", as_of),
        underwater_figure(sheet.underwater, "Composite", "Drawdowns", "s", as_of),
        rolling_figure(sheet.rolling, "Composite", "Rolling 12 months", "s", as_of),
    ]
    for fig in figures:
        legend = fig.layout.legend
        assert (legend.orientation, legend.yref, legend.y, legend.yanchor) == (
            "h",
            "container",
            0,
            "bottom",
        )
        assert fig.layout.title.yref == "container" and fig.layout.title.y == 1
        names = [trace.name for trace in fig.data if trace.showlegend is not False]
        assert BENCHMARK_NAME in names
    rolling = figures[2]
    assert len([t for t in rolling.data if t.showlegend is not False]) == 2  # one per side


def test_the_underwater_chart_keeps_the_deepest_day() -> None:
    equity, benchmark = _curve()
    sheet = tear_sheet(equity, benchmark)
    fig = underwater_figure(sheet.underwater, "Composite", "Drawdowns", "s", equity.index[-1])
    strategy = next(trace for trace in fig.data if trace.name == "Composite")
    assert min(strategy.y) == pytest.approx(sheet.drawdowns.loc[1, "depth"] * 100, rel=1e-6)
    assert len(strategy.y) < len(equity) / 4


def test_short_dates_write_whole_days() -> None:
    dates = pd.bdate_range("2024-01-01", periods=3)
    fig = short_dates(go.Figure(go.Scatter(x=dates, y=[1, 2, 3])))
    assert json.loads(fig.to_json())["data"][0]["x"] == ["2024-01-01", "2024-01-02", "2024-01-03"]


def test_drawdown_rows_say_not_recovered() -> None:
    dates = pd.bdate_range("2024-03-04", periods=6)
    equity = pd.Series([100, 104, 98, 104, 91, 99], index=dates, dtype=float)
    rows = drawdown_rows(tear_sheet(equity, equity).drawdowns)
    assert list(rows.columns) == [
        "Peak",
        "Trough",
        "Recovered",
        "Depth",
        "Trading days",
        "Days to recover",
    ]
    assert rows.loc[1].tolist() == ["2024-03-07", "2024-03-08", "not recovered", "-12.5 %", 2,
                                    "not recovered"]  # fmt: skip
    assert rows.loc[2].tolist() == ["2024-03-05", "2024-03-06", "2024-03-07", "-5.8 %", 2, "1"]


def test_a_tiny_loss_shows_as_zero_not_minus_zero() -> None:
    table = pd.DataFrame(
        [[-0.0004, 0.0004, -0.0006, *[np.nan] * 9, -0.0006]],
        index=pd.Index([2024], name="year"),
        columns=["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
                 "Year"],
    )  # fmt: skip
    months, year = monthly_heatmap(table, "t", "s", None).data
    assert list(months.text[0][:4]) == ["0.0", "0.0", "-0.1", ""]
    assert list(year.text[0]) == ["-0.1"]
