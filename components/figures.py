"""Report-ready Plotly figures: data in, ``go.Figure`` out; no Streamlit, no rules.

Every figure carries a title, an "As of" stamp and its data source (``finish``), uses one light
template and one palette, and exports at 2× through ``PLOTLY_CONFIG`` (components.price).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

# Subplot kinds no figure here draws, and the trace types the figures draw that plotly_white
# styles (candlestick and indicator traces it leaves alone).
UNDRAWN_SUBPLOTS = frozenset({"polar", "ternary", "scene", "geo"})
STYLED_TRACES = frozenset({"scatter", "bar", "heatmap"})

INK = "#1f2937"
MUTED = "#6b7280"
PRICE = "#1f4e79"
STRATEGY = "#0f766e"
BENCHMARK = "#9ca3af"
THRESHOLD = "#b91c1c"
CASH_SHADE = "rgba(185, 28, 28, 0.08)"
BULL_SHADE = "rgba(22, 163, 74, 0.12)"
UPTREND_SHADE = "rgba(37, 99, 235, 0.35)"
CATEGORY_COLOURS = {
    "Technicals": "#1f77b4",
    "Sentiment": "#ff7f0e",
    "Rates": "#2ca02c",
    "Macro": "#9467bd",
}


@cache
def house_template() -> go.layout.Template:
    """plotly_white without what no figure here uses: its styles of the subplot kinds in
    :data:`UNDRAWN_SUBPLOTS` and of trace types other than :data:`STYLED_TRACES`. Every figure
    carries its template and Plotly copies it property by property, so the whole plotly_white
    (24 trace types, 3-D scenes, maps) cost 8 ms per figure and 7.2 kB of each chart's JSON;
    this one 3 ms and 2.4 kB, and draws the same (issue #15). Built on first use, so importing
    this module (the tables-only report does) costs nothing for it."""
    white = pio.templates["plotly_white"].to_plotly_json()
    return go.layout.Template(
        data={kind: white["data"][kind] for kind in STYLED_TRACES},
        layout={k: v for k, v in white["layout"].items() if k not in UNDRAWN_SUBPLOTS},
    )


def finish_layout(
    title: str, as_of: pd.Timestamp | None, source: str, height: int = 460
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The house style of :func:`finish` as plain layout properties: (the layout's title, size,
    font, legend, margins and hover mode; the source annotation under the plot)."""
    stamp = f"As of {pd.Timestamp(as_of):%Y-%m-%d}" if as_of is not None else ""
    source_lines = wrap_source(f"Source: {source}")
    title_lines = wrap_source(title, TITLE_LINE_CHARS)
    layout = {
        "title": {
            "text": f"{title_lines}<br><sup>{stamp}</sup>",
            "x": 0.01,
            "xanchor": "left",
            "y": 1,
            "pad": {"t": 14},
            "yanchor": "top",
            "yref": "container",
        },
        "height": height,
        "font": {"family": "Inter, Helvetica, Arial, sans-serif", "size": 13, "color": INK},
        # the legend under the title, left-aligned, so it never covers the title on a phone
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0},
        "margin": {
            "t": 125 + 20 * title_lines.count("<br>"),
            "b": 60 + 14 * source_lines.count("<br>"),
            "l": 60,
            "r": 30,
        },
        "hovermode": "x unified",
    }
    annotation = {
        "text": source_lines,
        "yanchor": "top",
        "align": "left",
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 0,
        "yshift": -34,
        "xanchor": "left",
        "showarrow": False,
        "font": {"size": 11, "color": MUTED},
    }
    return layout, annotation


def finish(
    fig: go.Figure, title: str, as_of: pd.Timestamp | None, source: str, height: int = 460
) -> go.Figure:
    """``fig`` with :func:`house_layout` as its layout, assigned once, whole: each
    ``update_layout`` call walks Plotly's validators again (issue #15)."""
    fig.layout = house_layout(fig.layout.to_plotly_json(), title, as_of, source, height)
    return fig


def house_layout(
    layout: dict[str, Any],
    title: str,
    as_of: pd.Timestamp | None,
    source: str,
    height: int = 460,
) -> dict[str, Any]:
    """``layout`` over the house style (title with an "As of" line, size, font, legend,
    margins, hover: :func:`finish_layout`): nested settings merged key by key, the figure's own
    value kept where both set one (a bar chart's "closest" hover); then the house template and
    the source added to the annotations."""
    style, note = finish_layout(title, as_of, source, height)
    annotations = [*layout.get("annotations", ()), note]
    return merged(style, layout) | {"template": house_template(), "annotations": annotations}


def merged(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """``base`` updated by ``update``, nested dictionaries merged key by key, anything else
    replaced (Plotly's rule for ``update_layout``)."""
    out = dict(base)
    for key, value in update.items():
        old = out.get(key)
        both = isinstance(old, dict) and isinstance(value, dict)
        out[key] = merged(old, value) if both else value  # type: ignore[arg-type]
    return out


SOURCE_LINE_CHARS = 52
TITLE_LINE_CHARS = 44  # about 360 px at 17 px: a title fits a phone's width


def wrap_source(text: str, width: int = SOURCE_LINE_CHARS) -> str:
    """``text`` broken into lines of at most ``width`` characters at spaces, joined by
    ``<br>`` (Plotly annotations do not wrap: a long source line is cut on a phone screen)."""
    import textwrap

    return "<br>".join(textwrap.wrap(text, width)) or text


FLAG_FILL = "rgba(37, 99, 235, 0.18)"
FLAG_LINE = "rgba(37, 99, 235, 0.55)"


def is_flag(reading: pd.Series) -> bool:
    """A reading that is only ever 0 or 1 (a calendar rule's on/off), NaN aside."""
    values = reading.dropna()
    return len(values) > 0 and bool(values.isin([0, 1]).all())


def legend_square_trace(name: str, colour: str) -> dict[str, Any]:
    """A legend entry (a square of ``colour``) for a shaded area, which has none of its own."""
    return {
        "type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": name,
        "hoverinfo": "skip",
        "marker": {
            "size": 12, "symbol": "square", "color": colour,
            "line": {"color": MUTED, "width": 1},
        },
    }  # fmt: skip


def legend_square(fig: go.Figure, name: str, colour: str) -> None:
    """Add :func:`legend_square_trace` to ``fig``."""
    fig.add_trace(legend_square_trace(name, colour))


def bands_of(flags: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Runs of True as (first day, day the run ends) — the end is the next date after the run so
    that a shaded band covers its last day; the final run ends on the last date."""
    values = flags.fillna(False).astype(bool).to_numpy()
    if not values.any():
        return []
    dates = pd.DatetimeIndex(flags.index)
    edges = np.diff(np.r_[0, values.astype(int), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    last = len(dates) - 1
    return [(dates[int(s)], dates[min(int(e), last)]) for s, e in zip(starts, ends, strict=True)]


CASH_BANDS = "in cash"
INVESTED_BANDS = "invested"
BAND_AXIS = "band"  # the meta of every band trace


def band_outline(
    bands: Iterable[tuple[pd.Timestamp, pd.Timestamp]], y0: float = 0, y1: float = 1
) -> tuple[list[str | None], list[float | None]]:
    """The x and y of rectangles, one per band (start, end), as ONE polygon list for
    ``fill="toself"``: each band is start→start→end→end→start at heights y0, y1, y1, y0, y0,
    and bands are separated by a None break. Dates as ISO text (YYYY-MM-DD, with the time when
    there is one): Plotly checks and writes text ten times faster than Timestamps."""
    xs: list[str | None] = []
    ys: list[float | None] = []
    for start, end in bands:
        first, last = _iso(start), _iso(end)
        xs += [first, first, last, last, first, None]
        ys += [y0, y1, y1, y0, y0, None]
    return xs[:-1], ys[:-1]


def _iso(stamp: pd.Timestamp) -> str:
    stamp = pd.Timestamp(stamp)
    return f"{stamp:%Y-%m-%d}" if stamp == stamp.normalize() else stamp.isoformat(sep=" ")


def band_axes(fig: go.Figure) -> list[tuple[str, str]]:
    """(x axis, hidden y axis) to draw bands on, one per plot row: a y axis overlaying each of
    the figure's own (range 0–1, invisible, fixed), added the first time. An overlaying axis
    shares its row's plot area, so the lines of the row stay visible under the band."""
    layout = fig.layout
    names = sorted((k for k in layout if k.startswith("yaxis")), key=lambda k: len(k))
    overlays = {layout[k].overlaying: "y" + k.removeprefix("yaxis") for k in names}
    bases = [k for k in names if layout[k].overlaying is None]
    number = max(int(k.removeprefix("yaxis") or 1) for k in names)
    axes = []
    for base in bases:
        short = "y" + base.removeprefix("yaxis")
        x = layout[base].anchor if layout[base].anchor not in (None, "free") else "x"
        if short not in overlays:
            number += 1
            overlays[short] = f"y{number}"
            axis = {"range": [0, 1], "visible": False, "fixedrange": True, "overlaying": short}
            fig.update_layout({f"yaxis{number}": axis})
        axes.append((str(x), overlays[short]))
    return axes


def shade(
    fig: go.Figure,
    bands: Iterable[tuple[pd.Timestamp, pd.Timestamp]],
    colour: str,
    y0: float = 0,
    y1: float = 1,
    name: str = "shaded",
) -> None:
    """Shade date ranges over the whole height of every row (or the fraction ``y0``–``y1`` of
    it) as ONE filled trace per row (``fill="toself"``, bands separated by None breaks) on a
    hidden 0–1 axis overlaying the row (:func:`band_axes`), not one layout shape per band:
    hundreds of shapes are slow to draw. No hover, no legend entry of its own (see
    :func:`legend_square`). Call it after the figure's ``update_yaxes`` calls: an update of
    every y axis (a log scale, a range) would change the hidden one too."""
    xs, ys = band_outline(bands, y0, y1)
    if not xs:
        return
    for x, y in band_axes(fig):
        fig.add_scatter(
            x=xs, y=ys, xaxis=x, yaxis=y, name=name, mode="lines", fill="toself",
            fillcolor=colour, line={"width": 0}, hoverinfo="skip", showlegend=False,
            meta=BAND_AXIS,
        )  # fmt: skip


def shaded_bands(fig: go.Figure, name: str = "shaded") -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The (start, end) bands of the traces ``name`` drawn by :func:`shade` (for checks); every
    row's trace holds the same bands, so the first row's are returned."""
    found = [t for t in fig.data if t.name == name and t.meta == BAND_AXIS]
    if not found:
        return []
    xs = list(found[0].x)
    return [(pd.Timestamp(xs[i]), pd.Timestamp(xs[i + 2])) for i in range(0, len(xs), 6)]


WEEKLY_AFTER_DAYS = 3 * 365  # a daily line longer than this is drawn with its Friday closes


def week_ends(index: pd.DatetimeIndex) -> npt.NDArray[np.intp]:
    """Positions of the last date of each week ending Friday (Saturday to Friday) in a sorted
    ``index``: day numbers since 1970-01-03 (a Saturday) floor-divided by 7 name the week."""
    days = index.to_numpy(dtype="datetime64[D]").astype(np.int64)
    weeks = (days - 2) // 7
    return np.flatnonzero(np.r_[weeks[1:] != weeks[:-1], True])


def weekly_points(values: pd.Series) -> pd.Series:
    """A daily line spanning more than ``WEEKLY_AFTER_DAYS`` days thinned to its last value of
    each week ending Friday (:func:`week_ends`, missing values dropped first), stamped with that
    value's own date, so the line still ends on its last day; shorter or already sparse lines
    (at most one point per five days) unchanged. The eye sees no difference over decades; the
    browser draws a fifth of the points."""
    if len(values) < 2 or not isinstance(values.index, pd.DatetimeIndex):
        return values
    span = values.index[-1] - values.index[0]
    if span.days <= WEEKLY_AFTER_DAYS or len(values) <= span.days / 5:
        return values
    present = values.dropna()
    return present.iloc[week_ends(pd.DatetimeIndex(present.index))]


MAX_LINE_POINTS = 700  # about one point per two pixels of a full-width chart


def envelope_points(values: pd.Series, max_points: int = MAX_LINE_POINTS) -> pd.Series:
    """A line of more than ``max_points`` points cut into consecutive buckets of ``k`` points
    (``k`` = 2 × ceil(len / max_points)) of which only the lowest and the highest are kept, in
    date order (the first of equal ones), and the first and last points always: at most
    ``max_points`` + 2 points that draw the same envelope (every peak and trough of the line
    stays, so do the ends); shorter lines unchanged. Missing values are dropped first."""
    present = values.dropna()
    if len(present) <= max_points:
        return present if len(present) < len(values) else values
    k = 2 * -(-len(present) // max_points)
    numbers = present.to_numpy(dtype=float)
    starts = np.arange(0, len(numbers), k)
    keep = {0, len(numbers) - 1}
    for start in starts:
        bucket = numbers[start : start + k]
        keep.add(int(start + np.argmin(bucket)))
        keep.add(int(start + np.argmax(bucket)))
    return present.iloc[sorted(keep)]


def step_points(values: pd.Series) -> pd.Series:
    """A step line (Plotly ``shape="hv"``) without the points that repeat the previous value:
    the first point of each run of equal values (NaN counting as equal to NaN) and the last
    point are kept, so the line draws exactly the same steps and gaps."""
    if len(values) < 3:
        return values
    numbers = values.to_numpy(dtype=float)
    same = (numbers[1:] == numbers[:-1]) | (np.isnan(numbers[1:]) & np.isnan(numbers[:-1]))
    keep = np.r_[True, ~same]
    keep[-1] = True
    return values.iloc[np.flatnonzero(keep)]


def date_text(index: pd.Index) -> list[str] | pd.Index:
    """Dates of a chart's x as ISO text ("YYYY-MM-DD" when they are whole days): Plotly writes
    text faster than Timestamps and the browser receives shorter JSON; other indexes as they
    are."""
    if not isinstance(index, pd.DatetimeIndex) or len(index) == 0:
        return index
    if (index == index.normalize()).all():
        return list(index.strftime("%Y-%m-%d"))
    return index


def log_ticks(values: Iterable[float]) -> list[float] | None:
    """Round ticks of a log axis over ``values`` (None without a positive value): 1, 2 and 5 ×
    powers of ten, else a finer ladder, else evenly spaced round steps — whichever first gives
    at least three inside the data's range."""
    finite = [v for v in values if v == v and v > 0]
    if not finite:
        return None
    low, high = min(finite), max(finite)
    powers = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    ticks: list[float] = []
    for ladder in ((1, 2, 5), (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9)):
        ticks = [m * 10.0**e for e in powers for m in ladder if low <= m * 10.0**e <= high]
        if len(ticks) >= 3:
            break
    else:
        rough = (high - low) / 4 or high
        scale = 10.0 ** np.floor(np.log10(rough))
        step = scale * max(m for m in (1, 2, 2.5, 5) if m * scale <= rough)
        ticks = list(np.arange(np.ceil(low / step) * step, high + step / 2, step))
    return ticks


def log_axis(
    fig: go.Figure, values: Iterable[float], tickformat: str = "$~s", **where: int
) -> None:
    """A log y axis with the round ticks of :func:`log_ticks` (unchanged without data)."""
    ticks = log_ticks(values)
    if ticks is not None:
        fig.update_yaxes(type="log", tickvals=ticks, tickformat=tickformat, **where)


def price_figure(
    close: pd.Series,
    averages: pd.DataFrame | None,
    title: str,
    source: str,
    log: bool = False,
) -> go.Figure:
    """A close with optional average lines (the first solid, the others dotted)."""
    lines = averages if averages is not None else pd.DataFrame(index=close.index)
    data = [
        {"type": "scatter", "x": close.index, "y": close.to_numpy(), "name": "Close",
         "line": {"color": PRICE}},
        *(
            {"type": "scatter", "x": lines.index, "y": lines[column].to_numpy(), "name": column,
             "line": {"width": 1.6, "dash": "solid" if i == 0 else "dot"}}
            for i, column in enumerate(lines.columns)
        ),
    ]  # fmt: skip
    layout = {"yaxis": {"type": "log"}} if log else {}
    as_of = close.index[-1] if len(close) else None
    return go.Figure({"data": data, "layout": house_layout(layout, title, as_of, source)})


INDICATOR_ROWS = (0.62, 0.38)  # the equity row above the reading row
INDICATOR_GAP = 0.06


def _line(values: pd.Series, name: str, x: str, y: str, **style: Any) -> dict[str, Any]:
    return {
        "type": "scatter", "x": date_text(values.index), "y": values.to_numpy(), "name": name,
        "xaxis": x, "yaxis": y, **style,
    }  # fmt: skip


def indicator_figure(
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
    """The classic indicator chart: the strategy's equity against buy and hold (log scale) on
    top, the reading and its threshold below, the periods in cash shaded over both.

    ``equity``, ``benchmark`` and ``position`` may be daily: the lines are drawn with
    :func:`weekly_points` then :func:`envelope_points` (at most about ``MAX_LINE_POINTS``
    each), the reading with :func:`step_points` (the same steps), the cash bands from the daily
    ``position`` (exact to the day); dates as text (:func:`date_text`). The browser receives
    and draws about half the points of weekly lines, the same picture.

    Built as one figure specification, validated once by ``go.Figure`` (the same figure as
    ``make_subplots(rows=2, shared_xaxes=True)`` with ``add_scatter``, ``add_hline``,
    :func:`log_axis` and :func:`shade` calls, at a third of their cost: each of those calls
    validates the whole layout again)."""
    cash = bands_of(position == 0)
    equity = envelope_points(weekly_points(equity))
    benchmark = envelope_points(weekly_points(benchmark))
    bottom = INDICATOR_ROWS[1]
    # make_subplots' grid: the rows share the height less the gap, the first row on top
    usable = 1 - INDICATOR_GAP
    split = bottom * usable
    data: list[dict[str, Any]] = [
        _line(equity, "Following the signal", "x", "y", line={"color": STRATEGY, "width": 1.8}),
        _line(benchmark, "Buy & hold SPY", "x", "y", line={"color": BENCHMARK, "width": 1.4}),
    ]
    layout: dict[str, Any] = {
        "xaxis": {"anchor": "y", "domain": [0.0, 1.0], "matches": "x2", "showticklabels": False},
        "yaxis": {"anchor": "x", "domain": [split + INDICATOR_GAP, 1.0]},
        "xaxis2": {"anchor": "y2", "domain": [0.0, 1.0]},
        "yaxis2": {"anchor": "x2", "domain": [0.0, split]},
    }
    shown = reading.loc[equity.index[0] :] if len(equity) else reading
    flag = is_flag(shown)
    shown = step_points(shown)
    if flag:  # a calendar rule: on or off, drawn as a light area, no threshold line
        data.append(
            _line(
                shown, reading_label, "x2", "y2", fill="tozeroy", fillcolor=FLAG_FILL,
                line={"color": FLAG_LINE, "width": 0.6, "shape": "hv"},
            )
        )  # fmt: skip
        layout["yaxis2"] |= {"tickvals": [0, 1], "ticktext": ["off", "on"], "range": [-0.05, 1.15]}
    else:
        data.append(
            _line(
                shown, reading_label, "x2", "y2", line={"color": PRICE, "width": 1.3, "shape": "hv"}
            )
        )
        # add_hline: on a row with a trace, even an empty one
        layout["shapes"] = [
            {
                "type": "line", "x0": 0, "x1": 1, "xref": "x2 domain", "y0": threshold,
                "y1": threshold, "yref": "y2",
                "line": {"color": THRESHOLD, "dash": "dash", "width": 1.2},
            }
        ]  # fmt: skip
        layout["annotations"] = [
            {
                "text": f"threshold {threshold:g}", "showarrow": False, "x": 0,
                "xanchor": "left", "xref": "x2 domain", "y": threshold, "yanchor": "bottom",
                "yref": "y2", "font": {"color": THRESHOLD, "size": 11},
            }
        ]  # fmt: skip
    ticks = log_ticks([*equity.to_numpy(), *benchmark.to_numpy()])
    if ticks is not None:
        layout["yaxis"] |= {"type": "log", "tickvals": ticks, "tickformat": "$~s"}
    layout["yaxis"] |= {"title": {"text": "equity (log)"}}
    layout["yaxis2"] |= {"title": {"text": reading_label}}
    xs, ys = band_outline(cash)
    if xs:  # shade(): one band trace per row on a hidden 0-1 axis overlaying the row
        for x, overlaid, hidden in (("x", "y", "yaxis3"), ("x2", "y2", "yaxis4")):
            layout[hidden] = {
                "range": [0, 1],
                "visible": False,
                "fixedrange": True,
                "overlaying": overlaid,
            }
            data.append(
                {
                    "type": "scatter", "x": xs, "y": ys, "xaxis": x,
                    "yaxis": "y" + hidden.removeprefix("yaxis"), "name": CASH_BANDS,
                    "mode": "lines", "fill": "toself", "fillcolor": CASH_SHADE,
                    "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False,
                    "meta": BAND_AXIS,
                }
            )  # fmt: skip
    data.append(legend_square_trace("In cash (shaded)", CASH_SHADE))
    return go.Figure({"data": data, "layout": house_layout(layout, title, as_of, source, 520)})


def composite_figure(
    composite: pd.Series,
    categories: pd.DataFrame,
    threshold: float,
    title: str,
    source: str,
    as_of: pd.Timestamp,
    show_categories: bool = True,
) -> go.Figure:
    """The composite with its threshold and, optionally, the four category scores; the weeks
    the composite says invested are shaded."""
    fig = go.Figure()
    if show_categories:
        for name in categories.columns:
            fig.add_scatter(
                x=categories.index, y=categories[name].to_numpy(), name=name,
                line={"width": 1, "color": CATEGORY_COLOURS.get(name), "shape": "hv"},
                opacity=0.55,
            )  # fmt: skip
    fig.add_scatter(
        x=composite.index, y=composite.to_numpy(), name="Composite",
        line={"color": INK, "width": 2.2, "shape": "hv"},
    )  # fmt: skip
    fig.add_hline(
        y=threshold, line={"color": THRESHOLD, "dash": "dash"},
        annotation_text=f"invested above {threshold:.2f}", annotation_position="top left",
        annotation_font={"color": THRESHOLD},
    )  # fmt: skip
    fig.update_yaxes(range=[-0.02, 1.02], title_text="share of indicators saying invested")
    shade(fig, bands_of(composite > threshold), BULL_SHADE, name=INVESTED_BANDS)
    legend_square(fig, "Invested (shaded)", BULL_SHADE)
    return finish(fig, title, as_of, source)


def equity_figure(
    equity: pd.Series, benchmark: pd.Series, position: pd.Series, title: str, source: str
) -> go.Figure:
    """Strategy against buy and hold (log scale), cash periods shaded (lines drawn with
    :func:`weekly_points`, the bands from the daily ``position``)."""
    cash = bands_of(position == 0)
    equity, benchmark = weekly_points(equity), weekly_points(benchmark)
    fig = go.Figure()
    fig.add_scatter(
        x=equity.index, y=equity.to_numpy(), name="Following the signal",
        line={"color": STRATEGY, "width": 1.8},
    )  # fmt: skip
    fig.add_scatter(
        x=benchmark.index, y=benchmark.to_numpy(), name="Buy & hold SPY",
        line={"color": BENCHMARK, "width": 1.4},
    )  # fmt: skip
    log_axis(fig, [*equity.to_numpy(), *benchmark.to_numpy()])
    fig.update_yaxes(title_text="equity (log)")
    shade(fig, cash, CASH_SHADE, name=CASH_BANDS)
    legend_square(fig, "In cash (shaded)", CASH_SHADE)
    return finish(fig, title, equity.index[-1], source)


def regimes_figure(
    close: pd.Series,
    bull: pd.Series,
    uptrend: pd.Series,
    title: str,
    source: str,
    bull_label: str,
) -> go.Figure:
    """Price (log) with bull-market weeks shaded full height and investable uptrends as a band
    along the bottom (bands from the daily series, the price drawn with :func:`weekly_points`)."""
    bull_bands = bands_of(bull.reindex(close.index))
    uptrend_bands = bands_of(uptrend.reindex(close.index))
    close = weekly_points(close)
    fig = go.Figure()
    fig.add_scatter(x=close.index, y=close.to_numpy(), name="Close", line={"color": PRICE})
    for name, colour in ((bull_label, BULL_SHADE), ("Investable uptrend", UPTREND_SHADE)):
        fig.add_scatter(
            x=[None], y=[None], mode="markers", name=name,
            marker={"size": 12, "symbol": "square", "color": colour},
        )  # fmt: skip
    log_axis(fig, close.to_numpy(), tickformat=",.0f")
    shade(fig, bull_bands, BULL_SHADE, name="bull markets")
    shade(fig, uptrend_bands, UPTREND_SHADE, y0=0, y1=0.06, name="investable uptrends")
    return finish(fig, title, close.index[-1], source, height=520)


def sectors_figure(
    table: pd.DataFrame, column: str, title: str, source: str, as_of: pd.Timestamp | None
) -> go.Figure:
    """Horizontal bars of each sector's relative strength against SPY (in %)."""
    ordered = table.dropna(subset=[column]).sort_values(column)
    values = ordered[column].to_numpy() * 100
    # the value sits in the label: bar texts collided with the labels on a phone
    bars = {
        "type": "bar", "x": values,
        "y": [f"{name} {v:+.1f} %" for name, v in zip(ordered["sector"], values, strict=True)],
        "customdata": list(ordered.index), "orientation": "h",
        "marker": {"color": np.where(values >= 0, STRATEGY, THRESHOLD)},
        "hovertemplate": "%{y} (%{customdata})<extra></extra>",
    }  # fmt: skip
    layout = {
        "xaxis": {"ticksuffix": " %", "zeroline": True, "zerolinecolor": MUTED},
        "hovermode": "closest",
        "showlegend": False,
    }
    return go.Figure({"data": [bars], "layout": house_layout(layout, title, as_of, source, 420)})
