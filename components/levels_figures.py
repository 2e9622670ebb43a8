"""The Levels page's price chart: closes as a line or OHLC candles (volume bars below when the
source has volume), the averages, the trading channel and each level as a labelled line.

Pure: data in, ``go.Figure`` out (title, as-of stamp and source through
``figures.house_layout``). The legend sits under the chart, so on a 390 px phone it never covers
the title.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.figures import MUTED, PRICE, house_layout, merged

LEVEL_COLOURS = {
    "moving_average": "#7c3aed",
    "fibonacci": "#d97706",
    "drawdown": "#dc2626",
    "channel": "#0891b2",
}
UP = "#15803d"
DOWN = "#b91c1c"
UP_VOLUME = "rgba(21, 128, 61, 0.45)"
DOWN_VOLUME = "rgba(185, 28, 28, 0.45)"
TOP = 70  # px above the plot: a one-line title and its "As of" line
BOTTOM = 80 + 14 + 95  # px under the plot: axis, a two-line source, three legend rows at 390 px
LABEL_PX = 16  # a level's label is 10 px type: labels of close levels are kept this far apart
VOLUME_ROW = 0.22  # the volume panel's share of the plot's height (with candles and volume)
VOLUME_GAP = 0.03  # between the price and the volume panel, a share of the plot's height


def levels_figure(
    close: pd.Series,
    averages: pd.DataFrame,
    channel: pd.DataFrame,
    levels: pd.DataFrame,
    title: str,
    source: str,
    bars: pd.DataFrame | None = None,
    bar_name: str = "Candles",
    daily_bars: bool = True,
) -> go.Figure:
    """Price with its averages and channel, each level a labelled horizontal line.

    ``bars`` (columns open, high, low, close, optional volume) draws candles instead of the
    ``close`` line, named ``bar_name``, with volume bars in a lower panel when there is a volume
    column; ``daily_bars`` hides weekends between daily candles. ``levels``: columns ``name``,
    ``kind``, ``value`` (averages and channel are drawn as lines, so their rows are skipped).

    Built as one figure specification, validated once by ``go.Figure`` (the same figure as
    ``make_subplots`` with ``add_trace``, ``add_hline`` and ``add_annotation`` calls, at a
    fifth of their cost: each of those calls validates the whole layout again; issue #15).
    """
    with_volume = bars is not None and "volume" in bars.columns
    top = {"xaxis": "x", "yaxis": "y"} if with_volume else {}  # the price panel
    x = close.index if bars is None else bars.index
    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {}
    if bars is None:
        data.append(
            {"type": "scatter", "x": close.index, "y": close.to_numpy(), "name": "Close",
             "line": {"color": PRICE}}
        )  # fmt: skip
    else:
        data.append(
            {"type": "candlestick", "x": bars.index, "open": bars["open"].to_numpy(),
             "high": bars["high"].to_numpy(), "low": bars["low"].to_numpy(),
             "close": bars["close"].to_numpy(), "name": bar_name,
             "increasing": {"line": {"color": UP, "width": 1}, "fillcolor": UP},
             "decreasing": {"line": {"color": DOWN, "width": 1}, "fillcolor": DOWN}, **top}
        )  # fmt: skip
        time_axis: dict[str, Any] = {"rangeslider": {"visible": False}}
        if daily_bars:
            time_axis["rangebreaks"] = [{"bounds": ["sat", "mon"]}]
        layout["xaxis"] = time_axis
        if with_volume:
            rising = (bars["close"] >= bars["open"]).to_numpy()
            data.append(
                {"type": "bar", "x": bars.index, "y": bars["volume"].to_numpy(), "name": "Volume",
                 "marker": {"color": np.where(rising, UP_VOLUME, DOWN_VOLUME),
                            "line": {"width": 0}},
                 "xaxis": "x2", "yaxis": "y2"}
            )  # fmt: skip
            # make_subplots' grid: the rows share the height less the gap, the price on top
            split = VOLUME_ROW * (1 - VOLUME_GAP)
            layout |= {
                "xaxis": {"anchor": "y", "domain": [0.0, 1.0], "matches": "x2",
                          "showticklabels": False, **time_axis},
                "yaxis": {"anchor": "x", "domain": [split + VOLUME_GAP, 1.0]},
                "xaxis2": {"anchor": "y2", "domain": [0.0, 1.0], **time_axis},
                "yaxis2": {"anchor": "x2", "domain": [0.0, split], "tickformat": "~s"},
            }  # fmt: skip
    for column in averages.columns:
        shown = averages[column].reindex(x)
        data.append(
            {"type": "scatter", "x": shown.index, "y": shown.to_numpy(),
             "name": column.removesuffix(" average"),
             "line": {"width": 1.3, "dash": "dot" if "week" in column else "solid"}, **top}
        )  # fmt: skip
    if not channel.empty:
        for edge, dash in (("upper", "dash"), ("mid", "dot"), ("lower", "dash")):
            data.append(
                {"type": "scatter", "x": channel.index, "y": channel[edge].to_numpy(),
                 "name": "Channel",
                 "line": {"color": LEVEL_COLOURS["channel"], "dash": dash, "width": 1.2},
                 "showlegend": edge == "upper", "legendgroup": "channel", **top}
            )  # fmt: skip
    height = 640 if with_volume else 580
    price_px = (height - TOP - BOTTOM) * (1 - VOLUME_ROW if with_volume else 1.0)
    drawn = levels[~levels["kind"].isin(["moving_average", "channel"])].sort_values("value")
    prices = close.to_numpy() if bars is None else bars[["high", "low"]].to_numpy().ravel()
    values = [*prices, *drawn["value"]]
    gap = (max(values) - min(values)) * LABEL_PX / price_px if values else 0  # one label apart
    label_y = -np.inf
    shapes, labels = [], []
    for name, kind, value in zip(
        drawn["name"].astype(str), drawn["kind"].astype(str), drawn["value"].astype(float),
        strict=True,
    ):  # fmt: skip
        colour = LEVEL_COLOURS.get(kind, MUTED)
        shapes.append(  # add_hline's line: across the price panel
            {"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": value, "y1": value,
             "yref": "y", "line": {"color": colour, "width": 1, "dash": "dashdot"}}
        )  # fmt: skip
        label_y = max(value, label_y + gap)  # keep labels of close levels apart
        labels.append(  # inside the plot, so a phone keeps the chart's width
            {"text": f"{name} {value:,.0f}", "x": 0.01, "xref": "paper", "xanchor": "left",
             "y": label_y, "yref": "y", "yanchor": "bottom", "showarrow": False,
             "font": {"size": 10, "color": colour}, "bgcolor": "rgba(255, 255, 255, 0.75)"}
        )  # fmt: skip
    if shapes:
        layout |= {"shapes": shapes, "annotations": labels}
    as_of = x[-1] if len(x) else None
    styled = legend_below(house_layout(layout, title, as_of, source, height=height))
    return go.Figure({"data": data, "layout": styled})


def legend_below(layout: dict[str, Any]) -> dict[str, Any]:
    """``layout`` (a :func:`~components.figures.house_layout`) with the legend right under the
    source line (it grows down into the bottom margin as it wraps on a phone), and the top
    margin only as tall as the title (the legend no longer sits there)."""
    title_lines = str(layout["title"]["text"]).split("<br><sup>")[0].count("<br>")
    source_lines = 1 + str(layout["annotations"][-1]["text"]).count("<br>")
    top = TOP + 20 * title_lines
    plot_px = float(layout["height"]) - top - BOTTOM
    under_source_px = 34 + 16 * source_lines + 8  # the source's shift, its lines, a gap
    legend = {
        "orientation": "h", "yref": "paper", "y": -under_source_px / plot_px,
        "yanchor": "top", "x": 0, "xanchor": "left", "font": {"size": 11},
    }  # fmt: skip
    return merged(layout, {"legend": legend, "margin": {"t": top, "b": BOTTOM}})
