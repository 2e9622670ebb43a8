"""The weekly report in one action: the decision, the indicator table, the sentiment gauge, the
market regime, the price levels and the key charts, as one self-contained HTML file (charts
embedded as 2× PNG images, ready to paste into a report) or as a PDF with the same content
(:mod:`dashboard.report_pdf`).

The content is built once (:func:`report_content`) as a list of blocks — headings, paragraphs
(``**bold**`` marks the emphasised figures), bullet lists, tables and chart images — and each
format renders those blocks, so HTML and PDF never disagree.

Used by the Overview page's report downloads (:mod:`dashboard.report_panel`) and by
``investable report``.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import pandas as pd
import plotly.graph_objects as go

from analytics.backtest import BacktestSettings, backtest_model, spy_total_return
from analytics.errors import AnalyticsError
from analytics.gauge import component_names, model_gauge
from analytics.levels import price_for_levels, price_levels
from analytics.model import ModelResult, Snapshot
from analytics.regimes import DEFAULT_BULL, bull_market_distance, uptrend_distance
from analytics.results import IndicatorRow
from analytics.spec import with_unit
from components.figures import composite_figure, equity_figure, price_figure
from components.price import moving_average
from dashboard.report_charts import ChartBrowser, ChartsUnavailable, basic_traces_only

ReportFormat = Literal["html", "pdf"]
FORMATS: tuple[ReportFormat, ...] = ("html", "pdf")
CHART_WIDTH = 1000  # px; exported at 2× scale

CSS = """
body { font-family: Helvetica, Arial, sans-serif; color: #1f2937; max-width: 1040px;
       margin: 24px auto; padding: 0 16px; }
h1 { margin-bottom: 4px; } .muted { color: #6b7280; font-size: 13px; }
.state { font-size: 28px; font-weight: 700; } .invested { color: #15803d; }
.cash { color: #b91c1c; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 12px 0 24px; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 5px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td:nth-child(6) { white-space: nowrap; }
tr.stale td, tr.unavailable td { color: #9ca3af; }
img { width: 100%; margin: 8px 0 20px; }
"""


# ---- the content, shared by every format ----------------------------------------------------


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``**x**`` marks bold. ``style``: "" (body), "muted", "invested", "cash"."""

    text: str
    style: str = ""


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of text cells. ``numeric``: columns aligned right; ``row_styles``: one per row
    ("current", "stale", "unavailable" or "")."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()
    row_styles: tuple[str, ...] = ()
    widths: tuple[float, ...] = ()  # relative column widths for the PDF


@dataclass(frozen=True)
class Charts:
    """The key charts as PNG bytes (2× scale), or why there are none."""

    pngs: tuple[bytes, ...]
    note: str = ""


Block = Heading | Paragraph | Bullets | Table | Charts


@dataclass(frozen=True)
class ReportContent:
    title: str
    date: pd.Timestamp
    blocks: tuple[Block, ...] = field(default_factory=tuple)


def figure_png(fig: go.Figure, width: int = CHART_WIDTH) -> bytes:
    """One figure as a PNG at 2× scale (one browser for this figure only; a report draws all
    its charts with one :class:`~dashboard.report_charts.ChartBrowser`)."""
    with ChartBrowser(basic=basic_traces_only(fig)) as browser:
        return browser.pngs([fig], width)[0]


def report_figures(
    model: ModelResult, series: Mapping[str, pd.DataFrame], as_of: pd.Timestamp
) -> Iterator[go.Figure]:
    """The key charts, one at a time (each can be drawn while the next is built): composite
    history (10 years), SPY vs its 200-day average (2 years), and the composite's backtest
    against buy and hold."""
    start = as_of - pd.DateOffset(years=10)
    yield composite_figure(
        model.composite.loc[start:as_of],
        model.categories.loc[start:as_of],
        model.settings.invest_threshold,
        "Composite, last 10 years",
        "Investable model",
        as_of,
        show_categories=False,
    )
    spy, note = spy_total_return(series)
    spy = spy.loc[:as_of]
    recent = spy.loc[as_of - pd.DateOffset(years=2) :]
    average = pd.DataFrame({"200-day average": moving_average(spy)}).loc[recent.index]
    yield price_figure(recent, average, "SPY and its 200-day average", f"Yahoo Finance, {note}")
    results = backtest_model(model, series, BacktestSettings(end=as_of), ids=["composite"])
    if "composite" in results:
        result = results["composite"]
        yield equity_figure(
            result.equity,
            result.benchmark,
            result.position,
            "Following the composite vs buy and hold SPY",
            "Investable backtest, $10 + 0.02 % per trade",
        )


def report_content(
    model: ModelResult,
    series: Mapping[str, pd.DataFrame],
    as_of: pd.Timestamp | None = None,
    with_charts: bool = True,
    browser: ChartBrowser | None = None,
    drawn: Sequence[bytes] | None = None,
) -> ReportContent:
    """Every block of the weekly report for the decision week of ``as_of`` (default: the
    latest). The key charts are ``drawn`` when given (the PNGs the refresh stored for this week:
    :func:`dashboard.stored_charts.stored_report_charts`), else drawn here with ``browser``
    when given (one browser for every chart), else with a browser opened and closed here;
    without Chrome/Chromium the report keeps its tables and says in one line that the charts
    need it. The charts are built and sent to the browser first, so it draws them while the
    tables are built."""
    snapshot = model.snapshot(as_of)
    date = snapshot.decision_date
    drawing = ChartDrawing(model, series, date, browser) if with_charts and not drawn else None
    try:
        blocks = tables_blocks(model, series, snapshot)
        if with_charts and drawn:
            blocks += [Heading("Key charts"), Charts(tuple(drawn))]
        elif drawing is not None:
            blocks += [Heading("Key charts"), drawing.result()]
    finally:
        if drawing is not None:
            drawing.close()
    blocks.append(
        Paragraph(
            "Data: Yahoo Finance, FRED, AAII, NAAIM, CBOE, FINRA, Robert Shiller. "
            "Made with Investable.",
            "muted",
        )
    )
    return ReportContent(f"Investable weekly report {date.date()}", date, tuple(blocks))


def tables_blocks(
    model: ModelResult, series: Mapping[str, pd.DataFrame], snapshot: Snapshot
) -> list[Block]:
    """The report's blocks before the charts: decision, gauge, categories, changes, regimes,
    levels and the indicator table."""
    date = snapshot.decision_date
    state = "INVESTED" if snapshot.invested else "CASH"
    composite = "—" if snapshot.composite is None else f"{snapshot.composite:.2f}"
    trade = snapshot.trade_date.date() if snapshot.trade_date is not None else "next trading day"
    return [
        Heading("Is the market investable this week?", 1),
        Paragraph(
            f"Decision on the Friday close of {date.date()}, traded at the close of {trade}. "
            "Only data published by then.",
            "muted",
        ),
        Paragraph(state, state.lower()),
        Paragraph(
            f"Composite **{composite}** (invested above {snapshot.invest_threshold:.2f}), "
            f"{snapshot.available} of {snapshot.total} indicators available."
        ),
        Paragraph(gauge_text(model, date)),
        categories_table(snapshot),
        *changes_blocks(model, date),
        Heading("Market regime"),
        *regime_blocks(series, date),
        Heading("Price levels"),
        *level_blocks(series, date),
        Heading("Indicators"),
        indicator_table(model, snapshot),
    ]


class ChartDrawing:
    """The key charts being drawn. Created, it builds the figures, sends them to ``browser``
    (or to a browser of its own, opened here) and returns at once; :meth:`result` waits for
    the PNGs; :meth:`close` cancels what is left and closes its own browser (never one it was
    given)."""

    def __init__(
        self,
        model: ModelResult,
        series: Mapping[str, pd.DataFrame],
        date: pd.Timestamp,
        browser: ChartBrowser | None = None,
    ) -> None:
        self._own = ChartBrowser() if browser is None else None
        self._browser = browser if browser is not None else self._own
        self._pending: list[Future[bytes]] = []
        self._note = ""
        try:
            self._pending = self.browser.submit_all(
                report_figures(model, series, date), CHART_WIDTH
            )
        except AnalyticsError as exc:  # e.g. no SPY prices: the tables still make a report
            self._note = f"The key charts are unavailable: {exc}."
        except BaseException:
            self.close()
            raise

    @property
    def browser(self) -> ChartBrowser:
        assert self._browser is not None
        return self._browser

    def result(self) -> Charts:
        """The PNGs, or no images and a one-sentence note why (no Chrome/Chromium:
        :data:`~dashboard.report_charts.CHARTS_NEED_CHROME`; a browser that fails or times out;
        data the charts need is missing)."""
        if self._note:
            return Charts((), self._note)
        try:
            return Charts(tuple(self.browser.collect(self._pending)))
        except ChartsUnavailable as exc:
            return Charts((), str(exc))

    def close(self) -> None:
        for future in self._pending:
            future.cancel()  # no-op for the finished ones
        if self._own is not None:
            self._own.close()


def weekly_report(
    model: ModelResult,
    series: Mapping[str, pd.DataFrame],
    as_of: pd.Timestamp | None = None,
    with_charts: bool = True,
    browser: ChartBrowser | None = None,
) -> str:
    """The report as one HTML document."""
    return render_html(report_content(model, series, as_of, with_charts, browser))


def build_report(
    model: ModelResult,
    series: Mapping[str, pd.DataFrame],
    as_of: pd.Timestamp | None,
    report_format: ReportFormat,
    with_charts: bool = True,
    browser: ChartBrowser | None = None,
) -> bytes:
    """The report as the bytes of a file: UTF-8 HTML or a PDF."""
    return render_document(
        report_content(model, series, as_of, with_charts, browser), report_format
    )


def render_document(content: ReportContent, report_format: ReportFormat) -> bytes:
    """``content`` as the bytes of a file: UTF-8 HTML or a PDF."""
    if report_format == "pdf":
        from dashboard.report_pdf import render_pdf

        return render_pdf(content)
    return render_html(content).encode("utf-8")


# ---- the sections -----------------------------------------------------------------------------


def gauge_text(model: ModelResult, date: pd.Timestamp) -> str:
    """``Sentiment gauge **38** (Fear), 7 of 8 readings (NAAIM exposure: data 183 days
    old).`` — stale components are not counted (same max-age rule as the indicators)."""
    reading = model_gauge(model, date)
    if reading.date is None:
        return "Sentiment gauge: not enough weekly readings yet (it needs a year)."
    summary = reading.summary(component_names(model))
    return f"Sentiment gauge **{reading.value:.0f}** ({reading.band}), {summary}."


def categories_table(snapshot: Snapshot) -> Table:
    rows = tuple(
        (
            name,
            "—" if score is None else f"{score:.2f}",
            f"{snapshot.category_counts[name][0]} of {snapshot.category_counts[name][1]}",
        )
        for name, score in snapshot.categories.items()
    )
    return Table(("Category", "Score", "Available"), rows, frozenset({1, 2}), widths=(3, 1, 1))


def vote_text(value: Any) -> str:
    """1 -> "invested", 0 -> "cash", missing -> "unavailable"."""
    if value is None or pd.isna(value):
        return "unavailable"
    return "invested" if value == 1 else "cash"


def changes_blocks(model: ModelResult, date: pd.Timestamp) -> list[Block]:
    previous = model.previous_decision_date(date)
    if previous is None:
        return []
    changes = model.changes(previous, date)
    if changes.empty:
        return [Paragraph(f"No indicator changed its vote since {previous.date()}.")]
    items = tuple(
        f"{row.name}: {vote_text(row.before)} → {vote_text(row.after)}"
        for row in changes.itertuples()
    )
    return [Paragraph(f"Changed since {previous.date()}:"), Bullets(items)]


def index_close(series: Mapping[str, pd.DataFrame]) -> tuple[pd.Series, str] | None:
    """The S&P 500 closes the regimes and levels read (^GSPC, else SPY), or ``None``."""
    for key in ("yahoo:^GSPC", "yahoo:SPY"):
        frame = series.get(key)
        if frame is not None and not frame.empty:
            return price_for_levels(frame)
    return None


def regime_blocks(series: Mapping[str, pd.DataFrame], date: pd.Timestamp) -> list[Block]:
    """Bull market (the default definition: 20 % above the 155-day low) and the investable
    uptrend (any window qualifies; otherwise the window closest to qualifying)."""
    found = index_close(series)
    if found is None:
        return [Paragraph("Regimes unavailable: no S&P 500 or SPY prices.")]
    close, _ = found
    try:
        bull = bull_market_distance(close, date).loc[DEFAULT_BULL]
        uptrend = uptrend_distance(close, date)
    except AnalyticsError as exc:
        return [Paragraph(f"Regimes unavailable: {exc}")]
    qualifying = uptrend[uptrend["qualifies"]]
    bull_word = "yes" if bool(bull["qualifies"]) else "no"
    lines = [f"Bull market: **{bull_word}**, {bull['text'] or bull['note']}."]
    if not qualifying.empty:
        windows = ", ".join(f"{days} days" for days in qualifying.index)
        lines.append(f"Investable uptrend: **yes**, qualifying windows {windows}.")
    elif uptrend["rise_gap"].notna().any():
        days = cast(int, uptrend["rise_gap"].idxmax())
        lines.append(
            f"Investable uptrend: **no**; closest the {days}-day window, "
            f"{uptrend.at[days, 'text']!s}."
        )
    else:
        lines.append("Investable uptrend: **no** (not enough history).")
    return [Paragraph(line) for line in lines]


def level_blocks(series: Mapping[str, pd.DataFrame], date: pd.Timestamp) -> list[Block]:
    """The S&P 500's levels on the decision date, highest first, with the distance from the
    price (value / price − 1)."""
    found = index_close(series)
    if found is None:
        return [Paragraph("Levels unavailable: no S&P 500 or SPY prices.")]
    close, price_used = found
    try:
        levels = price_levels(close, as_of=date)
    except (AnalyticsError, ValueError) as exc:
        return [Paragraph(f"Levels unavailable: {exc}")]
    highest_first = sorted(levels.levels, key=lambda level: -level.value)
    rows = tuple(
        (level.name, f"{level.value:,.2f}", f"{level.distance * 100:+.2f} %")
        for level in highest_first
    )
    return [
        Paragraph(f"Price **{levels.price:,.2f}** on {levels.as_of.date()} ({price_used})."),
        Table(("Level", "Value", "Distance"), rows, frozenset({1, 2}), widths=(3, 1, 1)),
        *(Paragraph(note, "muted") for note in levels.notes),
    ]


def reading_text(row: IndicatorRow, invested_when: str) -> str:
    """The reading with its unit against the rule: ``"27.5 % vs > 0 %"`` (values rounded to
    2 decimals); ``"—"`` without a reading."""
    threshold = f"{invested_when} {with_unit(round(row.threshold, 2), row.unit)}"
    if row.reading is None:
        return f"— vs {threshold}"
    return f"{with_unit(round(row.reading, 2), row.unit)} vs {threshold}"


def status_text(row: IndicatorRow) -> str:
    """``"current"``; ``"stale, not counted"`` when a reading exists but its data is older than
    the indicator's maximum age; ``"unavailable"`` otherwise (the Note column says why)."""
    if row.available:
        return "current"
    if row.reading is not None and row.last_observation is not None:
        return "stale, not counted"
    return "unavailable"


def indicator_table(model: ModelResult, snapshot: Snapshot) -> Table:
    """Indicators by name: reading with unit and direction, status, vote, data date, note."""
    rows = []
    styles = []
    for row in snapshot.indicators:
        invested_when = model.indicators[row.id].spec.invested_when
        vote = "—" if row.score is None else ("invested" if row.score == 1 else "cash")
        last = str(row.last_observation.date()) if row.last_observation is not None else ""
        status = status_text(row)
        note = "" if row.available else row.reason
        rows.append(
            (row.name, row.category, reading_text(row, invested_when), status, vote, last, note)
        )
        styles.append(status.split(",")[0])
    header = ("Indicator", "Category", "Reading vs invested when", "Status", "Vote", "Data to",
              "Note")  # fmt: skip
    return Table(header, tuple(rows), frozenset({2}), tuple(styles), (2.6, 1.3, 2.2, 1.3, 0.9,
                 1.1, 3.6))  # fmt: skip


# ---- HTML -------------------------------------------------------------------------------------

BOLD = re.compile(r"\*\*(.+?)\*\*")


def html_text(text: str) -> str:
    """Escaped text with ``**x**`` as ``<b>x</b>``."""
    return BOLD.sub(r"<b>\1</b>", html.escape(text))


def render_html(content: ReportContent) -> str:
    """One self-contained HTML document (charts as base64 PNG images)."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(content.title)}</title><style>{CSS}</style></head><body>",
    ]
    parts += [_html_block(block) for block in content.blocks]
    parts.append("</body></html>")
    return "\n".join(parts)


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{html.escape(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        style = {"invested": "state invested", "cash": "state cash"}.get(block.style, block.style)
        attribute = f" class='{style}'" if style else ""
        return f"<p{attribute}>{html_text(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{html_text(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        return _html_table(block)
    if not block.pngs:
        return f"<p class='muted'>{html.escape(block.note)}</p>"
    return "\n".join(
        f"<img alt='chart' src='data:image/png;base64,{base64.b64encode(png).decode()}'>"
        for png in block.pngs
    )


def _html_table(table: Table) -> str:
    header = "".join(f"<th>{html.escape(cell)}</th>" for cell in table.header)
    rows = []
    for index, row in enumerate(table.rows):
        style = table.row_styles[index] if table.row_styles else ""
        cells = "".join(
            f"<td class='num'>{html.escape(cell)}</td>"
            if column in table.numeric
            else f"<td>{html.escape(cell)}</td>"
            for column, cell in enumerate(row)
        )
        rows.append(f"<tr class='{style}'>{cells}</tr>" if style else f"<tr>{cells}</tr>")
    return f"<table><tr>{header}</tr>{''.join(rows)}</table>"
