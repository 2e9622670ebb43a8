"""The indicator chart built as one figure spec equals the chart built with Plotly's own calls
(``make_subplots`` with ``add_scatter``, ``add_hline``, ``log_axis`` and ``shade``): the same
JSON, so the browser draws exactly the same chart, for a reading with a threshold and for an
on/off flag, with and without cash weeks."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from components.figures import (
    BENCHMARK,
    CASH_BANDS,
    CASH_SHADE,
    FLAG_FILL,
    FLAG_LINE,
    PRICE,
    STRATEGY,
    THRESHOLD,
    bands_of,
    date_text,
    envelope_points,
    finish,
    indicator_figure,
    is_flag,
    legend_square,
    log_axis,
    shade,
    step_points,
    weekly_points,
)


def reference(
    equity: pd.Series,
    benchmark: pd.Series,
    position: pd.Series,
    reading: pd.Series,
    threshold: float,
    title: str,
    reading_label: str,
    source: str,
    as_of: pd.Timestamp,
) -> go.Figure:
    """The chart as Plotly's subplot calls build it (the golden figure), from the same points."""
    cash = bands_of(position == 0)
    equity = envelope_points(weekly_points(equity))
    benchmark = envelope_points(weekly_points(benchmark))
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38], vertical_spacing=0.06
    )
    fig.add_scatter(
        x=date_text(equity.index), y=equity.to_numpy(), name="Following the signal", row=1, col=1,
        line={"color": STRATEGY, "width": 1.8},
    )  # fmt: skip
    fig.add_scatter(
        x=date_text(benchmark.index), y=benchmark.to_numpy(), name="Buy & hold SPY", row=1, col=1,
        line={"color": BENCHMARK, "width": 1.4},
    )  # fmt: skip
    shown = reading.loc[equity.index[0] :] if len(equity) else reading
    flag = is_flag(shown)
    shown = step_points(shown)
    if flag:
        fig.add_scatter(
            x=date_text(shown.index), y=shown.to_numpy(), name=reading_label, row=2, col=1,
            line={"color": FLAG_LINE, "width": 0.6, "shape": "hv"}, fill="tozeroy",
            fillcolor=FLAG_FILL,
        )  # fmt: skip
        fig.update_yaxes(tickvals=[0, 1], ticktext=["off", "on"], range=[-0.05, 1.15], row=2, col=1)
    else:
        fig.add_scatter(
            x=date_text(shown.index), y=shown.to_numpy(), name=reading_label, row=2, col=1,
            line={"color": PRICE, "width": 1.3, "shape": "hv"},
        )  # fmt: skip
        fig.add_hline(
            y=threshold, line={"color": THRESHOLD, "dash": "dash", "width": 1.2}, row=2, col=1,
            annotation_text=f"threshold {threshold:g}", annotation_position="top left",
            annotation_font={"color": THRESHOLD, "size": 11},
        )  # fmt: skip
    log_axis(fig, [*equity.to_numpy(), *benchmark.to_numpy()], row=1, col=1)
    fig.update_yaxes(title_text="equity (log)", row=1, col=1)
    fig.update_yaxes(title_text=reading_label, row=2, col=1)
    shade(fig, cash, CASH_SHADE, name=CASH_BANDS)
    legend_square(fig, "In cash (shaded)", CASH_SHADE)
    return finish(fig, title, as_of, source, height=520)


def same(a: Any, b: Any, path: str = "figure") -> list[str]:
    """Where two JSON values differ (floats equal to 1e-12 relative: the subplot grid's
    domains are sums of the same fractions)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(set(a) ^ set(b))}"]
        return [d for k in a for d in same(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items, {len(b)} items"]
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in same(x, y, f"{path}[{i}]")
        ]
    if isinstance(a, float) and isinstance(b, float):
        return [] if math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15) else [f"{path}: {a} {b}"]
    return [] if a == b else [f"{path}: {a!r} {b!r}"]


def inputs(flag: bool, cash: bool) -> tuple[Any, ...]:
    days = pd.bdate_range("1995-01-01", "2020-12-31")  # more weeks than MAX_LINE_POINTS
    rng = np.random.default_rng(7)
    benchmark = pd.Series(100_000 * np.cumprod(1 + rng.normal(3e-4, 0.01, len(days))), days)
    position = pd.Series(1.0, days)
    if cash:
        position.iloc[200:260] = 0.0
        position.iloc[900:1000] = 0.0
        position.iloc[3000:3300] = 0.0
        position.iloc[-5:] = 0.0  # a run to the last day
    equity = benchmark.where(position == 1).ffill().bfill()
    weeks = pd.date_range("1994-06-03", "2020-12-25", freq="W-FRI")
    if flag:
        reading = pd.Series((np.arange(len(weeks)) % 9 < 3).astype(float), weeks)
    else:
        reading = pd.Series(rng.normal(20, 5, len(weeks)), weeks)
        reading.iloc[40:45] = np.nan  # a gap
    as_of = pd.Timestamp("2020-12-31")
    return (
        equity,
        benchmark,
        position,
        reading,
        21.5,
        "Trend: following it vs buy and hold",
        ("reading (index)"),
        "Somewhere; SPY adjusted closes (Yahoo Finance)",
        as_of,
    )


@pytest.mark.parametrize("flag", [False, True])
@pytest.mark.parametrize("cash", [False, True])
def test_the_spec_built_chart_is_the_subplot_built_chart(flag: bool, cash: bool) -> None:
    args = inputs(flag, cash)
    built = json.loads(pio.to_json(indicator_figure(*args), validate=False))
    golden = json.loads(pio.to_json(reference(*args), validate=False))
    assert same(built, golden) == []
    kinds = [trace.get("meta") for trace in built["data"]]
    assert kinds.count("band") == (2 if cash else 0)  # one band trace per row


def test_a_reading_without_data_still_draws_the_threshold_as_plotly_does() -> None:
    equity, benchmark, position, reading, *rest = inputs(flag=False, cash=True)
    empty = reading.iloc[0:0]
    built = json.loads(pio.to_json(indicator_figure(equity, benchmark, position, empty, *rest)))
    golden = json.loads(pio.to_json(reference(equity, benchmark, position, empty, *rest)))
    assert same(built, golden) == []
    assert [shape["y0"] for shape in built["layout"]["shapes"]] == [21.5]


@pytest.mark.parametrize("default", ["plotly", "streamlit", "simple_white"])
def test_every_chart_carries_the_house_template_whatever_the_default(
    monkeypatch: pytest.MonkeyPatch, default: str
) -> None:
    import streamlit  # noqa: F401  (registers its template, the default once imported)

    from components.figures import house_template, price_figure

    monkeypatch.setattr(pio.templates, "default", default)
    house = json.loads(pio.to_json(go.Figure(layout={"template": house_template()})))["layout"][
        "template"
    ]
    args = inputs(flag=False, cash=True)
    close = args[1]
    for fig in (indicator_figure(*args), price_figure(close, None, "SPY", "Yahoo Finance")):
        assert json.loads(pio.to_json(fig))["layout"]["template"] == house


def test_envelope_points_keep_each_buckets_low_and_high_and_both_ends() -> None:
    days = pd.date_range("2000-01-07", periods=12, freq="W-FRI")
    values = pd.Series([5.0, 1, 9, 4, 4, 7, 3, 8, 2, 6, 6, 5], days)
    # max 6 points: k = 2 × ceil(12 / 6) = 4, buckets [5,1,9,4] [4,7,3,8] [2,6,6,5]
    kept = envelope_points(values, max_points=6)
    assert list(kept.index) == [days[i] for i in (0, 1, 2, 6, 7, 8, 9, 11)]
    assert envelope_points(values, max_points=12) is values  # short enough: unchanged
    assert kept.max() == values.max() and kept.min() == values.min()


def test_envelope_points_bound_a_long_line() -> None:
    days = pd.date_range("1993-01-29", periods=1700, freq="W-FRI")
    line = pd.Series(np.sin(np.arange(1700) / 9.0) + np.arange(1700) / 100, days)
    kept = envelope_points(line)
    assert len(kept) <= 700 + 2
    assert kept.index[0] == days[0] and kept.index[-1] == days[-1]
    assert kept.max() == line.max() and kept.min() == line.min()


def test_step_points_keep_the_first_of_each_run_and_the_last_point() -> None:
    days = pd.date_range("2020-01-03", periods=9, freq="W-FRI")
    values = pd.Series([1.0, 1, 0, 0, np.nan, np.nan, 1, 1, 1], days)
    kept = step_points(values)
    assert list(kept.index) == [days[i] for i in (0, 2, 4, 6, 8)]
    assert kept.iloc[2] != kept.iloc[2]  # the gap stays a gap


def test_date_text_writes_whole_days_and_keeps_times() -> None:
    days = pd.DatetimeIndex(["2020-01-03", "2020-01-10"])
    assert date_text(days) == ["2020-01-03", "2020-01-10"]
    stamped = pd.DatetimeIndex(["2020-01-03 15:30"])
    assert date_text(stamped) is stamped


def test_the_gauge_history_draws_its_shown_years_daily_and_the_years_before_thinned() -> None:
    from components.gauge import gauge_history_figure

    days = pd.bdate_range("1995-01-02", "2024-06-28")
    rng = np.random.default_rng(3)
    score = pd.Series(np.clip(50 + np.cumsum(rng.normal(0, 2, len(days))), 0, 100), days)
    fig = gauge_history_figure(score, "Sentiment gauge", "AAII", days[-1])
    x = pd.DatetimeIndex(fig.data[0].x)
    start = days[-1] - pd.DateOffset(years=2)
    assert list(x[x >= start]) == list(days[days >= start])  # every day of the shown years
    assert len(x[x < start]) <= 700 + 2  # the years before: their envelope
    assert x[0] == pd.Timestamp("1995-01-06")  # the first week's last day (weekly_points)
    assert max(fig.data[0].y) == score.round(1).max() and min(fig.data[0].y) == score.round(1).min()
    assert list(pd.to_datetime(fig.layout.xaxis.range)) == [start, days[-1]]
    short = gauge_history_figure(score.iloc[-100:], "Sentiment gauge", "AAII", days[-1])
    assert len(short.data[0].x) == 100  # less than the shown years: all of it
