"""The Overview's results, computed once per data generation (issue #15).

Each panel is cached with ``st.cache_resource`` on the source folder, the source's **generation**
(:func:`dashboard.state.generation`: a new import or refresh changes it), the date shown and only
the settings that result depends on:

* price panel (SPY against its 200-day average): folder, generation, as-of date;
* sentiment gauge (the daily history, then the chosen day's reading, dial and history chart):
  folder, generation, the publication-rule overrides (they change what was published by a
  date), the requested day. Neither depends on the composite threshold or indicator
  thresholds, so moving the threshold slider does not recompute them. Under the default
  publication rules the daily history is the one the last refresh precomputed
  (:mod:`dashboard.precompute`), when there is one;
* sector table and chart: folder, generation, as-of date.

The loaded series (``_series``) and the model's settings (``_settings``) are passed unhashed:
the generation already names the data, and the release overrides the settings that matter. A
panel that cannot be built returns the user's message (a ``str``) instead, cached as well.

The panels are shared objects (``st.cache_resource``), not pickled copies: ``st.cache_data``
unpickled every figure of the page on every rerun (about a tenth of a second for the four
charts), and the daily gauge's frames on every new date. So the read-only rule of
:mod:`dashboard.state` holds here too: the page reads a panel and its figures, never changes
them (``tests/dashboard/test_shared_cache_read_only.py``). Bounds: 16 dates per panel, the
daily gauge for 2 publication settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.backtest import spy_total_return
from analytics.catalog import CATALOG
from analytics.errors import AnalyticsError
from analytics.gauge import DailyGauge, GaugeDay, daily_gauge_detail
from analytics.sectors import relative_strength
from analytics.spec import ModelSettings
from components.figures import price_figure, sectors_figure
from components.gauge import gauge_dial, gauge_history_figure
from components.price import moving_average
from components.widgets import close_label
from dashboard import state
from data_sources.catalog import SECTORS

Series = Mapping[str, pd.DataFrame]
Releases = tuple[tuple[str, int, int | None, int | None], ...]
PRICE_YEARS_SHOWN = 2
ATTRIBUTION = {spec.id: spec.attribution.removeprefix("Data: ") for spec in CATALOG}


def gauge_source(reading: GaugeDay) -> str:
    """``"Yahoo Finance, AAII, …; 7 of 8 readings (NAAIM exposure: stale), each ranked against
    its past 5 years"``: the providers of the scored components, then the count."""
    providers = dict.fromkeys(ATTRIBUTION[c.id] for c in reading.components if c.status == "scored")
    return f"{', '.join(providers)}; {reading.summary()}, each ranked against its past 5 years"


@dataclass(frozen=True)
class PricePanel:
    """SPY's close on the as-of date, its gap to the 200-day average (a fraction, None before
    200 closes), the metric's label and the chart."""

    label: str
    close: float
    gap: float | None
    figure: go.Figure


@dataclass(frozen=True)
class SentimentPanel:
    """The gauge on the chosen session, its dial and its daily history chart."""

    reading: GaugeDay
    dial: go.Figure
    history: go.Figure


@dataclass(frozen=True)
class SectorPanel:
    table: pd.DataFrame
    figure: go.Figure


def _keys() -> tuple[str | None, str]:
    folder = state.data_dir()
    return folder, state.generation(folder)


# ---- price ---------------------------------------------------------------------------------


@st.cache_resource(max_entries=16, show_spinner=False)
def _price_panel(
    folder: str | None, generation: str, as_of: pd.Timestamp, _series: Series
) -> PricePanel | str:
    try:
        spy, note = spy_total_return(dict(_series))
    except AnalyticsError as exc:
        return str(exc)
    spy = spy.loc[:as_of]
    average = moving_average(spy)
    gap = float(spy.iloc[-1] / average.iloc[-1] - 1) if average.notna().any() else None
    shown = spy.loc[as_of - pd.DateOffset(years=PRICE_YEARS_SHOWN) :]
    averages = pd.DataFrame({"200-day average": average}).loc[shown.index]
    figure = price_figure(shown, averages, "SPY and its 200-day average", f"Yahoo Finance, {note}")
    return PricePanel(close_label(note), float(spy.iloc[-1]), gap, figure)


def price_panel(series: Series, as_of: pd.Timestamp) -> PricePanel | str:
    """SPY against its 200-day average up to ``as_of`` (or why it cannot be drawn)."""
    folder, generation = _keys()
    return _price_panel(folder, generation, as_of, series)


# ---- sentiment gauge -----------------------------------------------------------------------


@st.cache_resource(max_entries=2, show_spinner="Computing the daily sentiment gauge…")
def _daily_gauge(
    folder: str | None,
    generation: str,
    releases: Releases,
    _series: Series,
    _settings: ModelSettings,
) -> DailyGauge:
    precomputed = None if releases else state.precomputed_gauge()
    return precomputed if precomputed is not None else daily_gauge_detail(_series, _settings)


@st.cache_resource(max_entries=16, show_spinner=False)
def _sentiment_panel(
    folder: str | None,
    generation: str,
    releases: Releases,
    day: pd.Timestamp | None,
    _series: Series,
    _settings: ModelSettings,
) -> SentimentPanel | str:
    try:
        detail = _daily_gauge(folder, generation, releases, _series, _settings)
    except AnalyticsError as exc:
        return f"The sentiment gauge cannot be computed: {exc}."
    reading = detail.on(day)
    if reading is None or reading.value != reading.value:
        return (
            "The sentiment gauge needs a year of weekly readings of at least one of its "
            "components; load more history on the Data page."
        )
    source = gauge_source(reading)
    dial = gauge_dial(reading.value, reading.band, "Sentiment gauge", source, reading.day)
    history = gauge_history_figure(
        detail.scores["score"].loc[: reading.day],
        "Sentiment gauge, every trading day",
        source,
        reading.day,
    )
    return SentimentPanel(reading, dial, history)


def sentiment_panel(
    series: Series, settings: ModelSettings, day: pd.Timestamp | None
) -> SentimentPanel | str:
    """The daily gauge on the last session at or before ``day`` (None: the newest), under the
    model's publication rules (or why there is none yet)."""
    folder, generation = _keys()
    return _sentiment_panel(folder, generation, state.release_overrides(), day, series, settings)


# ---- sectors -------------------------------------------------------------------------------


@st.cache_resource(max_entries=16, show_spinner=False)
def _sector_panel(
    folder: str | None, generation: str, as_of: pd.Timestamp, _series: Series
) -> SectorPanel | str:
    closes = {}
    for symbol in SECTORS:
        frame = _series.get(f"yahoo:{symbol}")
        if frame is not None and not frame.empty:
            closes[symbol] = frame["adj_close" if "adj_close" in frame else "close"]
    try:
        spy_close, _ = spy_total_return(dict(_series))
        table = relative_strength(closes, spy_close, as_of)
    except AnalyticsError as exc:
        return f"Sector relative strength unavailable: {exc}"
    figure = sectors_figure(
        table,
        "relative_3M",
        "Sectors against SPY, last 3 months",
        "Yahoo Finance, sector SPDRs vs SPY, adjusted closes",
        table.attrs["as_of"],
    )
    return SectorPanel(table, figure)


def sector_panel(series: Series, as_of: pd.Timestamp) -> SectorPanel | str:
    """The eleven sector SPDRs against SPY up to ``as_of`` (or why not)."""
    folder, generation = _keys()
    return _sector_panel(folder, generation, as_of, series)
