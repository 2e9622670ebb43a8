"""The weekly report in one action: the decision, the indicator table and the key charts as one
self-contained HTML file (charts embedded as 2× PNG images, ready to paste into a report).

Used by the Overview page's "Weekly report" button and by ``python -m dashboard report``.
"""

from __future__ import annotations

import base64
import html
import warnings
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analytics.backtest import BacktestSettings, backtest_model, spy_total_return
from analytics.gauge import component_names, model_gauge
from analytics.model import ModelResult, Snapshot
from analytics.results import IndicatorRow
from analytics.spec import with_unit
from components.figures import composite_figure, equity_figure, price_figure
from components.price import moving_average

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


def figure_png(fig: go.Figure, width: int = 1000) -> bytes:
    """A figure as a PNG at 2× scale (kaleido drives the local chromium)."""
    height = int(fig.layout.height or 460)
    with warnings.catch_warnings():  # plotly notes that kaleido's server ignores its options
        warnings.simplefilter("ignore", UserWarning)
        image: bytes = fig.to_image(format="png", scale=2, width=width, height=height)
        return image


def report_figures(
    model: ModelResult, series: Mapping[str, pd.DataFrame], as_of: pd.Timestamp
) -> list[go.Figure]:
    """The key charts: composite history (10 years), SPY vs its 200-day average (2 years), and
    the composite's backtest against buy and hold."""
    start = as_of - pd.DateOffset(years=10)
    figures = [
        composite_figure(
            model.composite.loc[start:as_of],
            model.categories.loc[start:as_of],
            model.settings.invest_threshold,
            "Composite, last 10 years",
            "Investable model",
            as_of,
            show_categories=False,
        )
    ]
    spy, note = spy_total_return(series)
    spy = spy.loc[:as_of]
    recent = spy.loc[as_of - pd.DateOffset(years=2) :]
    average = pd.DataFrame({"200-day average": moving_average(spy)}).loc[recent.index]
    figures.append(
        price_figure(recent, average, "SPY and its 200-day average", f"Yahoo Finance, {note}")
    )
    results = backtest_model(model, series, BacktestSettings(end=as_of), ids=["composite"])
    if "composite" in results:
        result = results["composite"]
        figures.append(
            equity_figure(
                result.equity,
                result.benchmark,
                result.position,
                "Following the composite vs buy and hold SPY",
                "Investable backtest, $10 + 0.02 % per trade",
            )
        )
    return figures


def weekly_report(
    model: ModelResult,
    series: Mapping[str, pd.DataFrame],
    as_of: pd.Timestamp | None = None,
    with_charts: bool = True,
) -> str:
    """The report as one HTML document."""
    snapshot = model.snapshot(as_of)
    date = snapshot.decision_date
    state = "INVESTED" if snapshot.invested else "CASH"
    composite = "—" if snapshot.composite is None else f"{snapshot.composite:.2f}"
    trade = snapshot.trade_date.date() if snapshot.trade_date is not None else "next trading day"
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Investable weekly report {date.date()}</title><style>{CSS}</style></head><body>",
        "<h1>Is the market investable this week?</h1>",
        f"<p class='muted'>Decision on the Friday close of {date.date()}, traded at the close "
        f"of {trade}. Only data published by then.</p>",
        f"<p class='state {state.lower()}'>{state}</p>",
        f"<p>Composite <b>{composite}</b> (invested above {snapshot.invest_threshold:.2f}), "
        f"{snapshot.available} of {snapshot.total} indicators available.</p>",
        _gauge_line(model, date),
        _categories_table(snapshot),
        _changes(model, date),
        "<h2>Indicators</h2>",
        _indicator_table(model, snapshot),
    ]
    if with_charts:
        parts.append("<h2>Key charts</h2>")
        import kaleido

        kaleido.start_sync_server(silence_warnings=True)
        try:
            for fig in report_figures(model, series, date):
                encoded = base64.b64encode(figure_png(fig)).decode()
                parts.append(f"<img alt='chart' src='data:image/png;base64,{encoded}'>")
        finally:
            kaleido.stop_sync_server(silence_warnings=True)
    parts.append(
        "<p class='muted'>Data: Yahoo Finance, FRED, AAII, NAAIM, CBOE, FINRA, Robert Shiller. "
        "Made with Investable.</p></body></html>"
    )
    return "\n".join(parts)


def _gauge_line(model: ModelResult, date: pd.Timestamp) -> str:
    """``Sentiment gauge <b>38</b> (Fear), 7 of 8 readings (NAAIM exposure: data 183 days
    old).`` — stale components are not counted (same max-age rule as the indicators)."""
    reading = model_gauge(model, date)
    if reading.date is None:
        return "<p>Sentiment gauge: not enough weekly readings yet (it needs a year).</p>"
    summary = html.escape(reading.summary(component_names(model)))
    return f"<p>Sentiment gauge <b>{reading.value:.0f}</b> ({reading.band}), {summary}.</p>"


def _categories_table(snapshot: Snapshot) -> str:
    rows = "".join(
        f"<tr><td>{name}</td><td class='num'>{'—' if score is None else f'{score:.2f}'}</td>"
        f"<td class='num'>{snapshot.category_counts[name][0]} of "
        f"{snapshot.category_counts[name][1]}</td></tr>"
        for name, score in snapshot.categories.items()
    )
    return f"<table><tr><th>Category</th><th>Score</th><th>Available</th></tr>{rows}</table>"


def _changes(model: ModelResult, date: pd.Timestamp) -> str:
    previous = model.previous_decision_date(date)
    if previous is None:
        return ""
    changes = model.changes(previous, date)
    if changes.empty:
        return f"<p>No indicator changed its vote since {previous.date()}.</p>"

    def vote(value: Any) -> str:
        return "unavailable" if value is None or pd.isna(value) else (
            "invested" if value == 1 else "cash"
        )  # fmt: skip

    items = "".join(
        f"<li>{html.escape(str(row.name))}: {vote(row.before)} → {vote(row.after)}</li>"
        for row in changes.itertuples()
    )
    return f"<p>Changed since {previous.date()}:</p><ul>{items}</ul>"


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


def _indicator_table(model: ModelResult, snapshot: Snapshot) -> str:
    """Indicators by name: reading with unit and direction, status, vote, data date, note."""
    rows = []
    for row in snapshot.indicators:
        invested_when = model.indicators[row.id].spec.invested_when
        vote = "—" if row.score is None else ("invested" if row.score == 1 else "cash")
        last = row.last_observation.date() if row.last_observation is not None else ""
        status = status_text(row)
        reading = html.escape(reading_text(row, invested_when))
        note = "" if row.available else html.escape(row.reason)
        rows.append(
            f"<tr class='{status.split(',')[0]}'><td>{html.escape(row.name)}</td>"
            f"<td>{row.category}</td><td class='num'>{reading}</td><td>{status}</td>"
            f"<td>{vote}</td><td>{last}</td><td>{note}</td></tr>"
        )
    header = (
        "<tr><th>Indicator</th><th>Category</th><th>Reading vs invested when</th>"
        "<th>Status</th><th>Vote</th><th>Data to</th><th>Note</th></tr>"
    )
    return f"<table>{header}{''.join(rows)}</table>"
