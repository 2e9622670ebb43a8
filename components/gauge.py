"""Sentiment gauge figures and texts: the dial, the history chart and a component's reading.

The bands come from :data:`analytics.gauge.BANDS` (whole numbers, e.g. Fear 25–44); drawn on
the continuous 0–100 scale a band runs from ``low − 0.5`` to ``high + 0.5`` (clipped to 0–100),
exactly the values that round into it, so a colour boundary is where :func:`band` changes.
No Streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analytics.gauge import BANDS, band
from components.figures import (
    INK,
    MUTED,
    date_text,
    envelope_points,
    house_layout,
    weekly_points,
)

BAND_COLOURS: Mapping[str, str] = {
    "Extreme Fear": "#b91c1c",
    "Fear": "#f97316",
    "Neutral": "#facc15",
    "Greed": "#84cc16",
    "Extreme Greed": "#15803d",
}
BAND_SHADE_OPACITY = 0.16
HISTORY_YEARS_SHOWN = 2  # the history chart opens on the last two years (zoom out for all)


def band_ranges() -> tuple[tuple[float, float, str], ...]:
    """``(from, to, name)`` of each band on the continuous scale: (0, 24.5, "Extreme Fear"),
    (24.5, 44.5, "Fear"), (44.5, 55.5, "Neutral"), (55.5, 75.5, "Greed"), (75.5, 100, …)."""
    return tuple((max(low - 0.5, 0.0), min(high + 0.5, 100.0), name) for low, high, name in BANDS)


def band_colour(value: float) -> str:
    """The colour of the band ``value`` falls in (grey for a missing value)."""
    name = band(value)
    return BAND_COLOURS.get(name, MUTED)


def reading_text(value: float, unit: str) -> str:
    """A component's reading with its unit: "+12.3 %", "-27.3 points", "+0.45 pp", "0.93"
    (ratio), "82.5" (index); "—" when missing."""
    if value is None or math.isnan(value):
        return "—"
    if unit == "%":
        return f"{value:+.1f} %"
    if unit == "points":
        return f"{value:+.1f} points"
    if unit == "pp":
        return f"{value:+.2f} pp"
    if unit == "ratio":
        return f"{value:.2f}"
    return f"{value:.1f}"


def gauge_dial(
    value: float, band_name: str, title: str, source: str, as_of: pd.Timestamp | None
) -> go.Figure:
    """The 0–100 dial with its five bands, the rounded value in the middle and the band's name
    under it. The name is an annotation inside the figure's paper (not the number's suffix,
    which spilled out of the dial as "2 Extreme Fear" on narrow columns)."""
    dial = {
        "type": "indicator",
        "mode": "gauge+number",
        "value": round(value),
        "domain": {"x": [0.05, 0.95], "y": [0.2, 1]},  # room for the band's name underneath
        "number": {"font": {"size": 34}, "valueformat": ".0f"},
        "gauge": {
            "axis": {"range": [0, 100], "tickvals": [0, 25, 45, 56, 76, 100],
                     "tickfont": {"size": 11}},
            "bar": {"color": INK, "thickness": 0.25},
            "steps": [
                {"range": [low, high], "color": BAND_COLOURS[name]}
                for low, high, name in band_ranges()
            ],
        },
    }  # fmt: skip
    name = {
        "text": f"<b>{band_name}</b>", "x": 0.5, "y": 0.0, "xref": "paper", "yref": "paper",
        "xanchor": "center", "yanchor": "bottom", "showarrow": False,
        "font": {"size": 15, "color": band_colour(value)},
    }  # fmt: skip
    layout = {"annotations": [name], "margin": {"l": 30, "r": 30}}
    return go.Figure({"data": [dial], "layout": house_layout(layout, title, as_of, source, 340)})


def gauge_history_figure(
    score: pd.Series, title: str, source: str, as_of: pd.Timestamp | None
) -> go.Figure:
    """The daily gauge as a line over the five bands, shaded as one set of five horizontal
    rectangles (not per day), each band named at the right edge. Opens on the last
    ``HISTORY_YEARS_SHOWN`` years, drawn day by day; the years before (seen when zooming out)
    are drawn with :func:`~components.figures.weekly_points` then
    :func:`~components.figures.envelope_points`, so the browser gets about 1,200 points, not
    one per day since the 1990s. The y axis is fixed to 0–100."""
    values = score.dropna()
    start = end = None
    if len(values):
        end = pd.Timestamp(values.index[-1])
        start = max(pd.Timestamp(values.index[0]), end - pd.DateOffset(years=HISTORY_YEARS_SHOWN))
    drawn = values
    older = values.loc[values.index < start] if start is not None else values.iloc[0:0]
    if len(older):
        drawn = pd.concat([envelope_points(weekly_points(older)), values.loc[start:]])
    line = {
        "type": "scatter", "x": date_text(drawn.index), "y": drawn.round(1).to_numpy(),
        "name": "Sentiment gauge", "mode": "lines", "line": {"color": INK, "width": 1.5},
        "hovertemplate": "%{y:.0f}<extra></extra>",
    }  # fmt: skip
    bands = band_ranges()
    layout: dict[str, Any] = {
        "shapes": [
            {
                "type": "rect", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                "y0": low, "y1": high, "fillcolor": BAND_COLOURS[name],
                "opacity": BAND_SHADE_OPACITY, "line": {"width": 0}, "layer": "below",
            }
            for low, high, name in bands
        ],
        "annotations": [
            {
                "text": name, "x": 1, "y": (low + high) / 2, "xref": "paper", "yref": "y",
                "xanchor": "right", "showarrow": False, "font": {"size": 10, "color": MUTED},
            }
            for low, high, name in bands
        ],
        "showlegend": False,
        "hovermode": "x",
        "yaxis": {"range": [0, 100], "tickvals": [0, 25, 45, 56, 76, 100], "fixedrange": True},
    }  # fmt: skip
    if start is not None:
        layout["xaxis"] = {"range": [start, end]}
    return go.Figure({"data": [line], "layout": house_layout(layout, title, as_of, source, 380)})
