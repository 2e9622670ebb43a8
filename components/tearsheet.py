"""Plotly figures and display tables of the tear sheet (issue #13): data in, figures out.

The frames come from :mod:`analytics.tearsheet`. Lines over decades are drawn with one point a
week (issue #15): :func:`weekly` keeps each W-FRI week's last trading day with its real date
(the underwater curve keeps the week's deepest value, so the chart's bottom is the maximum
drawdown). Legends sit under the plot, horizontal, so they never cover a title on a 390 px
phone; titles wrap at ``TITLE_CHARS`` characters so a strategy's name fits the phone's width.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.tearsheet import MONTHS, YEAR_COLUMN
from components.figures import (
    BENCHMARK,
    INK,
    MUTED,
    STRATEGY,
    house_template,
    wrap_source,
)
from components.widgets import day, percent

BENCHMARK_NAME = "Buy & hold SPY"
LOSS = "#b91c1c"
GAIN = "#15803d"
DIVERGING = [[0.0, LOSS], [0.5, "#ffffff"], [1.0, GAIN]]
NOT_RECOVERED = "not recovered"
TITLE_CHARS = 36  # a title line that fits a 390 px phone beside Streamlit's padding


def weekly(
    data: pd.Series | pd.DataFrame, how: Literal["last", "min"] = "last"
) -> pd.Series | pd.DataFrame:
    """One row per W-FRI week, dated on the week's last trading day in ``data``: the last row
    (``how="last"``) or each column's minimum (``how="min"``); the first day is kept too, so a
    line starts where the data starts."""
    if data.empty:
        return data
    index = pd.DatetimeIndex(data.index)
    weeks = index.to_period("W-FRI")
    last_day = ~weeks.duplicated(keep="last")
    if how == "last":
        keep = last_day
        keep[0] = True
        return data[keep]
    if how != "min":
        raise ValueError(f"how must be 'last' or 'min', not {how!r}")
    lowest = data.groupby(weeks).min()
    lowest.index = index[last_day]
    first = data.iloc[:1]
    return pd.concat([first, lowest]) if first.index[0] != lowest.index[0] else lowest


def short_dates(fig: go.Figure) -> go.Figure:
    """``fig`` with every trace's dates on x written as ``YYYY-MM-DD`` (Plotly writes each one as
    ``1993-02-01T00:00:00.000000``: 30 bytes instead of 12, most of a long line's JSON)."""
    for trace in fig.data:
        x = getattr(trace, "x", None)
        if isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.datetime64):
            trace.x = pd.DatetimeIndex(x).strftime("%Y-%m-%d").tolist()
    return fig


def _days(index: pd.Index) -> list[str]:
    return pd.DatetimeIndex(index).strftime("%Y-%m-%d").tolist()


def _percent(values: pd.Series) -> np.ndarray:
    """Fractions as percents in 32-bit floats (half the JSON of 64-bit; 7 digits are plenty)."""
    return values.to_numpy(dtype=np.float32) * np.float32(100)


def _finish(
    fig: go.Figure, title: str, as_of: pd.Timestamp | None, source: str, height: int
) -> go.Figure:
    """Title and "As of" on top; under the plot the source, then the legend (horizontal)."""
    stamp = f"As of {pd.Timestamp(as_of):%Y-%m-%d}" if as_of is not None else ""
    title_lines = wrap_source(title, TITLE_CHARS)
    source_lines = wrap_source(f"Source: {source}")
    source_height = 14 * (source_lines.count("<br>") + 1)
    fig.update_layout(
        title={
            "text": f"{title_lines}<br><sup>{stamp}</sup>",
            "x": 0.01,
            "xanchor": "left",
            "y": 1,
            "pad": {"t": 14},
            "yanchor": "top",
            "yref": "container",
        },
        template=house_template(),
        height=height,
        font={"family": "Inter, Helvetica, Arial, sans-serif", "size": 13, "color": INK},
        legend={
            "orientation": "h",
            "xanchor": "left",
            "x": 0,
            "yanchor": "bottom",
            "y": 0,
            "yref": "container",
        },
        margin={
            "t": 80 + 20 * title_lines.count("<br>"),
            "b": 40 + source_height + 48,  # tick labels, the source, two rows of legend
            "l": 60,
            "r": 20,
        },
        hovermode="x unified",
    )
    fig.add_annotation(
        text=source_lines,
        yanchor="top",
        align="left",
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-30,
        xanchor="left",
        showarrow=False,
        font={"size": 11, "color": MUTED},
    )
    return fig


def _percent_text(values: np.ndarray) -> list[list[str]]:
    """Percents with one decimal; "" for a missing month; "0.0", never "-0.0"."""
    return [
        ["" if np.isnan(v) else f"{v:.1f}".replace("-0.0", "0.0") for v in row] for row in values
    ]


def monthly_heatmap(
    table: pd.DataFrame, title: str, source: str, as_of: pd.Timestamp | None
) -> go.Figure:
    """Years (newest on top) × months in % with one decimal, and the year's total in its own
    column; red below 0, green above, white at 0 (each part scaled on its own, centred on 0).
    The cells' texts have no set size, so Plotly fits them to the cells: about 14 px on a
    desktop, smaller on a phone, where a set 10 px wrote "-24.3" into its neighbours."""
    years = [str(year) for year in table.index]  # Plotly draws the first row at the bottom
    months = table[list(MONTHS)].to_numpy(dtype=float) * 100
    totals = table[[YEAR_COLUMN]].to_numpy(dtype=float) * 100
    fig = make_subplots(
        rows=1, cols=2, column_widths=[12 / 13.6, 1.6 / 13.6], shared_yaxes=True,
        horizontal_spacing=0.012,
    )  # fmt: skip
    for column, (values, labels) in enumerate(
        [(months, list(MONTHS)), (totals, [YEAR_COLUMN])], start=1
    ):
        fig.add_trace(
            go.Heatmap(
                z=values, x=labels, y=years, text=_percent_text(values),
                texttemplate="%{text}",
                colorscale=DIVERGING, zmid=0, showscale=False, xgap=1, ygap=1,
                hovertemplate="%{y} %{x}: %{z:.1f} %<extra></extra>",
            ),
            row=1, col=column,
        )  # fmt: skip
    fig.update_xaxes(side="bottom", tickfont={"size": 10}, showgrid=False, fixedrange=True)
    fig.update_yaxes(type="category", showgrid=False, tickfont={"size": 10}, fixedrange=True)
    fig = _finish(fig, title, as_of, source, height=150 + 20 * len(years) + 60)
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


def yearly_bars(
    yearly: pd.DataFrame, name: str, title: str, source: str, as_of: pd.Timestamp | None
) -> go.Figure:
    """Each year's return in %: the strategy (``name``) beside buy and hold."""
    years = [int(year) for year in yearly.index]
    fig = go.Figure()
    for column, label, colour in (
        ("strategy", name, STRATEGY),
        ("benchmark", BENCHMARK_NAME, BENCHMARK),
    ):
        fig.add_bar(
            x=years, y=_percent(yearly[column]), name=label, marker_color=colour,
            hovertemplate="%{y:.1f} %",
        )  # fmt: skip
    fig.update_layout(barmode="group", bargap=0.2, bargroupgap=0.05)
    fig.update_yaxes(ticksuffix=" %", zeroline=True)
    fig.update_xaxes(type="linear", tickformat="d", tickangle=0)
    return _finish(fig, title, as_of, source, height=440)


def underwater_figure(
    water: pd.DataFrame, name: str, title: str, source: str, as_of: pd.Timestamp | None
) -> go.Figure:
    """Drawdown from the running peak in % (weekly lows), the strategy shaded to zero."""
    thin = weekly(water, how="min")
    fig = go.Figure()
    fig.add_scatter(
        x=_days(thin.index), y=_percent(thin["benchmark"]), name=BENCHMARK_NAME,
        line={"color": BENCHMARK, "width": 1.2}, hovertemplate="%{y:.1f} %",
    )  # fmt: skip
    fig.add_scatter(
        x=_days(thin.index), y=_percent(thin["strategy"]), name=name, fill="tozeroy",
        line={"color": STRATEGY, "width": 1.4}, fillcolor="rgba(15, 118, 110, 0.25)",
        hovertemplate="%{y:.1f} %",
    )  # fmt: skip
    fig.update_yaxes(ticksuffix=" %")
    return _finish(fig, title, as_of, source, height=400)


def rolling_figure(
    rolling: pd.DataFrame, name: str, title: str, source: str, as_of: pd.Timestamp | None
) -> go.Figure:
    """Rolling 12-month return (top) and annualised volatility (bottom), in %, weekly points."""
    thin = weekly(rolling.dropna(how="all"))
    days = _days(thin.index)
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
        subplot_titles=("12-month return", "12-month volatility (annualised)"),
    )  # fmt: skip
    for row, measure in enumerate(("return", "volatility"), start=1):
        for side, label, colour in (
            ("strategy", name, STRATEGY),
            ("benchmark", BENCHMARK_NAME, BENCHMARK),
        ):
            fig.add_scatter(
                x=days, y=_percent(thin[f"{measure}_{side}"]), name=label,
                legendgroup=side, showlegend=row == 1,
                line={"color": colour, "width": 1.6 if side == "strategy" else 1.2},
                hovertemplate="%{y:.1f} %",
            row=row, col=1)  # fmt: skip
        fig.update_yaxes(ticksuffix=" %", row=row, col=1)
    fig.update_annotations(font={"size": 12, "color": MUTED})
    return _finish(fig, title, as_of, source, height=560)


def drawdown_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The worst-drawdowns frame as people read it: whole dates, depth "-20.0 %", trading days,
    "not recovered" where the curve is still below its peak."""

    def when(value: pd.Timestamp | None) -> str:
        return NOT_RECOVERED if value is None or pd.isna(value) else day(value)

    return pd.DataFrame(
        {
            "Peak": [when(v) for v in table["peak"]],
            "Trough": [when(v) for v in table["trough"]],
            "Recovered": [when(v) for v in table["recovery"]],
            "Depth": [percent(v) for v in table["depth"]],
            "Trading days": [int(v) for v in table["length"]],
            "Days to recover": [
                NOT_RECOVERED if pd.isna(v) else str(int(v)) for v in table["recovery_days"]
            ],
        },
        index=table.index,
    )
