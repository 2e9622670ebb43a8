"""The one place the app caches, and the settings every page shares.

Loading, the model and the backtests are cached here (``TTL_SECONDS``); pages call these
functions and never cache themselves. Settings live in ``st.session_state`` (set on the Data
page); the as-of date and the composite's threshold are sidebar widgets bound to the URL
(``?as_of=YYYY-MM-DD&threshold=0.6``), so a link reproduces a view.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st
from plotly.graph_objects import Figure

from analytics.backtest import BacktestResult, BacktestSettings, backtest_model
from analytics.catalog import CATALOG
from analytics.model import ModelResult, ModelSettings, evaluate
from data_sources.folder import FolderSource, SeriesInfo
from data_sources.source import SeriesSource
from data_sources.store import Store

TTL_SECONDS = 900
DEFAULT_BACKTEST = BacktestSettings()
DEFAULT_INVEST_THRESHOLD = ModelSettings().invest_threshold


def data_dir() -> str | None:
    """The manifest folder from ``INVESTABLE_DATA_DIR``, or None for the local store."""
    return os.environ.get("INVESTABLE_DATA_DIR") or None


def fred_key() -> str | None:
    """``FRED_API_KEY`` from Streamlit secrets or the environment (never shown anywhere)."""
    try:
        secret = st.secrets.get("FRED_API_KEY")
    except Exception:  # no secrets.toml at all is the normal case
        secret = None
    return secret or os.environ.get("FRED_API_KEY") or None


def open_store() -> Store:
    return Store(fred_key=fred_key())


def source(folder: str | None) -> SeriesSource:
    return FolderSource(folder) if folder else open_store()


PROVIDERS = {
    "yahoo": "Yahoo Finance",
    "fred": "FRED",
    "aaii": "AAII",
    "naaim": "NAAIM",
    "cboe": "CBOE",
    "finra": "FINRA",
    "shiller": "Robert Shiller",
}


def provider_label(key: str) -> str:
    """``yahoo:SPY`` -> "Yahoo Finance (SPY)"."""
    prefix, _, symbol = key.partition(":")
    return f"{PROVIDERS.get(prefix, prefix)} ({symbol})"


def price_choices(series: dict[str, pd.DataFrame], labels: dict[str, str]) -> dict[str, str]:
    """The price series of ``labels`` that are loaded; stops the page with a note when none is."""
    available = {key: label for key, label in labels.items() if key in series}
    if not available:
        names = " or ".join(labels.values())
        st.info(f"No {names} prices yet. Load data on the **Data** page.")
        st.stop()
    return available


def describe_source(folder: str | None) -> str:
    return f"folder {folder}" if folder else f"local store {open_store().root}"


@st.cache_data(ttl=TTL_SECONDS, show_spinner="Loading series…")
def load_all(folder: str | None) -> dict[str, pd.DataFrame]:
    """Every series of the source, loaded once per ttl."""
    return source(folder).load_many()


@st.cache_data(ttl=TTL_SECONDS)
def series_status(folder: str | None) -> list[SeriesInfo]:
    """Source, range, rows and last error of every series."""
    chosen = source(folder)
    return [chosen.info(key) for key in chosen.keys()]  # noqa: SIM118 (a source, not a dict)


@st.cache_resource(ttl=TTL_SECONDS, show_spinner="Computing 21 indicators over the history…")
def _model(
    folder: str | None, thresholds: tuple, invest_threshold: float, releases: tuple = ()
) -> ModelResult:
    specs = {spec.id: spec for spec in CATALOG}
    settings = ModelSettings(
        thresholds=dict(thresholds),
        releases={
            key: replace(specs[key].release, lag_days=lag, months_after=months, day=day)
            for key, lag, months, day in releases
        },
        invest_threshold=invest_threshold,
    )
    return evaluate(load_all(folder), settings)


@st.cache_resource(ttl=TTL_SECONDS, show_spinner="Backtesting…")
def _backtests(
    folder: str | None,
    thresholds: tuple,
    invest_threshold: float,
    releases: tuple,
    costs: tuple,
    end: pd.Timestamp,
) -> dict[str, BacktestResult]:
    capital, commission, spread, cash = costs
    settings = BacktestSettings(capital, commission, spread, cash, end=end)
    model = _model(folder, thresholds, invest_threshold, releases)
    return backtest_model(model, load_all(folder), settings)


@st.cache_resource(ttl=TTL_SECONDS, max_entries=128)
def _figure(
    name: str, settings: tuple, as_of: pd.Timestamp, _build: Callable[[], Figure]
) -> Figure:
    return _build()


def figure(name: str, as_of: pd.Timestamp, build: Callable[[], Figure]) -> Figure:
    """``build()``'s figure, built once per name, as-of date and settings (Plotly takes tens of
    milliseconds per figure, which a page of six charts would pay on every rerun)."""
    settings = (
        data_dir(),
        threshold_overrides(),
        invest_threshold(),
        release_overrides(),
        backtest_costs(),
    )
    return _figure(name, settings, as_of, build)


def forget_data() -> None:
    """Drop every cached series, model, backtest and figure (after a refresh or an upload)."""
    load_all.clear()
    series_status.clear()
    _model.clear()
    _backtests.clear()
    _figure.clear()


# ---- settings ------------------------------------------------------------------------------


def threshold_overrides() -> tuple[tuple[str, float], ...]:
    """Indicator thresholds that differ from the catalog's defaults, as a hashable tuple."""
    chosen = st.session_state.get("thresholds", {})
    defaults = {spec.id: spec.threshold for spec in CATALOG}
    return tuple(sorted((k, float(v)) for k, v in chosen.items() if defaults.get(k) != v))


def release_overrides() -> tuple[tuple[str, int, int | None, int | None], ...]:
    """Publication rules changed on the Data page: (id, lag_days, months_after, day) each."""
    chosen = st.session_state.get("releases", {})
    changed = []
    for spec in CATALOG:
        if spec.id not in chosen:
            continue
        release = spec.release
        value = tuple(chosen[spec.id])
        if value != (release.lag_days, release.months_after, release.day):
            changed.append((spec.id, *value))
    return tuple(changed)


def invest_threshold() -> float:
    """The composite's threshold (sidebar slider, bound to ``?threshold=``), default 0.60."""
    return float(st.session_state.get("threshold", DEFAULT_INVEST_THRESHOLD))


def backtest_costs() -> tuple[float, float, float, str]:
    """(capital, commission, spread, cash) from the settings, defaults otherwise."""
    d = DEFAULT_BACKTEST
    s = st.session_state
    return (
        float(s.get("capital", d.capital)),
        float(s.get("commission", d.commission)),
        float(s.get("spread_bp", d.spread * 10_000)) / 10_000,
        str(s.get("cash", d.cash)),
    )


def model(folder: str | None = None) -> ModelResult:
    """The model under the current settings (raises ValueError without prices for the clock)."""
    return _model(
        folder or data_dir(), threshold_overrides(), invest_threshold(), release_overrides()
    )


def backtests(as_of: pd.Timestamp) -> dict[str, BacktestResult]:
    """The composite's and every indicator's backtest up to ``as_of`` ({} with a note on screen
    when they cannot run, e.g. T-bill cash without a T-bill series)."""
    try:
        return _backtests(
            data_dir(),
            threshold_overrides(),
            invest_threshold(),
            release_overrides(),
            backtest_costs(),
            as_of,
        )
    except ValueError as exc:
        st.warning(
            f"No backtests: {exc}. Check the settings on the Data page.", icon=":material/warning:"
        )
        return {}


# ---- the as-of date --------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """What every page shows: the model and the decision date of the chosen as-of date."""

    model: ModelResult
    as_of: pd.Timestamp
    latest: bool


def requested_as_of() -> pd.Timestamp | None:
    """The sidebar's as-of date (bound to ``?as_of=YYYY-MM-DD``), or None for the latest."""
    chosen = st.session_state.get("as_of")
    return pd.Timestamp(chosen) if chosen else None


def current_view() -> View | None:
    """The model and the as-of decision date, or None (with a note on screen) without data."""
    try:
        result = model()
    except ValueError as exc:
        st.info(f"No model yet: {exc}. Load data on the **Data** page.", icon=":material/info:")
        return None
    if len(result.calendar) == 0:
        st.info("The data holds no complete week of prices yet. Load data on the **Data** page.")
        return None
    wanted = requested_as_of()
    latest = result.calendar.index[-1]
    if wanted is None or wanted >= latest:
        return View(result, latest, True)
    if wanted < result.calendar.index[0]:
        first = result.calendar.index[0]
        st.warning(f"{wanted.date()} is before the first decision date; showing {first.date()}.")
        return View(result, first, False)
    return View(result, result.decision_date(wanted), False)
