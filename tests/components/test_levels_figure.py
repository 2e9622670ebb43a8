"""The Levels chart's specification: level lines, their labels, the volume panel and the legend,
with values worked out by hand and the panel grid checked against Plotly's own make_subplots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from plotly.subplots import make_subplots

from components.levels_figures import BOTTOM, LABEL_PX, TOP, levels_figure

DAYS = pd.bdate_range("2024-01-01", periods=20)
CLOSE = pd.Series(np.linspace(100.0, 119.0, 20), index=DAYS)
LEVELS = pd.DataFrame(
    {
        "name": ["200-day average", "Fibonacci 38.2 %", "Fibonacci 50 %", "Drawdown -10 %"],
        "kind": ["moving_average", "fibonacci", "fibonacci", "drawdown"],
        "value": [105.0, 110.0, 110.5, 107.1],
    }
)
AVERAGES = pd.DataFrame({"200-day average": CLOSE.rolling(5).mean()})
CHANNEL = pd.DataFrame({"upper": CLOSE + 2, "mid": CLOSE, "lower": CLOSE - 2}, index=DAYS)


def bars(volume: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"open": CLOSE - 0.5, "high": CLOSE + 1, "low": CLOSE - 1, "close": CLOSE}, index=DAYS
    )
    frame.iloc[3, frame.columns.get_loc("open")] = 200.0  # one falling day
    if volume:
        frame["volume"] = 1e6
    return frame


def test_each_level_but_the_averages_is_a_line_across_the_price_panel_with_its_label() -> None:
    fig = levels_figure(CLOSE, AVERAGES, CHANNEL, LEVELS, "Levels", "test").to_plotly_json()
    shapes = fig["layout"]["shapes"]
    assert [shape["y0"] for shape in shapes] == [107.1, 110.0, 110.5]  # sorted, no average
    assert {(s["xref"], s["yref"], s["x0"], s["x1"]) for s in shapes} == {("x domain", "y", 0, 1)}
    labels = fig["layout"]["annotations"][:-1]  # the last one is the source
    assert [label["text"] for label in labels] == [
        "Drawdown -10 % 107",
        "Fibonacci 38.2 % 110",
        "Fibonacci 50 % 110",
    ]
    # labels one label's height apart: (119 - 100) * 16 / (580 - 70 - 189) = 0.94704... price
    gap = (119.0 - 100.0) * LABEL_PX / (580 - TOP - BOTTOM)
    assert gap == pytest.approx(0.947040498)
    assert [label["y"] for label in labels] == pytest.approx([107.1, 110.0, 110.0 + gap])
    names = [trace["name"] for trace in fig["data"]]
    assert names == ["Close", "200-day", "Channel", "Channel", "Channel"]
    assert [trace.get("showlegend") for trace in fig["data"][2:]] == [True, False, False]


def test_the_legend_sits_under_the_source_line() -> None:
    layout = levels_figure(CLOSE, AVERAGES, CHANNEL, LEVELS, "Levels", "test").layout
    # plot 580 - 70 - 189 = 321 px; under the source: 34 + 16 * 1 line + 8 = 58 px
    assert layout.legend.y == pytest.approx(-58 / 321)
    assert (layout.legend.yanchor, layout.legend.orientation) == ("top", "h")
    assert (layout.margin.t, layout.margin.b, layout.height) == (70, 189, 580)


def test_candles_with_volume_draw_make_subplots_grid() -> None:
    fig = levels_figure(CLOSE, AVERAGES, CHANNEL, LEVELS, "Levels", "test", bars=bars())
    reference = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.78, 0.22], vertical_spacing=0.03
    )
    for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2"):
        assert fig.layout[axis].domain == pytest.approx(reference.layout[axis].domain)
        assert fig.layout[axis].anchor == reference.layout[axis].anchor
    assert fig.layout.xaxis.matches == "x2" and fig.layout.xaxis.showticklabels is False
    assert fig.layout.yaxis2.domain == pytest.approx((0.0, 0.22 * 0.97))  # 0.2134
    candles, volume = fig.data[0], fig.data[1]
    assert (candles.type, candles.xaxis, candles.yaxis) == ("candlestick", "x", "y")
    assert (volume.type, volume.xaxis, volume.yaxis) == ("bar", "x2", "y2")
    colours = list(volume.marker.color)
    assert colours[3] == "rgba(185, 28, 28, 0.45)"  # the falling day
    assert colours.count("rgba(21, 128, 61, 0.45)") == 19
    assert all(trace.yaxis == "y" for trace in fig.data[2:])  # averages and channel: on top
    for axis in (fig.layout.xaxis, fig.layout.xaxis2):
        assert axis.rangeslider.visible is False
        assert axis.rangebreaks[0].bounds == ("sat", "mon")  # daily candles: no weekends
    assert fig.layout.height == 640


def test_weekly_candles_keep_the_weekends_and_no_volume_means_one_panel() -> None:
    fig = levels_figure(
        CLOSE, AVERAGES, CHANNEL, LEVELS, "t", "s", bars=bars(volume=False), daily_bars=False
    )
    assert "xaxis2" not in fig.to_plotly_json()["layout"] and fig.layout.yaxis.domain is None
    assert fig.layout.xaxis.rangebreaks == () and fig.layout.xaxis.rangeslider.visible is False
    assert [trace.type for trace in fig.data][:2] == ["candlestick", "scatter"]
    assert fig.data[0].xaxis is None  # one panel: Plotly's default axes
    assert fig.layout.height == 580
