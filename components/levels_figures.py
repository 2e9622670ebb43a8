"""The Levels page's price chart: closes as a line or OHLC candles (volume bars below when the
source has volume), the averages, the trading channel and each level as a labelled line.

Pure: data in, ``go.Figure`` out (title, as-of stamp and source through ``figures.finish``). The
legend sits under the chart, so on a 390 px phone it never covers the title.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.figures import MUTED, PRICE, finish

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
    """
    with_volume = bars is not None and "volume" in bars.columns
    fig = (
        make_subplots(
            rows=2, cols=1, shared_xaxes=True, row_heights=[0.78, 0.22], vertical_spacing=0.03
        )
        if with_volume
        else go.Figure()
    )
    top = {"row": 1, "col": 1} if with_volume else {}
    x = close.index if bars is None else bars.index
    if bars is None:
        fig.add_scatter(x=close.index, y=close.to_numpy(), name="Close", line={"color": PRICE})
    else:
        fig.add_trace(
            go.Candlestick(
                x=bars.index, open=bars["open"], high=bars["high"], low=bars["low"],
                close=bars["close"], name=bar_name,
                increasing={"line": {"color": UP, "width": 1}, "fillcolor": UP},
                decreasing={"line": {"color": DOWN, "width": 1}, "fillcolor": DOWN},
            ),
            **top,
        )  # fmt: skip
        if with_volume:
            rising = (bars["close"] >= bars["open"]).to_numpy()
            fig.add_bar(
                x=bars.index, y=bars["volume"].to_numpy(), name="Volume", row=2, col=1,
                marker={"color": np.where(rising, UP_VOLUME, DOWN_VOLUME), "line": {"width": 0}},
            )  # fmt: skip
            fig.update_yaxes(tickformat="~s", row=2, col=1)  # the legend names it
        fig.update_xaxes(rangeslider={"visible": False})
        if daily_bars:
            fig.update_xaxes(rangebreaks=[{"bounds": ["sat", "mon"]}])
    for column in averages.columns:
        shown = averages[column].reindex(x)
        fig.add_trace(
            go.Scatter(
                x=shown.index, y=shown.to_numpy(), name=column.removesuffix(" average"),
                line={"width": 1.3, "dash": "dot" if "week" in column else "solid"},
            ),
            **top,
        )  # fmt: skip
    if not channel.empty:
        for edge, dash in (("upper", "dash"), ("mid", "dot"), ("lower", "dash")):
            fig.add_trace(
                go.Scatter(
                    x=channel.index, y=channel[edge].to_numpy(), name="Channel",
                    line={"color": LEVEL_COLOURS["channel"], "dash": dash, "width": 1.2},
                    showlegend=edge == "upper", legendgroup="channel",
                ),
                **top,
            )  # fmt: skip
    height = 640 if with_volume else 580
    price_px = (height - TOP - BOTTOM) * (0.78 if with_volume else 1.0)
    drawn = levels[~levels["kind"].isin(["moving_average", "channel"])].sort_values("value")
    prices = close.to_numpy() if bars is None else bars[["high", "low"]].to_numpy().ravel()
    values = [*prices, *drawn["value"]]
    gap = (max(values) - min(values)) * LABEL_PX / price_px if values else 0  # one label apart
    label_y = -np.inf
    for name, kind, value in zip(
        drawn["name"].astype(str), drawn["kind"].astype(str), drawn["value"].astype(float),
        strict=True,
    ):  # fmt: skip
        colour = LEVEL_COLOURS.get(kind, MUTED)
        fig.add_hline(y=value, line={"color": colour, "width": 1, "dash": "dashdot"}, **top)
        label_y = max(value, label_y + gap)  # keep labels of close levels apart
        fig.add_annotation(  # inside the plot, so a phone keeps the chart's width
            text=f"{name} {value:,.0f}", x=0.01, xref="paper", xanchor="left",
            y=label_y, yref="y", yanchor="bottom", showarrow=False,
            font={"size": 10, "color": colour}, bgcolor="rgba(255, 255, 255, 0.75)",
        )  # fmt: skip
    as_of = x[-1] if len(x) else None
    fig = finish(fig, title, as_of, source, height=height)
    return legend_below(fig)


def legend_below(fig: go.Figure) -> go.Figure:
    """The legend right under the source line (it grows down into the bottom margin as it wraps
    on a phone), and the top margin only as tall as the title (the legend no longer sits there).
    """
    title_lines = str(fig.layout.title.text).split("<br><sup>")[0].count("<br>")
    source_lines = 1 + str(fig.layout.annotations[-1].text).count("<br>")
    top = TOP + 20 * title_lines
    plot_px = float(fig.layout.height) - top - BOTTOM
    under_source_px = 34 + 16 * source_lines + 8  # the source's shift, its lines, a gap
    fig.update_layout(
        legend={
            "orientation": "h", "yref": "paper", "y": -under_source_px / plot_px,
            "yanchor": "top", "x": 0, "xanchor": "left", "font": {"size": 11},
        },
        margin={"t": top, "b": BOTTOM},
    )  # fmt: skip
    return fig
